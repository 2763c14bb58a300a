"""Applying a framework document to the database: the seed content, a JSON file or a workbook.

Every source is first read into one framework document (see ``interchange/sources.py``
and ``interchange/formats.py``); this module checks the whole document and then writes
it in one transaction. A bad document changes nothing, and the error names the entry and
the problem.

Loading works in bulk: each table is read once, every entry is checked in memory (field
validation and the models' check constraints, without a query per entry), and then only
new rows are inserted and only rows whose values differ are updated, so applying
unchanged content writes nothing and the number of queries does not grow with the
content. The competence tree is numbered once, in Python.

The seed load keeps what editors added and the files do not mention; an import of a
whole framework (``remove_missing``) removes it, so the database then holds exactly the
file's content.
"""

import datetime
import operator
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import F, Q

from competences.history import ADDED, CHANGED, REMOVED, history_bulk_record, history_paused
from competences.models import (
    PLACEMENT_RULE,
    Competence,
    Kind,
    LearningOpportunity,
    Standard,
    may_sit_under,
)
from competences.selectors import competence_tree_problems
from competences.services import TreeNode, competence_tree_load
from pathways.models import Progression, ProgressionDrop
from roles.models import Area, Level, Proficiency, RoleCompetence, RoleProfile

from . import versioning
from .document import ROLE_TEXT_FIELDS
from .errors import ContentError
from .sources import FIXTURES_DIR, read_seed

__all__ = ["ContentError", "FIXTURES_DIR", "framework_apply", "framework_load"]

BATCH_SIZE = 500
ENTITIES = (
    "areas",
    "levels",
    "standards",
    "competences",
    "learning",
    "roles",
    "progressions",
)
OUTCOMES = {"created": "added", "updated": "changed", "removed": "removed"}
Locate = Callable[[str, int], str]


@dataclass
class Change:
    """One entry that a load adds, changes or removes, with each changed field's values."""

    kind: str
    key: str
    outcome: str  # "added", "changed" or "removed"
    fields: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class LoadReport:
    """What a load created, updated, removed or left as it was, kind by kind."""

    counts: dict[str, Counter] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    _index: dict = field(default_factory=dict, repr=False)

    def add(self, kind: str, outcome: str, amount: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += amount

    def record(self, kind: str, key, outcome: str, fields=()) -> None:
        self.add(kind, outcome)
        change = Change(kind, _key_text(key), OUTCOMES[outcome], list(fields))
        self.changes.append(change)
        self._index[(kind, change.key)] = change

    def find(self, kind: str, key) -> Change | None:
        return self._index.get((kind, _key_text(key)))

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def by_kind(self) -> list[tuple[str, list[Change]]]:
        kinds: dict[str, list[Change]] = {}
        for change in self.changes:
            kinds.setdefault(change.kind, []).append(change)
        return list(kinds.items())

    def lines(self) -> list[str]:
        return [
            f"{kind}: {sum(c.values()) - c['removed']} ({c['created']} created, "
            f"{c['updated']} updated, {c['unchanged']} unchanged, {c['removed']} removed)"
            for kind, c in self.counts.items()
        ]


def _key_text(key) -> str:
    if isinstance(key, tuple):
        return " ".join(str(part) for part in key)
    return str(key)


def _display(value) -> str:
    """A stored or new value as a person reading a preview would recognise it."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        for name in ("slug", "number", "code", "reference", "title"):
            if hasattr(value, name):
                return str(getattr(value, name))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (set, list, tuple)):
        return " ".join(sorted(str(item) for item in value))
    return str(value)


@contextmanager
def _entry(where: str):
    """Turn a malformed entry's KeyError or TypeError into a ContentError naming it."""
    try:
        yield
    except ContentError:
        raise
    except KeyError as error:
        raise ContentError(f"{where}: {error.args[0]!r} is missing") from error
    except (TypeError, ValueError, AttributeError) as error:
        raise ContentError(f"{where}: {error}") from error


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


def _field_value(instance: models.Model, name: str):
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
            expected = _field_value(instance, expected.name)
        results.append(_LOOKUPS[lookup_name or "exact"](_field_value(instance, name), expected))
    if condition.connector not in (Q.AND, Q.OR):
        raise KeyError(condition.connector)
    holds = all(results) if condition.connector == Q.AND else any(results)
    return holds != condition.negated


def _validate(instance: models.Model, where: str) -> None:
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


def _differs(instance: models.Model, name: str, value) -> bool:
    if isinstance(value, models.Model):
        # Compare related rows by key, so that an unfetched relation costs no query.
        return _field_value(instance, name) != value.pk
    return getattr(instance, name) != value


class _Table:
    """One model's stored rows, read once and kept by natural key, and what a load changes.

    ``upsert`` and ``remove`` work in memory; ``write`` then inserts and updates only the
    differences from what was read, in bulk, and ``delete_removed`` deletes the rows
    that were removed.
    """

    def __init__(self, model, rows, key, fields: list[str]):
        self.model = model
        self.fields = fields
        self.attnames = [model._meta.get_field(name).attname for name in fields]
        self.rows = {key(row): row for row in rows}
        self.stored = {row.pk: self._values(row) for row in self.rows.values()}
        self.seen: set = set()
        self.written: tuple[list, list] = ([], [])

    def _values(self, row) -> tuple:
        return tuple(getattr(row, name) for name in self.attnames)

    def upsert(self, report: LoadReport, kind: str, key, lookup: dict, values: dict, where: str):
        """Create or update the row matched on ``key``; validate it unless unchanged."""
        instance = self.rows.get(key)
        changes = []
        if instance is None:
            instance = self.model(**lookup, **values)
            outcome = "created"
        else:
            changes = [
                (name, _display(getattr(instance, name)), _display(value))
                for name, value in values.items()
                if _differs(instance, name, value)
            ]
            for name, value in {**lookup, **values}.items():
                setattr(instance, name, value)
            outcome = "updated" if changes else "unchanged"
        if outcome != "unchanged":
            _validate(instance, where)
            report.record(kind, key, outcome, changes)
        else:
            report.add(kind, outcome)
        self.rows[key] = instance
        self.seen.add(key)
        return instance

    def remove(self, key) -> None:
        del self.rows[key]

    def prune(self, report: LoadReport, kind: str) -> list:
        """Remove every row the load did not mention; returns the removed rows."""
        gone = [key for key in self.rows if key not in self.seen]
        removed = []
        for key in gone:
            removed.append(self.rows.pop(key))
            report.record(kind, key, "removed")
        return removed

    def delete_removed(self) -> None:
        kept = {row.pk for row in self.rows.values()}
        gone = [pk for pk in self.stored if pk not in kept]
        if gone:
            _delete_recorded(self.model.objects.filter(pk__in=gone))
        self.stored = {pk: values for pk, values in self.stored.items() if pk in kept}

    def write(self, *, record: bool = True) -> None:
        """Insert and update in bulk; with ``record`` false, ``record_history`` comes later
        (once the rows' many-to-many links are written, so the records hold them)."""
        new = [row for row in self.rows.values() if row.pk is None]
        if new:
            self.model.objects.bulk_create(new, batch_size=BATCH_SIZE)
        changed = [
            row
            for row in self.rows.values()
            if row.pk in self.stored and self._values(row) != self.stored[row.pk]
        ]
        if changed:
            self.model.objects.bulk_update(changed, self.fields, batch_size=BATCH_SIZE)
        # Rows removed but not yet deleted stay in ``stored`` for ``delete_removed``.
        self.stored.update({row.pk: self._values(row) for row in self.rows.values()})
        self.written = (new, changed)
        if record:
            self.record_history()

    def record_history(self, relinked: set[int] = frozenset()) -> None:
        """History for the last ``write``, and for the rows in ``relinked`` (by key) whose
        links alone changed."""
        new, changed = self.written
        added = {row.pk for row in new}
        changed = {row.pk: row for row in changed}
        for row in self.rows.values():
            if row.pk in relinked and row.pk not in added:
                changed[row.pk] = row
        history_bulk_record(self.model, new, ADDED)
        history_bulk_record(self.model, list(changed.values()), CHANGED)
        self.written = ([], [])

    def save(self) -> None:
        self.delete_removed()
        self.write()


def _links(relation) -> dict[int, set[int]]:
    through = relation.through
    source = f"{relation.field.m2m_field_name()}_id"
    target = f"{relation.field.m2m_reverse_field_name()}_id"
    links: dict[int, set[int]] = {}
    for owner, item in through.objects.values_list(source, target):
        links.setdefault(owner, set()).add(item)
    return links


def _delete_recorded(queryset) -> None:
    """Delete the rows, recording their removal in history in bulk, not row by row."""
    rows = list(queryset)
    history_bulk_record(queryset.model, rows, REMOVED)
    with history_paused():
        queryset.model.objects.filter(pk__in=[row.pk for row in rows]).delete()


def _set_links(relation, wanted: dict[int, set[int]]) -> set[int]:
    """Make each owner's many-to-many links exactly ``wanted[owner]``, writing only changes.

    ``relation`` is the many-to-many descriptor (such as ``RoleProfile.areas``); owners
    missing from ``wanted`` keep their links. Returns the owners whose links changed.
    """
    through = relation.through
    source = f"{relation.field.m2m_field_name()}_id"
    target = f"{relation.field.m2m_reverse_field_name()}_id"
    current = {(s, t): pk for pk, s, t in through.objects.values_list("pk", source, target)}
    links = {(owner, item) for owner, items in wanted.items() for item in items}
    gone = [pk for link, pk in current.items() if link[0] in wanted and link not in links]
    if gone:
        through.objects.filter(pk__in=gone).delete()
    added = sorted(links - current.keys())
    if added:
        through.objects.bulk_create(
            [through(**{source: owner, target: item}) for owner, item in added],
            batch_size=BATCH_SIZE,
        )
    removed = set(gone)
    return {link[0] for link, pk in current.items() if pk in removed} | {
        owner for owner, _item in added
    }


def _note_link_changes(report, kind, key, name, before: set, after: set) -> None:
    """Report a changed set of links as a change of the owner's ``name`` field."""
    if before == after:
        return
    change = report.find(kind, key)
    if change is None:
        report.counts.setdefault(kind, Counter())["unchanged"] -= 1
        report.record(kind, key, "updated")
        change = report.find(kind, key)
    if change.outcome != "added":
        change.fields.append((name, _display(before), _display(after)))


def _entries(document: dict, entity: str) -> list:
    entries = document.get(entity)
    if entries is None:
        entries = []
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ContentError(f"{entity}: expected a list of entries")
    return entries


def _unique(entries: list, entity: str, key, label: str, locate: Locate, show=_key_text) -> None:
    """Refuse two entries of one kind that share a natural key, naming both."""
    first: dict = {}
    for index, entry in enumerate(entries):
        with _entry(locate(entity, index)):
            value = key(entry)
            if value in first:
                raise ContentError(
                    f"{locate(entity, index)}: {label} {show(value)!r} is already used by "
                    f"{locate(entity, first[value])}"
                )
            first[value] = index


def _check_keys(document: dict, locate: Locate) -> None:
    _unique(_entries(document, "areas"), "areas", lambda e: e["slug"], "slug", locate)
    _unique(_entries(document, "levels"), "levels", lambda e: e["number"], "level", locate)
    standards = _entries(document, "standards")
    _unique(standards, "standards", lambda e: e["reference"], "reference", locate)
    _unique(
        standards,
        "standards",
        lambda e: (e["code"], e["suite"]),
        "code and suite",
        locate,
        show=lambda pair: f"{pair[0]} in {pair[1]}",
    )
    _unique(_entries(document, "competences"), "competences", lambda e: e["code"], "code", locate)
    _unique(_entries(document, "learning"), "learning", lambda e: e["title"], "title", locate)
    roles = _entries(document, "roles")
    _unique(roles, "roles", lambda e: e["slug"], "slug", locate)
    _unique(roles, "roles", lambda e: e["title"], "title", locate)
    _unique(
        _entries(document, "progressions"),
        "progressions",
        lambda e: (e["from"], e["to"]),
        "the move",
        locate,
        show=lambda pair: f"{pair[0]} to {pair[1]}",
    )


# --- Reference data ----------------------------------------------------------------


def _load_reference_data(document, report, locate, remove_missing) -> tuple:
    """Areas, levels and standards, by slug, number and reference, with their tables."""
    areas = _Table(
        Area,
        Area.objects.all(),
        lambda area: area.slug,
        ["name", "short_name", "summary", "description", "position"],
    )
    for index, item in enumerate(_entries(document, "areas")):
        where = locate("areas", index)
        with _entry(where):
            areas.upsert(
                report,
                "Areas",
                item["slug"],
                {"slug": item["slug"]},
                {
                    "name": item["name"],
                    "short_name": item["short_name"],
                    "summary": item["summary"],
                    "description": item.get("description", ""),
                    "position": item.get("position", 0),
                },
                where,
            )
    levels = _Table(
        Level,
        Level.objects.all(),
        lambda level: level.number,
        ["name", "descriptor", "indicative_band"],
    )
    for index, item in enumerate(_entries(document, "levels")):
        where = locate("levels", index)
        with _entry(where):
            levels.upsert(
                report,
                "Levels",
                item["number"],
                {"number": item["number"]},
                {
                    "name": item["name"],
                    "descriptor": item.get("descriptor", ""),
                    "indicative_band": item.get("indicative_band", ""),
                },
                where,
            )
    standards = _Table(
        Standard,
        Standard.objects.all(),
        lambda standard: standard.reference,
        ["code", "suite", "title", "organisation", "url", "status"],
    )
    for index, item in enumerate(_entries(document, "standards")):
        where = locate("standards", index)
        with _entry(where):
            standards.upsert(
                report,
                "Standards",
                item["reference"],
                {"reference": item["reference"]},
                {
                    "code": item["code"],
                    "suite": item["suite"],
                    "title": item["title"],
                    "organisation": item["organisation"],
                    "url": item.get("url") or "",
                    "status": item.get("status", "current"),
                },
                where,
            )
    if remove_missing:
        areas.prune(report, "Areas")
        levels.prune(report, "Levels")
        standards.prune(report, "Standards")
    for table in (areas, levels, standards):
        table.write()
    return areas, levels, standards


# --- The competence tree -----------------------------------------------------------


def _tree(entries: list, standards: dict, locate: Locate) -> list[TreeNode]:
    """Check the flat list of nodes and nest it; children keep the order they come in."""
    nodes: dict[str, TreeNode] = {}
    parents: dict[str, str | None] = {}
    where: dict[str, str] = {}
    for index, item in enumerate(entries):
        place = locate("competences", index)
        with _entry(place):
            code = str(item["code"])
            if item["kind"] not in Kind.values:
                raise ContentError(f"{place}: unknown kind {item['kind']!r}")
            missing = [ref for ref in item.get("standards") or [] if ref not in standards]
            if missing:
                raise ContentError(f"{place}: {code} links to unknown standards {missing}")
            nodes[code] = TreeNode(
                code=code,
                kind=item["kind"],
                title=item["title"],
                description=item.get("description", ""),
                knowledge=item.get("knowledge", ""),
                skills=item.get("skills", ""),
                standards=[standards[ref] for ref in item.get("standards") or []],
            )
            parents[code] = item.get("parent") or None
            where[code] = place
    roots = []
    for code, node in nodes.items():
        parent = parents[code]
        if parent is not None and parent not in nodes:
            raise ContentError(f"{where[code]}: {code}'s parent {parent!r} is not in the tree")
        if not may_sit_under(node.kind, nodes[parent].kind if parent else None):
            raise ContentError(f"{where[code]}: {code}: {PLACEMENT_RULE}")
        if parent is None:
            roots.append(node)
        else:
            nodes[parent].children.append(node)
    reached = set()

    def reach(node: TreeNode) -> None:
        reached.add(node.code)
        for child in node.children:
            reach(child)

    for root in roots:
        reach(root)
    looped = [code for code in nodes if code not in reached]
    if looped:
        # Follow parents from a node that never reaches a section until one repeats.
        path = [looped[0]]
        while parents[path[-1]] not in path:
            path.append(parents[path[-1]])
        cycle = path[path.index(parents[path[-1]]) :]
        raise ContentError(
            f"{where[cycle[0]]}: the parents of {' and '.join(cycle)} form a cycle "
            f"({' → '.join([*cycle, cycle[0]])}), so they never reach a section"
        )
    if not roots:
        raise ContentError("competences: the tree has no sections")
    return roots


def _record_tree_changes(report, entries: list, remove_missing: bool) -> list[int]:
    """Report each node's changes against what is stored; returns the nodes to remove."""
    stored = {
        row["code"]: row
        for row in Competence.objects.values(
            "pk", "code", "kind", "title", "description", "knowledge", "skills", "parent__code"
        )
    }
    linked: dict[str, set] = {}
    for code, reference in Competence.standards.through.objects.values_list(
        "competence__code", "standard__reference"
    ):
        linked.setdefault(code, set()).add(reference)
    given = set()
    for item in entries:
        code = str(item["code"])
        given.add(code)
        row = stored.get(code)
        if row is None:
            report.record("Competences", code, "created")
            continue
        changes = [
            (name, row[name], item.get(name, ""))
            for name in ("kind", "title", "description", "knowledge", "skills")
            if row[name] != item.get(name, "")
        ]
        if (row["parent__code"] or None) != (item.get("parent") or None):
            changes.append(("parent", row["parent__code"] or "", item.get("parent") or ""))
        before, after = linked.get(code, set()), set(item.get("standards") or [])
        if before != after:
            changes.append(("standards", _display(before), _display(after)))
        if changes:
            report.record("Competences", code, "updated", changes)
        else:
            report.add("Competences", "unchanged")
    gone = []
    if remove_missing:
        for code, row in stored.items():
            if code not in given:
                report.record("Competences", code, "removed")
                gone.append(row["pk"])
    return gone


def _delete_nodes(pks: list[int]) -> None:
    """Delete nodes deepest first: a node's parent link protects it from a blind delete."""
    if not pks:
        return
    rows = Competence.objects.filter(pk__in=pks).values_list("pk", "level")
    for depth in sorted({level for _pk, level in rows}, reverse=True):
        _delete_recorded(
            Competence.objects.filter(pk__in=[pk for pk, level in rows if level == depth])
        )


def _load_learning(document, report, locate, competences: dict, remove_missing) -> _Table:
    learning = _Table(
        LearningOpportunity,
        LearningOpportunity.objects.all(),
        lambda item: item.title,
        ["kind", "level", "provider", "url", "description"],
    )
    codes = {competence.pk: code for code, competence in competences.items()}
    before = {
        pk: {codes.get(item) for item in items}
        for pk, items in _links(LearningOpportunity.competences).items()
    }
    links = {}
    for index, item in enumerate(_entries(document, "learning")):
        where = locate("learning", index)
        with _entry(where):
            opportunity = learning.upsert(
                report,
                "Learning opportunities",
                item["title"],
                {"title": item["title"]},
                {
                    "kind": item["kind"],
                    # Blank means the learning suits every level.
                    "level": item.get("level") or None,
                    "provider": item.get("provider", ""),
                    "url": item.get("url", ""),
                    "description": item.get("description", ""),
                },
                where,
            )
            wanted = list(item.get("competences") or [])
        unknown = [code for code in wanted if code not in competences]
        if unknown:
            raise ContentError(f"{where}: unknown competences {unknown}")
        links[item["title"]] = (opportunity, wanted)
    if remove_missing:
        learning.prune(report, "Learning opportunities")
    learning.write(record=False)
    for title, (opportunity, wanted) in links.items():
        _note_link_changes(
            report,
            "Learning opportunities",
            title,
            "competences",
            before.get(opportunity.pk, set()),
            set(wanted),
        )
    relinked = _set_links(
        LearningOpportunity.competences,
        {
            opportunity.pk: {competences[code].pk for code in wanted}
            for opportunity, wanted in links.values()
        },
    )
    learning.record_history(relinked)
    return learning


# --- Roles and moves ---------------------------------------------------------------


class _Roles:
    """The role profiles, their areas and their requirements while a load works on them."""

    def __init__(self, competences: dict):
        self.competences = competences
        self.roles = _Table(
            RoleProfile,
            RoleProfile.objects.select_related("level"),
            lambda role: role.slug,
            ["title", "code", "level", *ROLE_TEXT_FIELDS],
        )
        self.slugs = slugs = {role.pk: slug for slug, role in self.roles.rows.items()}
        codes = {competence.pk: code for code, competence in competences.items()}
        self.requirements = _Table(
            RoleCompetence,
            RoleCompetence.objects.all(),
            lambda need: (slugs[need.role_id], codes[need.competence_id]),
            ["proficiency", "requirement"],
        )
        # What each role needs, by competence code, kept up to date as entries are read.
        self.needs: dict[str, dict[str, RoleCompetence]] = {}
        for (slug, code), need in self.requirements.rows.items():
            self.needs.setdefault(slug, {})[code] = need
        self.stored_areas = {
            slugs[role]: areas for role, areas in _links(RoleProfile.areas).items() if role in slugs
        }
        self.areas: dict[str, tuple] = {}

    def load(self, item: dict, where: str, report: LoadReport, areas: dict, levels: dict) -> None:
        try:
            level = levels[int(item["level"])]
        except (KeyError, TypeError, ValueError):
            raise ContentError(f"{where}: unknown level {item.get('level')!r}") from None
        slug = item["slug"]
        role = self.roles.upsert(
            report,
            "Role profiles",
            slug,
            {"slug": slug},
            {
                "title": item["title"],
                "code": item["code"],
                "level": level,
                "purpose": item.get("purpose", ""),
                "responsibilities": item.get("responsibilities", ""),
                "entry_requirements": item.get("entry_requirements", ""),
                "education_and_training": item.get("education_and_training", ""),
                "continuing_development": item.get("continuing_development", ""),
                "typical_job_titles": item.get("typical_job_titles", ""),
                "indicative_band": str(item.get("indicative_band") or ""),
                "lived_experience_route": bool(item.get("lived_experience_route", False)),
                "lived_experience_text": item.get("lived_experience_text", ""),
                "registered_profession": bool(item.get("registered_profession", False)),
            },
            where,
        )
        named = list(item.get("areas") or [])
        unknown = [name for name in named if name not in areas]
        if unknown or not named:
            raise ContentError(f"{where}: unknown or missing areas {unknown or named}")
        found = [areas[name] for name in dict.fromkeys(named)]
        self.areas[slug] = (role, found)
        linked = self.stored_areas.get(slug, set())
        before = {area.slug for area in areas.values() if area.pk in linked}
        if role.pk is not None:
            _note_link_changes(report, "Role profiles", slug, "areas", before, set(named))

        wanted = {}
        for requirement in item.get("competences") or []:
            if not isinstance(requirement, dict):
                raise ContentError(f"{where}: each competence needs a code and a proficiency")
            code = requirement.get("code")
            competence = self.competences.get(code)
            if competence is None or competence.kind != Kind.STATEMENT:
                raise ContentError(f"{where}: {code!r} is not a competence statement in the tree")
            if code in wanted:
                raise ContentError(f"{where}: {code} is listed twice")
            try:
                proficiency = Proficiency[str(requirement.get("proficiency", "working")).upper()]
            except KeyError as error:
                raise ContentError(
                    f"{where}: {code} has unknown proficiency {requirement.get('proficiency')!r}"
                ) from error
            wanted[code] = (proficiency, requirement.get("requirement", "essential"))
        current = self.needs.setdefault(slug, {})
        for code in list(current):
            if code not in wanted:
                self.requirements.remove((slug, code))
                del current[code]
                report.record("Role competences", (slug, code), "removed")
        for code, (proficiency, requirement) in wanted.items():
            current[code] = self.requirements.upsert(
                report,
                "Role competences",
                (slug, code),
                {"role": role, "competence": self.competences[code]},
                {"proficiency": proficiency, "requirement": requirement},
                f"{where}, competence {code}",
            )

    def prune(self, report: LoadReport) -> None:
        for role in self.roles.prune(report, "Role profiles"):
            for code in list(self.needs.pop(role.slug, {})):
                self.requirements.remove((role.slug, code))

    def write(self) -> None:
        self.roles.write(record=False)
        relinked = _set_links(
            RoleProfile.areas,
            {role.pk: {area.pk for area in found} for role, found in self.areas.values()},
        )
        self.roles.record_history(relinked)
        self.requirements.save()


class _Moves:
    """The moves between roles and what each move drops, while a load works on them."""

    def __init__(self, roles: _Roles):
        self.roles = roles
        by_pk = roles.slugs
        self.moves = _Table(
            Progression,
            Progression.objects.all(),
            lambda move: (by_pk[move.from_role_id], by_pk[move.to_role_id]),
            ["kind", "note"],
        )
        codes = {competence.pk: code for code, competence in roles.competences.items()}
        pairs = {move.pk: key for key, move in self.moves.rows.items()}
        self.drops = _Table(
            ProgressionDrop,
            ProgressionDrop.objects.all(),
            lambda drop: (*pairs[drop.progression_id], codes[drop.competence_id]),
            ["reason"],
        )

    def load(self, item: dict, where: str, report: LoadReport) -> None:
        by_slug = self.roles.roles.rows
        for end in ("from", "to"):
            if item.get(end) not in by_slug:
                raise ContentError(f"{where}: unknown role {item.get(end)!r}")
        pair = (item["from"], item["to"])
        move = self.moves.upsert(
            report,
            "Progressions",
            pair,
            {"from_role": by_slug[item["from"]], "to_role": by_slug[item["to"]]},
            {"kind": item["kind"], "note": item.get("note", "")},
            where,
        )
        before = {key[2]: drop.reason for key, drop in self.drops.rows.items() if key[:2] == pair}
        self._load_drops(move, pair, item.get("drops") or [], where)
        after = {key[2]: drop.reason for key, drop in self.drops.rows.items() if key[:2] == pair}
        if before != after:
            # The drops belong to the move, as its note does.
            _note_link_changes(
                report,
                "Progressions",
                pair,
                "drops",
                {f"{code}: {reason}" for code, reason in before.items()},
                {f"{code}: {reason}" for code, reason in after.items()},
            )

    def _load_drops(self, move, pair: tuple, items: list, where: str) -> None:
        """Store why ``move`` leaves behind competences its starting role needs.

        A drop must name a competence the starting role needs as essential and the role
        the move leads to does not need, or needs less deeply; anything else is a content
        error, so a reason never outlives the gap it explains.
        """
        competences = self.roles.competences
        before = self.roles.needs.get(pair[0], {})
        after = {code: need.proficiency for code, need in self.roles.needs.get(pair[1], {}).items()}
        wanted = {}
        for drop in items:
            if not isinstance(drop, dict):
                raise ContentError(f"{where}: each drop needs a code and a reason")
            code, reason = drop.get("code"), drop.get("reason") or ""
            if code not in competences:
                raise ContentError(f"{where}: drops unknown competence {code!r}")
            if not reason:
                raise ContentError(f"{where}: the drop of {code} needs a reason")
            if code in wanted:
                raise ContentError(f"{where}: drops {code} twice")
            needed = before.get(code)
            if needed is None or not needed.is_essential:
                raise ContentError(
                    f"{where}: drops {code}, which {pair[0]} does not need as essential"
                )
            if after.get(code, 0) >= needed.proficiency:
                raise ContentError(
                    f"{where}: drops {code}, but {pair[1]} needs it at the same "
                    "proficiency or more, so nothing is dropped"
                )
            wanted[code] = reason
        stored = {key[2]: drop for key, drop in self.drops.rows.items() if key[:2] == pair}
        for code in stored:
            if code not in wanted:
                self.drops.remove((*pair, code))
        for code, reason in wanted.items():
            if code in stored and stored[code].reason == reason:
                continue
            drop = stored.get(code) or ProgressionDrop(
                progression=move, competence=competences[code]
            )
            drop.reason = reason
            _validate(drop, where)
            self.drops.rows[(*pair, code)] = drop

    def prune(self, report: LoadReport) -> None:
        self.moves.prune(report, "Progressions")
        kept = set(self.moves.rows)
        for key in [key for key in self.drops.rows if key[:2] not in kept]:
            self.drops.remove(key)

    def write(self) -> None:
        self.drops.delete_removed()
        self.moves.save()
        self.drops.write()


# --- The whole load ----------------------------------------------------------------

STEPS = (
    "Checking the file",
    "Areas, levels and standards",
    "Competence tree",
    "Learning",
    "Role profiles",
    "Moves between roles",
    "Removing what the file leaves out",
    "Checking the tree",
)


def _framework_version(document: dict) -> tuple[int, datetime.date | None]:
    block = document.get("framework")
    if not isinstance(block, dict):
        raise ContentError("framework: the file does not say which framework version it holds")
    number = block.get("version")
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise ContentError(f"framework.version: {number!r} is not a version number")
    changed = block.get("last_changed")
    if changed in (None, ""):
        return number, None
    try:
        return number, datetime.date.fromisoformat(str(changed))
    except ValueError:
        raise ContentError(f"framework.last_changed: {changed!r} is not a date") from None


def _default_locate(entity: str, index: int) -> str:
    return f"{entity}[{index}]"


def framework_apply(
    document: dict,
    *,
    remove_missing: bool,
    take_version: bool,
    dry_run: bool = False,
    locate: Locate | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadReport:
    """Make the stored framework match ``document``, in one transaction.

    Raises ContentError, with nothing written, when any entry is invalid; the message
    names the entry (through ``locate(entity, index)``) and the problem. With
    ``remove_missing`` entries the document leaves out are removed; with
    ``take_version`` the version and the date of the last change come from the
    document, otherwise the version rises by one when anything changed. With
    ``dry_run`` everything is done and reported, then rolled back.
    """
    if not isinstance(document, dict):
        raise ContentError("the file does not hold a framework document")
    locate = locate or getattr(document, "where", None) or _default_locate
    report = LoadReport()

    def step(number: int) -> None:
        if progress:
            progress(STEPS[number], number, len(STEPS))

    step(0)
    if take_version:
        version = _framework_version(document)
    _check_keys(document, locate)
    with transaction.atomic(), versioning.recorded_by_caller():
        step(1)
        areas, levels, standards = _load_reference_data(document, report, locate, remove_missing)
        by_number = {level.number: level for level in levels.rows.values()}

        step(2)
        entries = _entries(document, "competences")
        sections = _tree(entries, standards.rows, locate)
        gone_nodes = _record_tree_changes(report, entries, remove_missing)
        competence_tree_load(sections=sections, keep_others=not remove_missing)
        competences = {c.code: c for c in Competence.objects.all()}

        step(3)
        learning = _load_learning(document, report, locate, competences, remove_missing)

        step(4)
        roles = _Roles(competences)
        for index, item in enumerate(_entries(document, "roles")):
            where = locate("roles", index)
            with _entry(where):
                roles.load(item, where, report, areas.rows, by_number)
        if remove_missing:
            roles.prune(report)

        step(5)
        moves = _Moves(roles)
        roles.write()
        for index, item in enumerate(_entries(document, "progressions")):
            where = locate("progressions", index)
            with _entry(where):
                moves.load(item, where, report)
        if remove_missing:
            moves.prune(report)
        moves.write()

        step(6)
        roles.roles.delete_removed()
        learning.delete_removed()
        _delete_nodes(gone_nodes)
        for table in (standards, levels, areas):
            table.delete_removed()

        step(7)
        problems = competence_tree_problems()
        if problems:
            raise ContentError("the competence tree is corrupt: " + "; ".join(problems))
        if take_version:
            versioning.set_version(number=version[0], last_changed=version[1])
        elif report.changed:
            versioning.raise_version()
        if dry_run:
            transaction.set_rollback(True)
    return report


def framework_load(*, directory: Path = FIXTURES_DIR, dry_run: bool = False) -> LoadReport:
    """Load the seed content in ``directory``: add and update, never remove."""
    return framework_apply(
        read_seed(directory), remove_missing=False, take_version=False, dry_run=dry_run
    )


def framework_is_empty() -> bool:
    """True when no role profiles or competences are stored yet."""
    return not RoleProfile.objects.exists() and not Competence.objects.exists()
