"""Redis stopped under load: no page fails, /healthz says so, and the cache comes back.

Two real gunicorn workers serve a throwaway SQLite database with the page and content
caches on, sharing a Redis server of this test's own. Threads ask for several page
types (loopback only, for a bounded time) while Redis is stopped for some seconds and
started again, empty.
"""

import json
import threading
import time
from collections import Counter

import redis

from tests.redis_server import own_redis  # noqa: F401 - a fixture
from tests.servers import gunicorn
from tests.test_cache import environment
from tests.test_page_cache_servers import ADDRESSES, get, manage

CLIENTS = 4
OUTAGE_SECONDS = 6


def health(base: str) -> tuple[int, dict]:
    status, body, _etag = get(base, "/healthz")
    return status, json.loads(body)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def page_keys(url: str) -> int:
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        return sum(1 for _key in client.scan_iter(match="*page:*", count=1000))
    finally:
        client.close()


def test_stopping_redis_under_load_fails_no_page(tmp_path, own_redis):  # noqa: F811
    env = environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        REDIS_URL=own_redis.url,
        DJANGO_PAGE_CACHE="1",
        DJANGO_CONTENT_CACHE="1",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_MANIFEST_STATIC="0",
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_framework")
    pages = json.loads(manage(env, "shell", "-v", "0", "-c", ADDRESSES).strip().splitlines()[-1])[
        "pages"
    ] + ["/", "/competences/", "/pathways/?utm_source=newsletter"]
    statuses: Counter = Counter()
    failures: list[str] = []
    stop = threading.Event()

    def ask_again_and_again(base: str, offset: int) -> None:
        number = offset
        # Bounded twice over: by the event, and by a deadline should the test fail first.
        deadline = time.monotonic() + 120
        while not stop.is_set() and time.monotonic() < deadline:
            path = pages[number % len(pages)]
            number += 1
            try:
                status, _body, _etag = get(base, path)
            except OSError as error:
                failures.append(f"{path}: {error!r}")
                continue
            statuses[status] += 1
            if status >= 500:
                failures.append(f"{path}: {status}")

    with gunicorn(env, logs=tmp_path) as base:
        clients = [
            threading.Thread(target=ask_again_and_again, args=(base, n)) for n in range(CLIENTS)
        ]
        try:
            for path in pages:
                for _ in range(4):
                    assert get(base, path)[0] == 200, path
            assert page_keys(own_redis.url) > 0
            for client in clients:
                client.start()
            time.sleep(1)

            own_redis.stop()
            stopped = time.monotonic()
            status, body = wait_for(
                lambda: (found := health(base)) and found[1]["cache"] == "error" and found,
                5,
                "/healthz did not report the cache down",
            )
            assert status == 200
            assert body == {"status": "error", "database": "ok", "cache": "error"}
            during = sum(statuses.values())
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
            during = sum(statuses.values()) - during
            # The open data page and its files are built from the database when they
            # cannot be kept.
            assert get(base, "/export/")[0] == 200
            assert get(base, "/export/framework.json")[0] == 200

            own_redis.start()
            wait_for(lambda: health(base)[1]["cache"] == "ok", 15, "/healthz did not recover")
            # Pages are kept again: the restarted (empty) Redis fills with them.
            wait_for(
                lambda: page_keys(own_redis.url) > 0, 15, "no page was kept after Redis came back"
            )
            time.sleep(1)
        finally:
            stop.set()
            for client in clients:
                if client.is_alive():
                    client.join(timeout=30)

    print(f"status counts: {dict(statuses)}; during the outage: {during} answers")
    assert not failures, failures[:20]
    assert set(statuses) == {200}
    assert during > 0
    # The outage was logged by each worker once, not once a request.
    logged = (tmp_path / "error.log").read_text()
    assert 1 <= logged.count("cache failed") <= 2
    assert "Traceback" not in logged, logged[logged.find("Traceback") - 500 :][:4000]
