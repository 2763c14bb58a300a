"""The audit history of the content: who changed what, and when.

Each content model declares ``history = ContentHistory(...)`` (django-simple-history),
which writes a historical record, a full copy of the row, after every save and delete,
and a snapshot of the row's many-to-many links with it. Bulk writes (the seed loader and
imports) bypass those signals, so they call ``history_bulk_record`` instead: one insert
for the records and one read and one insert per many-to-many field, however many rows
changed. Inside ``history_paused()`` the signals write nothing, for code that records
its own writes in bulk.

This module sits in the lowest app because every content app's models use it.
"""

import threading
from contextlib import contextmanager

from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_manager_for_model, get_m2m_reverse_field_name

BATCH_SIZE = 500
ADDED, CHANGED, REMOVED = "+", "~", "-"

_state = threading.local()


@contextmanager
def history_paused():
    """Inside this block saves and deletes write no history: the caller records them."""
    previous = getattr(_state, "paused", False)
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = previous


def _paused() -> bool:
    return getattr(_state, "paused", False)


class ContentHistory(HistoricalRecords):
    """Historical records that stand aside while a bulk writer records its own."""

    def post_save(self, instance, created, using=None, **kwargs):
        if not _paused():
            super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        if not _paused():
            super().post_delete(instance, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not _paused():
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)


def current_editor():
    """The signed-in user of the request being served, if any, for bulk records."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def history_bulk_record(model, rows, history_type: str, *, reason: str = "", user=None) -> None:
    """Write one historical record of ``history_type`` for each saved row, in bulk.

    The records copy the rows as they are in memory, which must be what is stored;
    each many-to-many field's links are read once for all the rows and copied beside
    their records. A removal must be recorded before the rows are deleted. The records
    name ``user``, or else the signed-in user of the request being served.
    """
    rows = [row for row in rows if row.pk is not None]
    if not rows:
        return
    history = get_history_manager_for_model(model).model
    when = timezone.now()
    user = user or current_editor()
    records = history.objects.bulk_create(
        [
            history(
                history_date=when,
                history_type=history_type,
                history_user=user,
                history_change_reason=reason or None,
                **{field.attname: getattr(row, field.attname) for field in history.tracked_fields},
            )
            for row in rows
        ],
        batch_size=BATCH_SIZE,
    )
    pk_name = model._meta.pk.attname
    record_of = {getattr(record, pk_name): record for record in records}
    for field in history._history_m2m_fields:
        snapshot_model = getattr(history, field.name).model
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = get_m2m_reverse_field_name(field)
        links = through.objects.filter(**{f"{source}__in": list(record_of)}).values_list(
            "pk", f"{source}_id", f"{target}_id"
        )
        snapshot_model.objects.bulk_create(
            [
                snapshot_model(
                    history=record_of[owner],
                    **{"id": pk, f"{source}_id": owner, f"{target}_id": item},
                )
                for pk, owner, item in links
            ],
            batch_size=BATCH_SIZE,
        )
