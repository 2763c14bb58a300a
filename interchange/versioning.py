"""Raising the framework version whenever the content changes.

Every content model's saves and deletes (and changes to its many-to-many links) mark
the surrounding transaction; when it commits, the version rises once and the date of
the last change becomes today. Loads and imports do their own bookkeeping: inside
``recorded_by_caller()`` the signals do nothing, and the caller sets the version.

Anything cached from the content (pages, exports) is keyed on ``generation()``, a
token in the shared cache that every committed change replaces with a new random one.
The version number cannot serve: an import may set it back to a number used before.
A token missing from the cache (a new cache, or one that culled it) is simply made
again, so a cache never serves what an earlier generation stored.
"""

import secrets
import threading
from contextlib import contextmanager

from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, signals
from django.utils import timezone
from mptt.signals import node_moved

from competences.services import tree_rebuilt

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
GENERATION_KEY = "framework:content-generation"


def generation() -> str:
    """The token naming the current content in every cache key made from it."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        # add() never replaces a token that a change has just set.
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        token = cache.get(GENERATION_KEY)
    return token


def _new_generation() -> None:
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    # Imported here: the builder reads every content app, which load after this one.
    from .kept_files import build_after_change

    build_after_change()


def content_changed() -> None:
    """Start a new cache generation once the surrounding transaction commits."""
    transaction.on_commit(_new_generation)


def current() -> FrameworkVersion:
    """The version row, created at version 0 the first time it is asked for."""
    version, _created = FrameworkVersion.objects.get_or_create(pk=1)
    return version


def set_version(*, number: int, last_changed) -> None:
    FrameworkVersion.objects.update_or_create(
        pk=1, defaults={"number": number, "last_changed": last_changed}
    )
    content_changed()


def raise_version() -> FrameworkVersion:
    """Add one to the version and date the change today; returns the new version."""
    today = timezone.localdate()
    updated = FrameworkVersion.objects.filter(pk=1).update(
        number=F("number") + 1, last_changed=today
    )
    if not updated:
        FrameworkVersion.objects.get_or_create(pk=1, defaults={"number": 1, "last_changed": today})
    content_changed()
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
    # One rise per transaction, however many rows it writes. A rolled-back
    # transaction drops its pending callback; one that has run clears the mark, so
    # the next change registers a new one.
    if connection.in_atomic_block:
        pending = getattr(connection, "_framework_version_pending", None)
        if pending is None or not any(entry[1] is pending for entry in connection.run_on_commit):

            def rise() -> None:
                connection._framework_version_pending = None
                raise_version()

            connection._framework_version_pending = rise
            transaction.on_commit(rise)
    else:
        raise_version()


def connect_signals() -> None:
    # Tree moves rewrite rows with queries of their own, not saves.
    node_moved.connect(_content_changed, dispatch_uid="framework-version-node-moved")
    tree_rebuilt.connect(_content_changed, dispatch_uid="framework-version-tree-rebuilt")
    for label in CONTENT_MODELS:
        model = apps.get_model(label)
        uid = f"framework-version-{label}"
        signals.post_save.connect(_content_changed, sender=model, dispatch_uid=uid + "-save")
        signals.post_delete.connect(_content_changed, sender=model, dispatch_uid=uid + "-delete")
        for m2m in model._meta.local_many_to_many:
            signals.m2m_changed.connect(
                _content_changed, sender=m2m.remote_field.through, dispatch_uid=f"{uid}-{m2m.name}"
            )
