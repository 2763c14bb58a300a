"""No log the project configures ever holds a self-assessment answer.

The answers travel in the page address, so the risk is any log line or error report
that records an address: the development server's request log, Django's request
warnings, and the error e-mails to admins.
"""

import io
import logging
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core import mail
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import RequestFactory
from django.urls import reverse

from core.log_filters import HideAssessmentAnswers
from roles.models import RoleProfile

pytestmark = pytest.mark.django_db

ANSWER_CODE = "COM.1.1"
SECRET = "partly"


def configured_handlers() -> list[logging.Handler]:
    """Every handler the settings attach to the root logger or a named logger."""
    names = set(settings.LOGGING["handlers"])
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in settings.LOGGING.get("loggers", {})
    ]
    handlers = [h for logger in loggers for h in logger.handlers if h.get_name() in names]
    assert {h.get_name() for h in handlers} == names, "every configured handler is in use"
    return handlers


def handlers_in_use() -> list[logging.Handler]:
    """Every handler a record from Django's loggers or the project's can reach
    (pytest's own capture handlers aside)."""
    names = ["django", "django.server", "django.request", *settings.LOGGING.get("loggers", {})]
    found = []
    for name in names:
        logger = logging.getLogger(name)
        while logger:
            found += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
            logger = logger.parent if logger.propagate else None
    return list(dict.fromkeys(found))


@contextmanager
def captured_logs():
    """Everything the stream handlers in use write, as one string."""
    out = io.StringIO()
    streams = [h for h in handlers_in_use() if isinstance(h, logging.StreamHandler)]
    previous = [h.setStream(out) for h in streams]
    try:
        yield out
    finally:
        for handler, stream in zip(streams, previous, strict=True):
            handler.setStream(stream)


@pytest.fixture
def address():
    role = RoleProfile.objects.filter(requirements__competence__code=ANSWER_CODE).first()
    query = urlencode({f"c-{ANSWER_CODE}": SECRET, "from": "reconnect-peer-support-worker"})
    return reverse("pathways:self-assessment-result", args=[role.slug]) + "?" + query


def assert_private(text: str, address: str) -> None:
    query = address.split("?", 1)[1]
    for private in (query, SECRET, ANSWER_CODE, "reconnect-peer-support-worker"):
        assert private not in text, f"{private!r} reached a log"


def test_every_handler_in_use_hides_answers():
    assert configured_handlers()
    for handler in handlers_in_use():
        assert any(isinstance(f, HideAssessmentAnswers) for f in handler.filters), handler


class _Connection:
    """What the development server's request handler needs to write its log line."""

    request = None

    def log_date_time_string(self):
        return "01/Jan/2030 00:00:00"


@pytest.mark.parametrize("status", ["200", "400", "500"])
def test_the_development_server_request_log_leaves_out_the_answers(address, status):
    requestline = f"GET {address} HTTP/1.1"
    with captured_logs() as out:
        WSGIRequestHandler.log_message(_Connection(), '"%s" %s %s', requestline, status, "1234")
    logged = out.getvalue()
    assert address.split("?")[0] in logged, "the page is still logged, without its query"
    assert_private(logged, address)


def test_django_request_warnings_leave_out_the_answers(client, address):
    tampered = address.replace(SECRET, "maybe") + "&c-NOT-A-CODE=partly"
    with captured_logs() as out:
        assert client.get(tampered).status_code == 400
        client.get(address.replace("/result/", "/sections/99/"))
    logged = out.getvalue()
    assert "Bad Request" in logged
    assert "maybe" not in logged
    assert_private(logged, address)


def test_error_emails_leave_out_the_answers(settings, address):
    settings.ADMINS = [("Admin", "admin@example.org")]
    request = RequestFactory().get(address)
    with captured_logs() as out:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.get_full_path(), extra={"request": request}
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert_private(message.subject + message.body + out.getvalue(), address)


def test_other_addresses_are_logged_unchanged():
    record = logging.LogRecord(
        "x", logging.INFO, "", 0, '"%s" %s', ("GET /search/?q=risk", "200"), None
    )
    assert HideAssessmentAnswers().filter(record)
    assert record.getMessage() == '"GET /search/?q=risk" 200'


@pytest.mark.parametrize(
    "address",
    [
        "/roles/liaison-and-diversion-practitioner/job-description/?employer=Secret+Trust",
        "/pathways/skill-mix/?area=court-healthcare&wte-x=Secret",
        "/pathways/team/?show=Secret",
    ],
)
def test_what_managers_enter_in_the_tools_is_left_out_too(address):
    requestline = f"GET {address} HTTP/1.1"
    with captured_logs() as out:
        WSGIRequestHandler.log_message(_Connection(), '"%s" %s %s', requestline, "200", "1")
    logged = out.getvalue()
    assert address.split("?")[0] in logged
    assert "Secret" not in logged
