"""Named write locks held until the surrounding transaction ends.

Two writers that each read, decide and then write must not interleave: the second
must read only once the first has committed. SQLite allows one writer at a time, and
the settings make every transaction take the write lock as it begins (IMMEDIATE), so a
transaction there is already alone from its first statement. PostgreSQL lets writers
run side by side, so each lock here is a transaction-scoped advisory lock, and what a
holder reads after taking it includes everything committed by the holder before.

Take a lock before reading what the write depends on, never after; and when one
transaction takes two, always in the order they are listed here (``EDITS`` before
``TREE``), so that no two transactions can each wait for the other.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

# Any constants will do: each names a lock, and only the code that takes it knows it.
# Every save, delete or action an editor makes in the admin.
EDITS = 7_402_114
# Every write to the competence tree (competences.services).
TREE = 7_402_113

# SQLite transactions that hold the database's one write lock from their first statement.
WRITING_MODES = ("IMMEDIATE", "EXCLUSIVE")


def hold(lock: int) -> None:
    """Hold ``lock`` until the transaction open on the default connection ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("A write lock is held by a transaction: open one first.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
    elif connection.vendor == "sqlite":
        # A transaction that began as a reader keeps reading the database as it was
        # then, and cannot wait for the write lock later; refuse rather than risk it.
        if getattr(connection, "transaction_mode", None) not in WRITING_MODES:
            raise ImproperlyConfigured(
                "SQLite must begin every transaction with the write lock: set "
                "OPTIONS['transaction_mode'] to 'IMMEDIATE' (framework_site/settings.py)."
            )


@contextmanager
def holding(lock: int) -> Iterator[None]:
    """A transaction that holds ``lock`` from its start to its end."""
    with transaction.atomic():
        hold(lock)
        yield
