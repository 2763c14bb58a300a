"""The cache is shared by every process that serves the site: Redis when REDIS_URL is set,
otherwise a folder shared by the processes of one machine; never one process's memory.

Each check writes in one process and reads in another, as two gunicorn workers (or two
app servers) would. The Redis checks use REDIS_URL when it is set (scripts/with-redis.sh
sets it), or start a throwaway Redis with that script; without redis-server they skip,
except in CI, where they must run.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from core import health

BASE_DIR = Path(settings.BASE_DIR)
REDIS_BACKEND = "core.cache.FailSafeRedisCache"
FILE_BACKEND = "core.cache.FailSafeFileBasedCache"

# Run in a separate process: configure Django from the environment, then act on the
# default cache as told by the arguments, and print what it saw as JSON.
CACHE_SCRIPT = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
action, key, *value = sys.argv[1:]
if action == "set":
    cache.set(key, value[0], timeout=60)
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"], "value": cache.get(key)}))
"""


def environment(**overrides) -> dict:
    """This process's environment without its cache settings, with ``overrides``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"REDIS_URL", "DJANGO_CACHE_DIR", "DJANGO_DEBUG", "DATABASE_URL"}
    }
    env |= {"DJANGO_SETTINGS_MODULE": "framework_site.settings", "DJANGO_LOCAL": "1"}
    return env | {name: value for name, value in overrides.items() if value is not None}


def configured_cache(**env) -> dict:
    """The default cache the settings choose with these environment variables."""
    code = "import json; from framework_site import settings; print(json.dumps(settings.CACHES))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["default"]


def in_another_process(*args: str, **env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CACHE_SCRIPT, *args],
        cwd=BASE_DIR,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope="session")
def redis_url():
    """A Redis server's address: REDIS_URL's, or a throwaway server's for this run."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    if not shutil.which("redis-server"):
        reason = "redis-server is not installed (Debian's redis-server package)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; CI must run the Redis cache tests, and .ci/run installs it")
        pytest.skip(f"{reason}: the Redis cache tests need it")
    # The same throwaway server as CI's: the script prints its address, then waits
    # until this run closes its input, and stops the server.
    wait = "import os, sys; print(os.environ['REDIS_URL'], flush=True); sys.stdin.read()"
    script = subprocess.Popen(
        [str(BASE_DIR / "scripts" / "with-redis.sh"), sys.executable, "-c", wait],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = ""
    for line in script.stdout:
        if line.startswith("redis://"):
            url = line.strip()
            break
    if not url:
        script.wait(timeout=10)
        pytest.fail("scripts/with-redis.sh did not start Redis")
    yield url
    script.stdin.close()
    script.wait(timeout=20)


# Which cache -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [{}, {"DJANGO_DEBUG": "1"}],
    ids=["local", "debug"],
)
def test_without_redis_the_cache_is_the_shared_folder_never_process_memory(env):
    default = configured_cache(**env)
    assert default["BACKEND"] == FILE_BACKEND
    assert default["LOCATION"] == str(BASE_DIR / "var" / "cache")


def test_production_without_redis_uses_the_configured_cache_folder(tmp_path):
    default = configured_cache(
        DJANGO_LOCAL="0",
        DJANGO_SECRET_KEY="cache-test-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="framework.example.org",
        DJANGO_CACHE_DIR=str(tmp_path),
    )
    assert default["BACKEND"] == FILE_BACKEND
    assert default["LOCATION"] == str(tmp_path)


def test_with_redis_url_the_cache_is_redis():
    url = "redis://cache.internal:6380/2"
    default = configured_cache(REDIS_URL=url)
    assert default["BACKEND"] == REDIS_BACKEND
    assert default["LOCATION"] == url


def test_a_redis_url_that_is_not_one_stops_the_site_with_a_clear_message():
    result = subprocess.run(
        [sys.executable, "-c", "import framework_site.settings"],
        cwd=BASE_DIR,
        env=environment(REDIS_URL="cache.internal:6379"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "REDIS_URL must start redis://, rediss:// or unix://" in result.stderr


# Shared between processes --------------------------------------------------------------


def _shared_between_processes(**env):
    key = f"shared-{uuid.uuid4().hex}"
    value = uuid.uuid4().hex

    written = in_another_process("set", key, value, **env)
    read = in_another_process("get", key, **env)

    assert written["value"] == value
    assert read["value"] == value
    return read


def test_the_embedded_cache_is_shared_between_processes(tmp_path):
    seen = _shared_between_processes(DJANGO_CACHE_DIR=str(tmp_path))
    assert seen["backend"] == FILE_BACKEND


def test_the_redis_cache_is_shared_between_processes(redis_url):
    seen = _shared_between_processes(REDIS_URL=redis_url)
    assert seen["backend"] == REDIS_BACKEND


# /healthz ------------------------------------------------------------------------------


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": REDIS_BACKEND,
            "LOCATION": url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


def test_health_check_reports_the_redis_cache(client, db, settings, redis_url):
    settings.CACHES = _redis_cache(redis_url)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_check_reports_a_redis_that_does_not_answer(client, db, settings):
    """Still 200: every page is served without the cache, and a load balancer must not
    take every server out because the cache they share is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]  # nothing listens once the socket is closed
    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{closed}/0")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "error", "database": "ok", "cache": "error"}
    assert b"Connection" not in response.content


def test_health_check_reports_a_cache_folder_it_cannot_write(client, db, settings, tmp_path):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    settings.CACHES = {"default": {"BACKEND": FILE_BACKEND, "LOCATION": str(not_a_folder)}}

    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content)["cache"] == "error"


class AnotherCheckInBetween:
    """The shared cache, with another worker's health check running between this check's
    write and its read."""

    def __init__(self):
        self.other_check = None

    def set(self, key, value, timeout=None):
        cache.set(key, value, timeout)
        if self.other_check is None:
            self.other_check = health.check_cache()  # it writes and reads in between

    def get(self, key):
        return cache.get(key)

    def delete(self, key):
        cache.delete(key)


def test_two_health_checks_at_once_do_not_read_each_others_value(monkeypatch):
    shared = AnotherCheckInBetween()
    monkeypatch.setattr(health, "cache", shared)

    assert health.check_cache() == health.OK
    assert shared.other_check == health.OK


def test_the_redis_of_with_redis_sh_has_a_memory_limit_and_evicts_the_oldest(redis_url):
    """Every entry can be made again from the database, so Redis may drop any; without a
    limit, a stream of distinct addresses could fill the machine's memory."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        config = client.config_get("maxmemory*")
    finally:
        client.close()
    assert int(config["maxmemory"]) > 0
    assert config["maxmemory-policy"] == "allkeys-lru"
