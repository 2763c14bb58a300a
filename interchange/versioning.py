"""Raising the framework version whenever the content changes.

Every content model's saves and deletes (and changes to its many-to-many links) mark
the surrounding transaction; when it commits, the version rises once and the date of
the last change becomes today. Loads and imports do their own bookkeeping: inside
``recorded_by_caller()`` the signals do nothing, and the caller sets the version.
"""

import threading
from contextlib import contextmanager

from django.apps import apps
from django.db import connection, transaction
from django.db.models import F, signals
from django.utils import timezone

from .models import FrameworkVersion

CONTENT_MODELS = (
    "roles.Area",
    "roles.Level",
    "roles.RoleProfile",
    "roles.RoleCompetence",
    "competences.Competence",
    "competences.Standard",
    "competences.LearningOpportunity",
    "pathways.Progression",
    "pathways.ProgressionDrop",
)

_state = threading.local()


def current() -> FrameworkVersion:
    """The version row, created at version 0 the first time it is asked for."""
    version, _created = FrameworkVersion.objects.get_or_create(pk=1)
    return version


def set_version(*, number: int, last_changed) -> None:
    FrameworkVersion.objects.update_or_create(
        pk=1, defaults={"number": number, "last_changed": last_changed}
    )


def raise_version() -> FrameworkVersion:
    """Add one to the version and date the change today; returns the new version."""
    today = timezone.localdate()
    updated = FrameworkVersion.objects.filter(pk=1).update(
        number=F("number") + 1, last_changed=today
    )
    if not updated:
        FrameworkVersion.objects.get_or_create(pk=1, defaults={"number": 1, "last_changed": today})
    return current()


@contextmanager
def recorded_by_caller():
    """Inside this block content writes leave the version to the caller."""
    previous = getattr(_state, "suspended", False)
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = previous


def _content_changed(sender, **kwargs) -> None:
    if getattr(_state, "suspended", False):
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    # One rise per transaction, however many rows it writes: a rolled-back
    # transaction drops its pending callbacks, this one included.
    if connection.in_atomic_block:
        if not any(entry[1] is _raise_on_commit for entry in connection.run_on_commit):
            transaction.on_commit(_raise_on_commit)
    else:
        raise_version()


def _raise_on_commit() -> None:
    raise_version()


def connect_signals() -> None:
    for label in CONTENT_MODELS:
        model = apps.get_model(label)
        uid = f"framework-version-{label}"
        signals.post_save.connect(_content_changed, sender=model, dispatch_uid=uid + "-save")
        signals.post_delete.connect(_content_changed, sender=model, dispatch_uid=uid + "-delete")
        for m2m in model._meta.local_many_to_many:
            signals.m2m_changed.connect(
                _content_changed, sender=m2m.remote_field.through, dispatch_uid=f"{uid}-{m2m.name}"
            )
