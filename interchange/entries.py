"""Reading the entries of a framework document: where each one is, and its natural keys.

Every problem is a ContentError that names the entry (``Locate`` turns an entity and an
index into the place a person can find: a JSON path, or a sheet and row).
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import ContentError
from .load_report import key_text

Locate = Callable[[str, int], str]


# The problems found so far while ``every_problem`` is collecting them; None otherwise.
_found: ContextVar[list[str] | None] = ContextVar("entry_problems", default=None)
# Collecting stops here: a file this broken needs looking at as a whole.
MOST_PROBLEMS = 200


class TooManyProblems(Exception):
    """Raised to stop reading a file once ``MOST_PROBLEMS`` problems are found."""


@contextmanager
def every_problem():
    """Collect each entry's problem (``entry_errors``) instead of stopping at the first,
    so a file's problems can be reported together; yields the list they go into."""
    found: list[str] = []
    token = _found.set(found)
    try:
        yield found
    finally:
        _found.reset(token)


def _problem(message: str, cause: BaseException) -> None:
    found = _found.get()
    if found is None:
        if isinstance(cause, ContentError):
            raise cause
        raise ContentError(message) from cause
    found.append(message)
    if len(found) >= MOST_PROBLEMS:
        raise TooManyProblems


@contextmanager
def entry_errors(where: str):
    """Turn a malformed entry's KeyError or TypeError into a ContentError naming it.

    While ``every_problem`` collects, the problem is noted and the entry skipped, and
    the reading goes on to the next entry."""
    try:
        yield
    except ContentError as error:
        _problem(str(error), error)
    except KeyError as error:
        _problem(f"{where}: {error.args[0]!r} is missing", error)
    except (TypeError, ValueError, AttributeError) as error:
        _problem(f"{where}: {error}", error)


def entries_of(document: dict, entity: str) -> list:
    entries = document.get(entity)
    if entries is None:
        entries = []
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ContentError(f"{entity}: expected a list of entries")
    return entries


def _unique(entries: list, entity: str, key, label: str, locate: Locate, show=key_text) -> None:
    """Refuse two entries of one kind that share a natural key, naming both."""
    first: dict = {}
    for index, entry in enumerate(entries):
        with entry_errors(locate(entity, index)):
            value = key(entry)
            if value in first:
                raise ContentError(
                    f"{locate(entity, index)}: {label} {show(value)!r} is already used by "
                    f"{locate(entity, first[value])}"
                )
            first[value] = index


def check_keys(document: dict, locate: Locate) -> None:
    _unique(entries_of(document, "areas"), "areas", lambda e: e["slug"], "slug", locate)
    _unique(entries_of(document, "levels"), "levels", lambda e: e["number"], "level", locate)
    standards = entries_of(document, "standards")
    _unique(standards, "standards", lambda e: e["reference"], "reference", locate)
    _unique(
        standards,
        "standards",
        lambda e: (e["code"], e["suite"]),
        "code and suite",
        locate,
        show=lambda pair: f"{pair[0]} in {pair[1]}",
    )
    _unique(entries_of(document, "competences"), "competences", lambda e: e["code"], "code", locate)
    _unique(entries_of(document, "learning"), "learning", lambda e: e["title"], "title", locate)
    roles = entries_of(document, "roles")
    _unique(roles, "roles", lambda e: e["slug"], "slug", locate)
    _unique(roles, "roles", lambda e: e["title"], "title", locate)
    _unique(roles, "roles", lambda e: e["code"], "code", locate)
    _unique(
        entries_of(document, "progressions"),
        "progressions",
        lambda e: (e["from"], e["to"]),
        "the move",
        locate,
        show=lambda pair: f"{pair[0]} to {pair[1]}",
    )
