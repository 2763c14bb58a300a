"""Repeated failed admin sign-ins lock out that username from that client, and only that.

A locked-out attempt is refused before any password is hashed, so guessing cannot tie up
the server; the client's address is read correctly behind a trusted proxy, so one
person's lockout never spreads to everyone who comes through the same proxy.
"""

import re
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import get_hashers
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from core.lockout import client_address

pytestmark = pytest.mark.django_db

PASSWORD = "a long and correct passphrase"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    """A fast hasher: the lockout does not depend on which one is used, and Argon2's
    deliberate cost would make each failed sign-in here take a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


@pytest.fixture
def other_editor(django_user_model):
    return django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)


def sign_in(client, username="editor", password=PASSWORD, **request_meta):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        **request_meta,
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("admin:index")


def fail_until_locked(client, username="editor", **request_meta):
    """Sign in with a wrong password as many times as the limit allows; return the last."""
    for attempt in range(1, LIMIT + 1):
        response = sign_in(client, username, "wrong password", **request_meta)
        if attempt < LIMIT:
            assert response.status_code == 200, f"attempt {attempt} was refused early"
    return response


@pytest.fixture
def hashing(monkeypatch):
    """A record of every password hash worked out, by any configured hasher."""
    calls = []
    for hasher in get_hashers():
        for method in ("encode", "verify"):
            original = getattr(type(hasher), method)

            def spy(self, *args, _original=original, _method=method, **kwargs):
                calls.append(f"{self.algorithm}.{_method}")
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(type(hasher), method, spy)
    return calls


def test_the_configured_number_of_failures_locks_the_client_out(client, editor):
    response = fail_until_locked(client)
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE == 429
    response = sign_in(client)
    assert response.status_code == 429
    assert not signed_in(response)
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_still_let_the_person_sign_in(client, editor):
    for _ in range(LIMIT - 1):
        assert sign_in(client, password="wrong password").status_code == 200
    assert signed_in(sign_in(client))


def test_a_locked_out_attempt_hashes_no_password(client, editor, hashing):
    fail_until_locked(client)
    # The measurement sees hashing: every failure before the lockout hashed a password.
    assert len([call for call in hashing if call.endswith(".verify")]) == LIMIT
    hashing.clear()
    for password in (PASSWORD, "another guess"):
        assert sign_in(client, password=password).status_code == 429
    assert hashing == []


def test_the_lockout_page_says_how_long_to_wait_in_plain_words(client, editor):
    response = fail_until_locked(client)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == str(minutes * 60)
    assert re.search(r"<h1[^>]*>\s*Signing in is paused\s*</h1>", page)
    assert f"Wait {minutes} minutes, then try again." in page
    assert "<title>Signing in is paused" in page


class InlineCode(HTMLParser):
    """Collects inline scripts, style elements and style attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and "src" not in names:
            self.found.append("inline script")
        if tag == "style":
            self.found.append("style element")
        if "style" in names or any(name.startswith("on") for name in names):
            self.found.append(f"{tag} with inline style or handler")


def test_the_lockout_page_keeps_the_content_security_policy(client, editor):
    response = fail_until_locked(client)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.found == []


def test_a_lockout_holds_one_username_from_one_address_only(client, editor, other_editor):
    fail_until_locked(client, REMOTE_ADDR="192.0.2.10")
    assert sign_in(client, REMOTE_ADDR="192.0.2.10").status_code == 429
    # The same person from another address, and another person from the same address.
    assert signed_in(sign_in(client, REMOTE_ADDR="192.0.2.11"))
    client.logout()
    assert signed_in(sign_in(client, "other", REMOTE_ADDR="192.0.2.10"))


def test_after_the_cool_off_the_person_can_sign_in_again(client, editor):
    fail_until_locked(client)
    assert sign_in(client).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert signed_in(sign_in(client))


def test_trying_during_the_lockout_starts_the_wait_again(client, editor):
    fail_until_locked(client)
    almost = settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - almost)
    assert sign_in(client).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))
    # The cool-off has passed since the failures that caused the lockout, not since the
    # last try.
    assert sign_in(client).status_code == 429


def test_behind_one_proxy_two_clients_are_locked_separately(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    fail_until_locked(client, **proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert sign_in(client, **proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert signed_in(sign_in(client, **proxy, HTTP_X_FORWARDED_FOR="198.51.100.8"))


@pytest.mark.parametrize(
    "forwarded_for",
    [
        "203.0.113.5, 198.51.100.7",
        "198.51.100.8, 198.51.100.7",
        "not an address, 198.51.100.7",
        "203.0.113.5,203.0.113.6 , 198.51.100.7",
    ],
)
def test_behind_one_proxy_a_made_up_forwarded_address_does_not_dodge_the_lockout(
    client, editor, settings, forwarded_for
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    fail_until_locked(client, **proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    # The client writes its own entries; the proxy appends the address it really saw.
    response = sign_in(client, **proxy, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert response.status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    fail_until_locked(client, REMOTE_ADDR="192.0.2.10")
    response = sign_in(client, REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", "198.51.100.7", "192.0.2.1"),
        (1, "10.0.0.1", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.1", "203.0.113.5, 198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.1", "2001:db8::1", "2001:db8::1"),
        (1, "10.0.0.1", None, "10.0.0.1"),
        (1, "10.0.0.1", "not an address", "10.0.0.1"),
        (2, "10.0.0.1", "203.0.113.5, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.1", "198.51.100.7", "10.0.0.1"),
    ],
)
def test_the_client_address_is_read_from_the_trusted_end_of_the_chain(
    settings, proxies, remote_addr, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_address(RequestFactory().post("/", **headers)) == expected


def read_settings(environment: dict) -> subprocess.CompletedProcess:
    code = (
        "from framework_site import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), "
        "s.TRUSTED_PROXY_COUNT)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "DJANGO_LOCAL": "1"} | environment,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


def test_the_limits_come_from_the_environment():
    assert read_settings({}).stdout.split() == ["5", "900", "0"]
    changed = read_settings(
        {
            "DJANGO_LOGIN_FAILURE_LIMIT": "3",
            "DJANGO_LOGIN_COOLOFF_MINUTES": "30",
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
        }
    )
    assert changed.stdout.split() == ["3", "1800", "1"]


def test_a_limit_that_is_not_a_number_stops_the_site_with_its_name():
    result = read_settings({"DJANGO_LOGIN_FAILURE_LIMIT": "five"})
    assert result.returncode != 0
    assert "DJANGO_LOGIN_FAILURE_LIMIT must be a whole number" in result.stderr
