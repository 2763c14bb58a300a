"""The content version and the generation token every cache key names.

Every content model's saves and deletes, and changes to its many-to-many links, raise
the version once per transaction, in that transaction: the number rises by one, the day
of the last change becomes today and the generation becomes a new random token. Whoever
reads the new content therefore reads the new token, and anything cached under the old
one is never served again, on any worker or server. The token lives in the database, so
no cache eviction or outage can lose it.

The content models are the models that keep history (django-simple-history): a model
whose changes are worth auditing is content, and a new one is covered without a list
to keep by hand. Tree moves and rebuilds rewrite rows with queries of their own, so the
tree service calls ``content_changed()`` itself.

Loads and imports do their own bookkeeping: inside ``recorded_by_caller()`` the signals
do nothing, and the caller sets the version. Once a change commits, ``content_committed``
is sent, for whatever is built ahead from the content (the open data files).

The version row is read at most once per request (``VersionMiddleware``), by the page
cache, the context processor and the memo alike; outside a request each read asks the
database, so a command or a test always sees its own changes.
"""

import threading
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.db import connection, transaction
from django.db.models import F, signals
from django.dispatch import Signal
from django.utils import timezone
from mptt.signals import node_moved

from .models import FrameworkVersion, new_generation

# Sent once a transaction that changed the content has committed.
content_committed = Signal()

_state = threading.local()
# The version row read for the request being served; None outside a request.
_request_version: ContextVar[dict | None] = ContextVar("request_version", default=None)


def content_models(registry=apps) -> list:
    """Every model whose rows are content: the models that keep history, that is those
    with a ``Historical<Model>`` beside them (django-simple-history). ``registry`` may
    be a migration's historical app registry as well as the live one."""
    found = []
    for model in registry.get_models():
        meta = model._meta
        if meta.model_name.startswith("historical"):
            continue
        try:
            registry.get_model(meta.app_label, "historical" + meta.model_name)
        except LookupError:
            continue
        found.append(model)
    return found


def current() -> FrameworkVersion:
    """The version row, created at version 0 the first time it is asked for."""
    held = _request_version.get()
    if held is not None and "row" in held:
        return held["row"]
    version = _read_row()
    if version is None:
        version, _created = FrameworkVersion.objects.get_or_create(pk=1)
    if held is not None:
        held["row"] = version
    return version


def _read_row() -> FrameworkVersion | None:
    """The version row with one plain query: read on every request, where the ORM's own
    work would cost ten times the query's."""
    meta = FrameworkVersion._meta
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, last_changed, generation FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    number, last_changed, token = row
    # Each database hands the date back in its own way; the field reads it as the ORM would.
    last_changed = meta.get_field("last_changed").to_python(last_changed)
    return FrameworkVersion.from_db(
        connection.alias,
        ["id", "number", "last_changed", "generation"],
        (1, number, last_changed, token),
    )


def generation() -> str:
    """The token naming the current content in every cache key made from it."""
    return current().generation


def uncommitted_change() -> bool:
    """Whether the transaction open on this connection has changed the content and not
    yet committed: what is worked out now may hold half of a change that a later write
    in the same transaction completes, under a generation that stays the same."""
    pending = getattr(connection, "_framework_version_pending", None)
    return (
        pending is not None
        and connection.in_atomic_block
        and any(entry[1] is pending for entry in connection.run_on_commit)
    )


def _forget_request_version() -> None:
    held = _request_version.get()
    if held is not None:
        held.pop("row", None)


class VersionMiddleware:
    """Read the version row at most once per request, on first use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_version.set({})
        try:
            return self.get_response(request)
        finally:
            _request_version.reset(token)


def _committed() -> None:
    content_committed.send(sender=FrameworkVersion)


def set_version(*, number: int, last_changed) -> None:
    """Set the version (a load or an import that carries its own) and a new generation."""
    FrameworkVersion.objects.update_or_create(
        pk=1,
        defaults={"number": number, "last_changed": last_changed, "generation": new_generation()},
    )
    _forget_request_version()
    transaction.on_commit(_committed)


def raise_version() -> FrameworkVersion:
    """Add one to the version, date the change today and start a new generation."""
    today = timezone.localdate()
    updated = FrameworkVersion.objects.filter(pk=1).update(
        number=F("number") + 1, last_changed=today, generation=new_generation()
    )
    if not updated:
        FrameworkVersion.objects.get_or_create(pk=1, defaults={"number": 1, "last_changed": today})
    _forget_request_version()
    transaction.on_commit(_committed)
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


def content_changed(sender=None, **kwargs) -> None:
    """Raise the version once for the surrounding transaction (now, if there is none).

    Connected to every content model's signals; the tree service calls it after writes
    that send none. A rolled-back transaction (or savepoint) undoes the rise with the
    change, and drops the mark with its commit callbacks, so the next change raises again.
    """
    if getattr(_state, "suspended", False):
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    if connection.in_atomic_block:
        if uncommitted_change():
            return

        def done() -> None:
            connection._framework_version_pending = None

        connection._framework_version_pending = done
        transaction.on_commit(done)
    raise_version()


def connect_signals() -> None:
    """Listen to every content model (called once, when the apps are ready)."""
    node_moved.connect(content_changed, dispatch_uid="framework-version-node-moved")
    for model in content_models():
        uid = f"framework-version-{model._meta.label}"
        signals.post_save.connect(content_changed, sender=model, dispatch_uid=uid + "-save")
        signals.post_delete.connect(content_changed, sender=model, dispatch_uid=uid + "-delete")
        for m2m in model._meta.local_many_to_many:
            signals.m2m_changed.connect(
                content_changed,
                sender=m2m.remote_field.through,
                dispatch_uid=f"{uid}-{m2m.name}",
            )
