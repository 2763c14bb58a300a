"""The bulk-upsert engine every loader writes through.

A ``Table`` reads one model's rows once, keyed by natural key, takes the load's
creates, updates and removals in memory, then writes only the differences in bulk and
records them in history in bulk. Many-to-many links are set the same way.
"""

from collections import Counter

from django.db import models

from competences.history import ADDED, CHANGED, REMOVED, history_bulk_record, history_paused

from .constraints import field_value, validate_row
from .load_report import LoadReport, shown_value

BATCH_SIZE = 500


def _differs(instance: models.Model, name: str, value) -> bool:
    if isinstance(value, models.Model):
        # Compare related rows by key, so that an unfetched relation costs no query.
        return field_value(instance, name) != value.pk
    return getattr(instance, name) != value


class Table:
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
                (name, shown_value(getattr(instance, name)), shown_value(value))
                for name, value in values.items()
                if _differs(instance, name, value)
            ]
            for name, value in {**lookup, **values}.items():
                setattr(instance, name, value)
            outcome = "updated" if changes else "unchanged"
        if outcome != "unchanged":
            validate_row(instance, where)
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
            delete_recorded(self.model.objects.filter(pk__in=gone))
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


def links_of(relation) -> dict[int, set[int]]:
    through = relation.through
    source = f"{relation.field.m2m_field_name()}_id"
    target = f"{relation.field.m2m_reverse_field_name()}_id"
    links: dict[int, set[int]] = {}
    for owner, item in through.objects.values_list(source, target):
        links.setdefault(owner, set()).add(item)
    return links


def delete_recorded(queryset) -> None:
    """Delete the rows, recording their removal in history in bulk, not row by row."""
    rows = list(queryset)
    history_bulk_record(queryset.model, rows, REMOVED)
    with history_paused():
        queryset.model.objects.filter(pk__in=[row.pk for row in rows]).delete()


def set_links(relation, wanted: dict[int, set[int]]) -> set[int]:
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


def note_link_changes(report, kind, key, name, before: set, after: set) -> None:
    """Report a changed set of links as a change of the owner's ``name`` field."""
    if before == after:
        return
    change = report.find(kind, key)
    if change is None:
        report.counts.setdefault(kind, Counter())["unchanged"] -= 1
        report.record(kind, key, "updated")
        change = report.find(kind, key)
    if change.outcome != "added":
        change.fields.append((name, shown_value(before), shown_value(after)))
