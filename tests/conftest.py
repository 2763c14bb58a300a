"""Shared fixtures for the whole suite.

The project's own seed content is loaded once into the test database, so every test
sees the real framework; each test's own changes roll back. Tests that need a live
server run in real transactions and load the content again with ``seeded``.
"""

import io
import os
import shutil
import tempfile

import pytest
from django.core.management import call_command

from interchange.loading import framework_is_empty

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM
# calls from it (only in tests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


CACHE_DIR = pytest.StashKey[str]()


def pytest_configure(config):
    from django.conf import settings

    # Tests never run collectstatic, so hashed-manifest storage would fail to find files.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    # A cache of the run's own: the content generation and the pages and files kept under
    # it live in the cache, so a shared one would mix another database's content into the
    # run's, and the tests that clear the cache would empty a running server's.
    cache = settings.CACHES["default"] | {"KEY_PREFIX": f"test-{os.getpid()}"}
    if cache["BACKEND"].endswith("FileBasedCache"):
        cache["LOCATION"] = config.stash[CACHE_DIR] = tempfile.mkdtemp(prefix="framework-cache-")
    settings.CACHES = {"default": cache}
    # Tests change content inside transactions that never commit, so the content
    # generation never moves on: whole-page caching is tested on its own, with commits.
    settings.PAGE_CACHE = False
    # The same holds for what is kept per generation inside pages: tested on its own.
    settings.CONTENT_CACHE = False
    # Nor are the open data files built after each change: tested on its own.
    settings.BUILD_DOWNLOADS_AFTER_CHANGE = False


def pytest_unconfigure(config):
    if CACHE_DIR in config.stash:
        shutil.rmtree(config.stash[CACHE_DIR], ignore_errors=True)


def load_seed() -> str:
    out = io.StringIO()
    call_command("load_framework", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_seed()


@pytest.fixture
def seeded(db):
    """The database with the project's seed content (reloaded after a flush)."""
    if framework_is_empty():
        load_seed()


@pytest.fixture
def staff_client(client, django_user_model):
    """A client logged in as a superuser editor."""
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    return client
