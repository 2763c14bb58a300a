"""Small helpers shared by the tests."""

from django.db import connection


def sql(query: str, *params) -> list[tuple]:
    """The rows ``query`` returns, read with plain SQL rather than through the models
    under test; ``params`` fill its ``%s`` placeholders in order."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()
