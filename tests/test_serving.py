"""Serving: the database address, password hashing, the health check and static files."""

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from framework_site.settings import database_from_url

BASE_DIR = Path(settings.BASE_DIR)


# DATABASE_URL ------------------------------------------------------------------------


def test_a_sqlite_address_selects_that_sqlite_file(tmp_path):
    path = tmp_path / "framework.sqlite3"
    config = database_from_url(f"sqlite:///{path}")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(path)


def test_a_postgres_address_selects_postgresql_with_its_parts_decoded():
    config = database_from_url(
        "postgres://editor:p%40ss@db.internal:5433/framework?sslmode=require"
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "framework"
    assert config["USER"] == "editor"
    assert config["PASSWORD"] == "p@ss"
    assert config["HOST"] == "db.internal"
    assert str(config["PORT"]) == "5433"
    assert config["OPTIONS"] == {"sslmode": "require"}
    assert config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("url", ["mysql://user@host/name", "not a database address"])
def test_an_unsupported_database_address_stops_the_site_with_a_clear_message(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url)


def configured_database_name(**env) -> str:
    """The database file the settings choose when started with these variables."""
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment |= {"DJANGO_LOCAL": "1", "DJANGO_SETTINGS_MODULE": "framework_site.settings"}
    environment |= env
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_settings_read_a_sqlite_database_url(tmp_path):
    path = tmp_path / "from-url.sqlite3"
    assert configured_database_name(DATABASE_URL=f"sqlite:///{path}") == (
        f"django.db.backends.sqlite3 {path}"
    )


def test_without_a_database_url_the_sqlite_path_setting_still_works(tmp_path):
    path = tmp_path / "from-path.sqlite3"
    assert configured_database_name(DJANGO_SQLITE_PATH=str(path)) == (
        f"django.db.backends.sqlite3 {path}"
    )


# Passwords -----------------------------------------------------------------------------


def test_new_passwords_are_hashed_with_argon2(django_user_model, db):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = django_user_model.objects.create_user("new-editor", password="a long new password")
    assert user.password.startswith("argon2")


def test_an_older_pbkdf2_password_still_logs_in_and_is_rehashed_with_argon2(
    client, django_user_model, db
):
    password = "an older but correct password"
    user = django_user_model.objects.create_user("older-editor", is_staff=True)
    # A PBKDF2 hash as saved before the change; few iterations keep the test quick, and
    # any PBKDF2 hash is upgraded because Argon2 is now the first hasher.
    user.password = PBKDF2PasswordHasher().encode(password, "oldsalt1234567890", iterations=1000)
    user.save(update_fields=["password"])

    response = client.post(
        reverse("admin:login"),
        {"username": "older-editor", "password": password, "next": reverse("admin:index")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert user.check_password(password)


# /healthz ------------------------------------------------------------------------------


def test_health_check_reports_database_and_cache_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_health_check_answers_head(client, db):
    assert client.head("/healthz").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_health_check_refuses_other_methods(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405


def test_health_check_answers_503_when_the_database_fails(client, db):
    with mock.patch("core.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server")
        response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "error", "database": "error", "cache": "ok"}
    assert b"could not connect" not in response.content


def test_health_check_reports_a_cache_that_loses_what_it_stored_with_200(client, db):
    """Pages are still served from the database: the server stays in the load balancer."""
    with mock.patch("core.health.cache", spec=["set", "get", "delete"]) as cache:
        cache.get.return_value = None
        response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "error", "database": "ok", "cache": "error"}


# Static files --------------------------------------------------------------------------


def test_collected_site_css_has_brotli_and_gzip_copies(tmp_path):
    storages = settings.STORAGES | {"staticfiles": {"BACKEND": "core.storage.StaticStorage"}}
    # Only the site's own folders (not the admin's files) keep it quick.
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES=storages,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css"
    assert (tmp_path / f"{hashed}.br").is_file()
    assert (tmp_path / f"{hashed}.gz").is_file()
