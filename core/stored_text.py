"""The one rule for text the content stores (``core.text``), applied by the models.

``SafeText`` goes first among a content model's bases. Its ``clean_fields`` (which the
admin's forms, the importer and the seed loader all call, through ``full_clean``) makes
line endings "\\n" and refuses characters that cannot be stored, naming the field; its
``save`` makes line endings "\\n" for code that saves without cleaning, and refuses the
rest with the same message.
"""

from django.core.exceptions import ValidationError
from django.db import models

from .text import normalised_stored, refusal_message, refused_character


def _text_fields(instance):
    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
            yield field, isinstance(field, models.TextField)


def normalise_text(instance) -> None:
    """Make the line endings of ``instance``'s text fields "\\n" (spaces on one line)."""
    for field, multiline in _text_fields(instance):
        value = getattr(instance, field.attname)
        if isinstance(value, str):
            setattr(instance, field.attname, normalised_stored(value, multiline=multiline))


def text_errors(instance, exclude=()) -> dict[str, list[str]]:
    """{field name: [message]} for each text field holding a character it may not."""
    errors = {}
    for field, _multiline in _text_fields(instance):
        if field.name in (exclude or ()):
            continue
        value = getattr(instance, field.attname)
        found = refused_character(value) if isinstance(value, str) else None
        if found:
            errors[field.name] = [refusal_message(str(field.verbose_name), found)]
    return errors


class SafeText:
    """Mixed into content models, before ``models.Model``."""

    def clean_fields(self, exclude=None):
        normalise_text(self)
        errors = text_errors(self, exclude)
        try:
            super().clean_fields(exclude=[*(exclude or ()), *errors])
        except ValidationError as error:
            errors = {**error.update_error_dict({}), **errors}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        normalise_text(self)
        errors = text_errors(self)
        if errors:
            raise ValidationError(errors)
        super().save(*args, **kwargs)
