"""Keep what people enter out of every log.

Self-assessment answers, and what a manager or commissioner types into the workforce
tools (employer, location, a team's mix), travel in the page address, so any log line or
error report that holds the address would hold them. This filter, on every handler the
settings configure (the development server's request log included), removes the query
string of those addresses from messages and drops the request from records about those
pages, so an error e-mail cannot list them either.
"""

import logging
import re
from urllib.parse import urlsplit

from .public import declared_at

# A run of characters that can belong to an address in a log line. Each run is looked at
# once: one regex for "an address of a private page followed by a query" took time that
# grew with the square of a long address's length (64,000 characters took 13 seconds).
ADDRESS_LIKE = re.compile(r"[^\s\"']+")
REMOVED = "?[answers removed]"


def is_private(address: str) -> bool:
    """Whether the page at ``address`` (a path or a whole URL, perhaps with something
    before it) carries what a person entered in its query string: whether its view is
    declared private (``core.privacy``), the one place private pages are declared. When the
    address cannot be looked up (Django not set up yet), it is taken to be private."""
    path = urlsplit(address).path if "://" in address else address[address.find("/") :]
    if not path.startswith("/"):
        return False
    try:
        page = declared_at(path)
        return page is not None and page.private
    except Exception:  # noqa: BLE001 - a log line must never fail; hide rather than show
        return True


def _scrub_address(match: re.Match) -> str:
    pieces = match.group(0).split("?")
    for index, piece in enumerate(pieces[:-1]):
        if is_private(piece):
            return "?".join(pieces[: index + 1]) + REMOVED
    return match.group(0)


def scrub(value: str) -> str:
    """``value`` with the query string of every private page's address in it removed:
    everything after the first ``?`` that follows a private page's address part."""
    return ADDRESS_LIKE.sub(_scrub_address, value)


class HideAssessmentAnswers(logging.Filter):
    """Rewrites records in place; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                key: scrub(arg) if isinstance(arg, str) else arg for key, arg in record.args.items()
            }
        request = getattr(record, "request", None)
        if is_private(str(getattr(request, "path", ""))):
            # The page and method stay, for the JSON log's request fields.
            record.request_method = getattr(request, "method", None)
            record.request_path = request.path
            record.request = None
        return True
