"""Log records as JSON, one object per line, so a log collector needs no parsing rules.

Records about a request get the same fields whoever wrote them: gunicorn's access log
(one record per request, timed by gunicorn), Django's request warnings and errors, and
the development server's request lines. Those fields are ``method``, ``path``,
``status``, ``duration_ms`` and ``size`` where the writer knows them, and ``query`` only
for pages that ``core.privacy`` does not mark private: the query string of a
self-assessment, a workforce tool or an upload page holds what a person entered, and is
never written.

This module is loaded by gunicorn's master process as well as by Django; the private
pages are looked up in the URL configuration only when a record names one.
"""

import json
import logging
from datetime import UTC, datetime

from .log_filters import is_private, scrub


def _number(value):
    """An int from a log argument, or None for gunicorn's "-" and other non-numbers."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _address(path: str, query: str) -> dict:
    fields = {"path": path}
    if query and not is_private(path):
        fields["query"] = query
    return fields


def access_fields(args: dict) -> dict:
    """The request fields of a gunicorn access record, from gunicorn's atoms."""
    microseconds = _number(args.get("D"))
    return {
        "method": args.get("m"),
        **_address(args.get("U") or "", args.get("q") or ""),
        "status": _number(args.get("s")),
        "duration_ms": None if microseconds is None else round(microseconds / 1000, 1),
        "size": _number(args.get("B")),
    }


def django_fields(record: logging.LogRecord) -> dict:
    """The request fields of a record from Django's request or server loggers."""
    fields = {}
    request = getattr(record, "request", None)
    method = getattr(request, "method", None)
    if isinstance(method, str):  # an HttpRequest (django.request, django.security)
        fields = {"method": method, **_address(request.path, request.META.get("QUERY_STRING"))}
    elif hasattr(record, "request_path"):  # a private page's request, dropped by the filter
        fields = {"method": record.request_method, "path": record.request_path}
    elif record.name == "django.server" and isinstance(record.args, tuple) and record.args:
        # The development server logs '"%s" %s %s' % (request line, status, size).
        method, _space, rest = str(record.args[0]).partition(" ")
        target = rest.rsplit(" ", 1)[0]
        path, _mark, query = target.partition("?")
        fields = {"method": method, **_address(path, query)}
        if len(record.args) > 2:
            fields["size"] = _number(record.args[2])
    status = getattr(record, "status_code", None)
    if status is not None:
        fields["status"] = status
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, process, then
    the request fields, the message and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "process": record.process,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            # The request fields are the whole story; the message would repeat them.
            entry |= access_fields(record.args)
        else:
            entry |= django_fields(record)
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(entry, default=str)
