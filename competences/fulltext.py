"""Full-text search vectors and their PostgreSQL-only indexes.

The search page filters on exactly these expressions, and each searchable model has a
GIN index on the same expression, so PostgreSQL can answer from the index. SQLite has
no GIN indexes: the index class emits no SQL there (and the migration operation that adds
it does nothing), so SQLite's table rebuilds, which re-create every index of a model, keep
working when a searchable model changes.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

SEARCH_CONFIG = "english"

# What each kind of item is searched on: (title-like fields, body fields).
ROLE_FIELDS = (("title", "code", "typical_job_titles"), ("purpose", "responsibilities"))
COMPETENCE_FIELDS = (("code", "title"), ("description", "knowledge", "skills"))
STANDARD_FIELDS = (("code", "title"), ("suite", "organisation"))


def search_vector(fields: tuple[tuple[str, ...], tuple[str, ...]]) -> SearchVector:
    """Title-like fields weighted A, body fields weighted B."""
    title_fields, body_fields = fields
    return SearchVector(*title_fields, weight="A", config=SEARCH_CONFIG) + SearchVector(
        *body_fields, weight="B", config=SEARCH_CONFIG
    )


class PostgresGinIndex(GinIndex):
    """A GIN index on PostgreSQL; nothing at all on other databases."""

    NOTHING = "-- full-text indexes exist on PostgreSQL only"

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return self.NOTHING
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return self.NOTHING
        return super().remove_sql(model, schema_editor, **kwargs)


def search_index(fields, name: str) -> PostgresGinIndex:
    return PostgresGinIndex(search_vector(fields), name=name)


class AddIndexOnPostgres(migrations.AddIndex):
    """AddIndex that only touches the database on PostgreSQL (state changes everywhere)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
