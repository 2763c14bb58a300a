"""Checking a row before a bulk write, without a query per row.

``validate_row`` does what ``full_clean(validate_unique=False)`` does, but works out the
models' check constraints in Python (the simple lookups they use), asking the database
only for a condition it cannot evaluate.
"""

import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q

from .errors import ContentError

_LOOKUPS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda value, choices: value in choices,
    "isnull": lambda value, expected: (value is None) == expected,
    "startswith": lambda value, prefix: str(value).startswith(prefix),
}


def field_value(instance: models.Model, name: str):
    return getattr(instance, instance._meta.get_field(name).attname)


def _condition_fields(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _condition_fields(child)
        else:
            lookup, expected = child
            names.add(lookup.split("__")[0])
            if isinstance(expected, F):
                names.add(expected.name)
    return names


def _holds(condition: Q, instance: models.Model) -> bool:
    """Whether ``instance`` meets a check constraint's condition, worked out in Python.

    Covers the simple lookups the models' constraints use; anything else raises
    KeyError, and the caller asks the database instead.
    """
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_holds(child, instance))
            continue
        lookup, expected = child
        name, _sep, lookup_name = lookup.partition("__")
        if isinstance(expected, F):
            expected = field_value(instance, expected.name)
        results.append(_LOOKUPS[lookup_name or "exact"](field_value(instance, name), expected))
    if condition.connector not in (Q.AND, Q.OR):
        raise KeyError(condition.connector)
    holds = all(results) if condition.connector == Q.AND else any(results)
    return holds != condition.negated


def validate_row(instance: models.Model, where: str) -> None:
    """Validate ``instance`` as ``full_clean(validate_unique=False)`` does, without queries.

    Relations are left out of field validation (the loader found every related row
    itself, so checking that each exists would cost a query a row), and the check
    constraints are evaluated in Python. Uniqueness is the natural keys' job.
    """
    relations = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    errors = {}
    try:
        instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        # As in full_clean, a field that already failed is not checked again.
        if _condition_fields(constraint.condition) & set(errors):
            continue
        try:
            if _holds(constraint.condition, instance):
                continue
            problem = ValidationError(
                constraint.get_violation_error_message(), code=constraint.violation_error_code
            )
        except (KeyError, TypeError, FieldDoesNotExist):
            try:
                constraint.validate(type(instance), instance)
                continue
            except ValidationError as error:
                problem = error
        errors = problem.update_error_dict(errors)
    if errors:
        details = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in ValidationError(errors).message_dict.items()
        )
        raise ContentError(f"{where}: {details}")
