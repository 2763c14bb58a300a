"""The production configuration: what it refuses to start without, the real gunicorn that
`make serve` runs, its JSON request log, oversized requests, and the security headers on
every kind of response."""

import gzip
import http.client
import io
import json
import logging
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import brotli
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import path
from django.utils.html import escape

from core.checks import public_url_check
from core.serving import ONE_YEAR
from roles.models import Area
from tests.servers import changed_environment, gunicorn, shared_database

BASE_DIR = Path(settings.BASE_DIR)
ROLE = "liaison-and-diversion-practitioner"
SECRET_ANSWER = "c-COM.1.1=partly"
# The headers every page carries; error pages and redirects must carry the same.
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Strict-Transport-Security",
)


def production_changes(**overrides) -> dict:
    """The changes to this process's environment that give production settings instead of
    its own Django ones; a value of None removes that variable."""
    ours = {
        name: None
        for name in os.environ
        if name.startswith("DJANGO_") or name in {"DATABASE_URL", "REDIS_URL", "PORT"}
    }
    return ours | {
        "DJANGO_SETTINGS_MODULE": "framework_site.settings",
        "DJANGO_LOCAL": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "production-test-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "framework.example.org",
        **overrides,
    }


def import_settings(**overrides) -> subprocess.CompletedProcess:
    code = "from framework_site import settings; print(','.join(settings.ALLOWED_HOSTS))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=changed_environment(production_changes(**overrides)),
        capture_output=True,
        text=True,
        timeout=60,
    )


# Refusing to start ---------------------------------------------------------------------


@pytest.mark.parametrize("hosts", [None, "", " , "])
def test_production_settings_refuse_to_start_without_allowed_hosts(hosts):
    result = import_settings(DJANGO_ALLOWED_HOSTS=hosts)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off" in result.stderr
    assert result.stdout == ""


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = import_settings(DJANGO_SECRET_KEY=None)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_start_with_a_secret_key_and_allowed_hosts():
    result = import_settings(DJANGO_ALLOWED_HOSTS="framework.example.org, www.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "framework.example.org,www.example.org"


def test_local_settings_need_neither_and_answer_on_loopback_only():
    result = import_settings(DJANGO_LOCAL="1", DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "127.0.0.1,localhost"


# The deploy check ----------------------------------------------------------------------


def check_deploy(**overrides) -> subprocess.CompletedProcess:
    """``manage.py check --deploy`` as ``make check-deploy`` runs it, with production
    settings and ``overrides``."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=changed_environment(production_changes(**overrides)),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_fails_without_a_public_url():
    result = check_deploy(DJANGO_PUBLIC_URL=None)
    assert result.returncode != 0
    assert "(core.E001)" in result.stderr
    assert "DJANGO_PUBLIC_URL" in result.stderr
    assert "http://localhost:8000" in result.stderr


def test_the_deploy_check_passes_with_a_public_https_url():
    result = check_deploy(DJANGO_PUBLIC_URL="https://framework.example.org")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000",
        "https://localhost",
        "https://framework.localhost",
        "https://127.0.0.1:8443",
        "https://127.1.2.3",
        "https://[::1]",
        "https://0.0.0.0",
        "http://framework.example.org",
        "framework.example.org",
        "https://",
    ],
)
def test_the_public_url_check_refuses_this_machine_and_plain_http(settings, url):
    settings.PUBLIC_URL = url
    (error,) = public_url_check()
    assert error.id == "core.E001"
    assert error.is_serious()
    assert repr(url) in error.msg or "names no host" in error.msg


@pytest.mark.parametrize(
    "url", ["https://framework.example.org", "https://10.1.2.3", "https://nccf.nhs.uk:8443"]
)
def test_the_public_url_check_accepts_a_public_https_address(settings, url):
    settings.PUBLIC_URL = url
    assert public_url_check() == []


def test_make_check_deploy_names_a_public_url_and_make_serve_its_own_address():
    makefile = (BASE_DIR / "Makefile").read_text()
    check_deploy_target = makefile.split("\ncheck-deploy:", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_PUBLIC_URL=https://" in check_deploy_target
    # make serve is plain HTTP on loopback, so the files it serves name that address, and
    # it never runs the deploy check, which would rightly refuse it.
    assert "DJANGO_PUBLIC_URL=http://127.0.0.1:$(PORT)" in makefile
    serve_target = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "--deploy" not in serve_target


# The real server ----------------------------------------------------------------------


class Server:
    """A gunicorn started from the repository's config file, as `make serve` starts it:
    requests to it, and the logs it writes in ``folder``."""

    def __init__(self, base: str, folder: Path):
        self.port = urlsplit(base).port
        self.static_root = folder / "static"
        self.access_log = folder / "access.log"
        self.error_log = folder / "error.log"

    def request(self, method, target, headers=None, body=None) -> "Answer":
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            try:
                conn.request(method, target, body=body, headers=headers or {})
            except (BrokenPipeError, ConnectionResetError):
                # A body refused by its declared length is answered, and the connection
                # closed, before it has all been sent; the answer is still there to read.
                pass
            response = conn.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            conn.close()

    def access_records(self, path: str) -> list[dict]:
        """The access log's records for ``path``, once at least one has been written."""
        deadline = time.monotonic() + 5
        while True:
            lines = self.access_log.read_text().splitlines()
            records = [json.loads(line) for line in lines if line.strip()]
            found = [record for record in records if record.get("path") == path]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup, django_db_blocker):
    folder = tmp_path_factory.mktemp("serve")
    with ExitStack() as stack:
        with django_db_blocker.unblock():
            database_url = stack.enter_context(shared_database(folder))
        # collectstatic with the production storage, the site's own folders only: the
        # admin's files would triple the time and tell nothing more.
        with override_settings(
            STATIC_ROOT=folder / "static",
            STORAGES=settings.STORAGES | {"staticfiles": {"BACKEND": "core.storage.StaticStorage"}},
            STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        ):
            call_command("collectstatic", interactive=False, verbosity=0)
        changes = production_changes(
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_COOKIES="0",
            DJANGO_STATIC_ROOT=str(folder / "static"),
            DJANGO_CACHE_DIR=str(folder / "cache"),
            DATABASE_URL=database_url,
        )
        with gunicorn(changes, workers=2, logs=folder) as base:
            yield Server(base, folder)


def test_make_serve_runs_this_configuration():
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "$(BIN)/gunicorn --config framework_site/gunicorn.conf.py" in makefile
    assert "DJANGO_LOCAL=0 DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost" in makefile


def test_the_server_answers_the_overview(server, db):
    answer = server.request("GET", "/")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    names = list(Area.objects.values_list("name", flat=True))
    assert names and all(escape(name).encode() in answer.body for name in names)


def test_the_server_answers_the_health_check_in_json(server):
    answer = server.request("GET", "/healthz")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert json.loads(answer.body) == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)],
)
def test_hashed_static_files_are_compressed_and_cached_for_a_year(server, accept, encoding, decode):
    manifest = json.loads((server.static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css"

    answer = server.request("GET", f"/static/{hashed}", {"Accept-Encoding": accept})

    assert answer.status == 200
    assert answer.headers["Cache-Control"] == f"max-age={ONE_YEAR}, public, immutable"
    assert ONE_YEAR == 31536000
    assert answer.headers["Content-Encoding"] == encoding
    assert decode(answer.body) == (BASE_DIR / "static" / "css" / "site.css").read_bytes()


def test_unhashed_static_names_are_not_cached_for_long(server):
    answer = server.request("GET", "/static/css/site.css")
    assert answer.status == 200
    assert "immutable" not in answer.headers["Cache-Control"]


def test_the_access_log_is_one_json_object_per_request(server):
    target = "/search/?q=risk"
    answer = server.request("GET", target, {"Accept-Encoding": "identity"})

    [record] = server.access_records("/search/")
    assert record["method"] == "GET"
    assert record["query"] == "q=risk"
    assert record["status"] == answer.status == 200
    assert record["size"] == len(answer.body)
    assert isinstance(record["duration_ms"], float) and record["duration_ms"] > 0
    assert record["logger"] == "gunicorn.access"
    assert record["time"].endswith("+00:00")


@pytest.mark.parametrize(
    "target",
    [
        f"/pathways/self-assessment/{ROLE}/result/?{SECRET_ANSWER}&from=reconnect-peer-support-worker",
        "/pathways/team/?show=Secret",
        f"/roles/{ROLE}/job-description/?employer=Secret+Trust",
    ],
)
def test_the_logs_never_hold_a_private_page_query_string(server, target):
    path, query = target.split("?")
    server.request("GET", target)

    records = server.access_records(path)
    assert records and all("query" not in record for record in records)
    logs = server.access_log.read_text() + server.error_log.read_text()
    for private in (query, "Secret", "partly", "reconnect-peer-support-worker"):
        assert private not in logs


def test_oversized_bodies_are_refused_before_they_are_read(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("POST", "/pathways/team/")
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(settings.MAX_REQUEST_BYTES + 1))
        conn.endheaders()  # and no body at all: the answer must not wait for one
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 413
    assert b"What you sent is too large" in body


def _security_headers(headers) -> dict:
    return {name: headers.get(name) for name in SECURITY_HEADERS}


@pytest.mark.parametrize(
    ("method", "target", "status", "body"),
    [
        ("GET", "/no-such-page/", 404, None),
        ("DELETE", "/roles/", 405, None),
        ("GET", "/roles", 301, None),
        ("POST", "/pathways/team/", 413, "x=" + "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)),
    ],
)
def test_errors_and_redirects_from_the_server_carry_the_page_headers(
    server, method, target, status, body
):
    https = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy says
    page = server.request("GET", "/", https)
    headers = dict(https)
    if body:
        # A form as a browser sends it, so the CSRF check reads the body.
        headers |= {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://127.0.0.1:{server.port}",
            "Cookie": "csrftoken=" + "a" * 32,
        }

    answer = server.request(method, target, headers, body)

    assert answer.status == status
    expected = _security_headers(page.headers)
    assert all(expected.values()), expected
    assert "max-age=31536000" in expected["Strict-Transport-Security"]
    assert _security_headers(answer.headers) == expected


# Oversized requests, in process -------------------------------------------------------


def test_form_data_over_the_limit_gets_413_and_a_plain_page(client, db):
    response = client.post(
        "/pathways/team/",
        "files=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "<h1" in page and "What you sent is too large" in page
    assert "xxxx" not in page


def test_a_body_over_the_request_limit_gets_413_without_being_read(client, db):
    response = client.generic(
        "POST",
        "/pathways/team/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
    )
    assert response.status_code == 413


def test_a_large_gap_file_still_gets_the_upload_pages_own_message(client, db):
    response = client.post(
        f"/pathways/self-assessment/{ROLE}/earlier/",
        {"earlier": SimpleUploadedFile("gaps.csv", b"x" * 3 * 1024 * 1024, "text/csv")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "gaps.csv" in page
    assert "200 KB" in page


def test_other_bad_requests_keep_the_400_answer(client, db):
    fields = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post(
        "/pathways/team/", fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


# Security headers on every kind of response, in process ---------------------------------


def boom(request):
    raise RuntimeError("a fault in a view")


# Used as ROOT_URLCONF by the 500 case below.
urlpatterns = [path("boom/", boom)]


@pytest.fixture
def production_https(settings):
    settings.SECURE_HSTS_SECONDS = ONE_YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return settings


def _headers_of(response) -> dict:
    return {name: response.headers.get(name) for name in SECURITY_HEADERS}


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("missing page", 404),
        ("method not allowed", 405),
        ("trailing slash redirect", 301),
        ("form data too large", 413),
        ("body too large", 413),
        ("server error", 500),
    ],
)
def test_error_responses_and_redirects_carry_the_same_security_headers_as_pages(
    client, db, production_https, case, status
):
    page = client.get("/", secure=True)
    expected = _headers_of(page)
    assert all(expected.values()), expected

    if case == "missing page":
        response = client.get("/no-such-page/", secure=True)
    elif case == "method not allowed":
        response = client.options("/roles/", secure=True)
    elif case == "trailing slash redirect":
        response = client.get("/roles", secure=True)
    elif case == "form data too large":
        data = "x=" + "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
        response = client.post(
            "/pathways/team/", data, "application/x-www-form-urlencoded", secure=True
        )
    elif case == "body too large":
        response = client.generic(
            "POST", "/", b"", secure=True, CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1)
        )
    else:
        production_https.ROOT_URLCONF = __name__
        client.raise_request_exception = False
        response = client.get("/boom/", secure=True)

    assert response.status_code == status
    assert _headers_of(response) == expected


def test_the_https_redirect_carries_the_security_headers(client, db, production_https):
    production_https.SECURE_SSL_REDIRECT = True  # read when the first request is made
    expected = _headers_of(client.get("/", secure=True))

    response = client.get("/roles/?q=1")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/roles/?q=1"
    # Strict-Transport-Security is only ever sent over HTTPS.
    expected["Strict-Transport-Security"] = None
    assert _headers_of(response) == expected


# Django's own request log records as JSON ----------------------------------------------


@pytest.fixture
def json_log():
    """What the configured console handler writes while a test runs."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    out = io.StringIO()
    previous = handler.setStream(out)
    yield out
    handler.setStream(previous)


def test_django_request_records_are_json_with_the_request_fields(client, db, json_log):
    client.get("/no-such-page/?q=visible")

    [record] = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert record["logger"] == "django.request"
    assert record["level"] == "WARNING"
    assert record["method"] == "GET"
    assert record["path"] == "/no-such-page/"
    assert record["query"] == "q=visible"
    assert record["status"] == 404
    assert record["message"] == "Not Found: /no-such-page/"


def test_django_request_records_of_private_pages_leave_out_the_query(client, db, json_log):
    path = f"/pathways/self-assessment/{ROLE}/result/"
    query = urlencode({"c-COM.1.1": "partly", "c-NOT-A-CODE": "partly"})
    assert client.get(f"{path}?{query}").status_code == 400

    lines = json_log.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    assert records and all(record["path"] == path for record in records)
    assert all("query" not in record for record in records)
    assert "partly" not in json_log.getvalue()
    assert "NOT-A-CODE" not in json_log.getvalue()
