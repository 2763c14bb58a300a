"""Measuring what a page costs."""

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from core.models import FrameworkVersion
from core.versioning import content_models


def count_queries(client, url: str, *, warm: bool = True) -> int:
    """Queries one GET of ``url`` makes when the page is made afresh (the page and content
    caches off: a budget is what making the page costs), after a first GET has warmed
    what is kept per process. What is kept per process depends on the code alone, so a
    second count of the same address may leave the warming out (``warm=False``)."""
    afresh = settings.CACHES | {
        "content": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    }
    with override_settings(PAGE_CACHE=False, CACHES=afresh):
        if warm:
            client.get(url)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


def content_tables() -> list[str]:
    """Every content table (the content models' and their many-to-many links') and the
    version row's."""
    tables = []
    for model in content_models():
        tables.append(model._meta.db_table)
        tables += [
            field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many
        ]
    return [*tables, FrameworkVersion._meta.db_table]


def content_row_counts() -> dict[str, int]:
    """Rows in every content table (and the version row), counted with plain SQL."""
    with connection.cursor() as cursor:
        counts = {}
        for table in content_tables():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]
        return counts
