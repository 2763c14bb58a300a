"""Shared fixtures for the whole suite.

The project's own seed content is loaded once into the test database, so every test
sees the real framework; each test's own changes roll back. Tests that need a live
server run in real transactions and load the content again with ``seeded``.
"""

import io
import itertools
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
    # A cache of the run's own, so that the tests that clear the cache never empty a
    # running server's. Both caches are on, as in production: every content change,
    # committed or not, gives the content a new generation, so nothing cached for one
    # test's content is ever served to another's.
    cache = settings.CACHES["default"] | {"KEY_PREFIX": f"test-{os.getpid()}"}
    if cache["BACKEND"].endswith("FileBasedCache"):
        cache["LOCATION"] = config.stash[CACHE_DIR] = tempfile.mkdtemp(prefix="framework-cache-")
        # Each test writes under a key prefix of its own, so a worker's entries pass the
        # production limit of 1,000 within the run; past it, Django deletes a third of
        # the files at random, and a test could lose what it wrote a moment before (the
        # downloads tests did, now and then). The run's own folder keeps everything.
        cache["OPTIONS"] = {**cache.get("OPTIONS", {}), "MAX_ENTRIES": 1_000_000}
    settings.CACHES = {"default": cache, "content": cache}
    settings.PAGE_CACHE = True
    settings.CONTENT_CACHE = True
    # The open data files are not built on a background thread after each change (the
    # thread would outlive the test's database): tested on its own.
    settings.BUILD_DOWNLOADS_AFTER_CHANGE = False


def pytest_unconfigure(config):
    if CACHE_DIR in config.stash:
        shutil.rmtree(config.stash[CACHE_DIR], ignore_errors=True)


def load_seed() -> str:
    out = io.StringIO()
    call_command("load_framework", stdout=out)
    return out.getvalue()


_test_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _a_cache_key_prefix_per_test(settings):
    """Each test reads and writes its own keys, in every thread (a live server's, a
    background build's). Within a test the caches work as in production; between tests,
    a test that changed rows behind the signals' back (as a few do on purpose, to corrupt
    the tree) cannot leave pages for the next one."""
    prefix = f"test-{os.getpid()}-{next(_test_numbers)}"
    settings.CACHES = {
        alias: config | {"KEY_PREFIX": prefix} for alias, config in settings.CACHES.items()
    }


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
