"""Measuring what a page costs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    """Queries one GET of ``url`` makes, after a first GET has warmed any one-off caches."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


CONTENT_TABLES = [
    "roles_area",
    "roles_level",
    "roles_roleprofile",
    "roles_roleprofile_areas",
    "roles_rolecompetence",
    "competences_competence",
    "competences_competence_standards",
    "competences_standard",
    "competences_learningopportunity",
    "competences_learningopportunity_competences",
    "pathways_progression",
    "pathways_progressiondrop",
    "core_frameworkversion",
]


def content_row_counts() -> dict[str, int]:
    """Rows in every content table (and the version row), counted with plain SQL."""
    with connection.cursor() as cursor:
        counts = {}
        for table in CONTENT_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]
        return counts
