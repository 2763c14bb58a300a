"""When each thing in the CASE packages last changed, read from the content's history.

Every content change writes a historical record (``competences.history``), so the latest
record of a row is its last change. ``change_dates()`` reads, in one query whatever the
size of the content or of its history (a ``UNION ALL`` of grouped reads, one per kind):

- ``competence:<code>``, ``standard:<reference>``, ``role:<slug>``, ``area:<slug>``,
  ``level:<number>``: the row's latest record;
- ``children:competence:<code>`` and ``children:document``: the latest record of any
  competence that sat under that parent (or at the top) before or after the change, so
  a child added, removed, moved in or out or re-ordered dates the numbering of the rest;
- ``requirements:role:<slug>``: the latest record of any of the role's requirements,
  removed ones included, which may renumber the others;
- ``latest:<app>.<model>``: the latest record of each content model, for the documents
  (every change raises the version they carry) and for what is numbered across a model.

Rows without records (content written behind the history's back) are simply absent, and
``interchange.case`` dates them at the framework's last change day.
"""

from datetime import UTC, datetime

from django.db import connection
from django.utils.dateparse import parse_datetime

from competences.models import Competence, Standard
from core.versioning import content_models
from roles.models import Area, Level, RoleCompetence, RoleProfile


def change_dates() -> dict[str, datetime]:
    """{key: when it last changed}, for the keys above that have any history."""
    parts = [
        _latest_per_row("competence", Competence, "code"),
        _latest_per_row("standard", Standard, "reference"),
        _latest_per_row("role", RoleProfile, "slug"),
        _latest_per_row("area", Area, "slug"),
        _latest_per_row("level", Level, "number"),
        _children(),
        _requirements(),
        *(_latest_of(model) for model in content_models()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        rows = cursor.fetchall()
    return {key: _moment(when) for key, when in rows if key is not None and when is not None}


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _history(model) -> str:
    return _q(model.history.model._meta.db_table)


def _latest_per_row(prefix: str, model, field: str) -> str:
    """The latest record of each live row, keyed on its natural key as it is now."""
    return (
        f"SELECT '{prefix}:' || CAST(live.{_q(field)} AS TEXT), MAX(record.history_date) "
        f"FROM {_history(model)} record JOIN {_table(model)} live ON live.id = record.id "
        f"GROUP BY live.{_q(field)}"
    )


def _children() -> str:
    """When each parent's children last changed. A record touches the parent it names
    and the one its item's previous record named (a move out of a parent renumbers the
    children left behind). 0 stands for the top of the tree, -1 for no previous record."""
    history = _history(Competence)
    return (
        "SELECT CASE WHEN touched.parent = 0 THEN 'children:document' "
        "ELSE 'children:competence:' || parent.code END, MAX(touched.history_date) "
        "FROM ("
        f"SELECT COALESCE(parent_id, 0) AS parent, history_date FROM {history} "
        "UNION ALL "
        "SELECT LAG(COALESCE(parent_id, 0), 1, -1) OVER "
        f"(PARTITION BY id ORDER BY history_date, history_id), history_date FROM {history}"
        f") touched LEFT JOIN {_table(Competence)} parent ON parent.id = touched.parent "
        "WHERE touched.parent = 0 OR parent.id IS NOT NULL "
        "GROUP BY touched.parent, parent.code"
    )


def _requirements() -> str:
    return (
        "SELECT 'requirements:role:' || role.slug, MAX(record.history_date) "
        f"FROM {_history(RoleCompetence)} record "
        f"JOIN {_table(RoleProfile)} role ON role.id = record.role_id "
        "GROUP BY role.slug"
    )


def _latest_of(model) -> str:
    return f"SELECT 'latest:{model._meta.label_lower}', MAX(history_date) FROM {_history(model)}"


def _moment(value) -> datetime:
    """A timestamp as the database hands back an aggregate: a datetime (PostgreSQL) or
    the text SQLite stores, which is UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
