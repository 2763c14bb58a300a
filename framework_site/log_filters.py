"""Keep the self-assessment's answers out of every log.

Self-assessment answers travel in the page address, so any log line or error report
that holds the address would hold a person's answers. This filter, on every handler
the settings configure (the development server's request log included), removes the
query string of self-assessment addresses from messages and drops the request from
records about those pages, so an error e-mail cannot list the answers either.
"""

import logging
import re

# Any self-assessment address with a query string, as it appears in a log line.
PRIVATE_QUERY = re.compile(r"(/self-assessment/[^\s?\"']*)\?[^\s\"']*")
REMOVED = "?[answers removed]"


def _scrub(value):
    return PRIVATE_QUERY.sub(lambda match: match.group(1) + REMOVED, value)


class HideAssessmentAnswers(logging.Filter):
    """Rewrites records in place; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                key: _scrub(arg) if isinstance(arg, str) else arg
                for key, arg in record.args.items()
            }
        request = getattr(record, "request", None)
        if "/self-assessment/" in str(getattr(request, "path", "")):
            record.request = None
        return True
