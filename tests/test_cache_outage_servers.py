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
from tests.test_cache import environment
from tests.test_page_cache_servers import ADDRESSES, BASE_DIR, free_port, get, manage

CLIENTS = 4
OUTAGE_SECONDS = 6


def health(port: int) -> tuple[int, dict]:
    status, body, _etag = get(port, "/healthz")
    return status, json.loads(body)


def answers(port: int) -> bool:
    try:
        return health(port)[0] == 200
    except OSError:
        return False


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
    import subprocess
    import sys

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
    port = free_port()
    # A file, not a pipe: a pipe nobody reads until the end fills, and blocks the workers.
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "framework_site/gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env | {"PORT": str(port), "WEB_CONCURRENCY": "2"},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    statuses: Counter = Counter()
    failures: list[str] = []
    stop = threading.Event()

    def ask_again_and_again(offset: int) -> None:
        number = offset
        # Bounded twice over: by the event, and by a deadline should the test fail first.
        deadline = time.monotonic() + 120
        while not stop.is_set() and time.monotonic() < deadline:
            path = pages[number % len(pages)]
            number += 1
            try:
                status, _body, _etag = get(port, path)
            except OSError as error:
                failures.append(f"{path}: {error!r}")
                continue
            statuses[status] += 1
            if status >= 500:
                failures.append(f"{path}: {status}")

    clients = [threading.Thread(target=ask_again_and_again, args=(n,)) for n in range(CLIENTS)]
    try:
        wait_for(lambda: answers(port), 30, "gunicorn did not start")
        for path in pages:
            for _ in range(4):
                assert get(port, path)[0] == 200, path
        assert page_keys(own_redis.url) > 0
        for client in clients:
            client.start()
        time.sleep(1)

        own_redis.stop()
        stopped = time.monotonic()
        status, body = wait_for(
            lambda: (found := health(port)) and found[1]["cache"] == "error" and found,
            5,
            "/healthz did not report the cache down",
        )
        assert status == 200
        assert body == {"status": "error", "database": "ok", "cache": "error"}
        during = sum(statuses.values())
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        during = sum(statuses.values()) - during
        # The open data page and its files are built from the database when they cannot
        # be kept.
        assert get(port, "/export/")[0] == 200
        assert get(port, "/export/framework.json")[0] == 200

        own_redis.start()
        wait_for(lambda: health(port)[1]["cache"] == "ok", 15, "/healthz did not recover")
        # Pages are kept again: the restarted (empty) Redis fills with them.
        wait_for(lambda: page_keys(own_redis.url) > 0, 15, "no page was kept after Redis came back")
        time.sleep(1)
    finally:
        stop.set()
        for client in clients:
            if client.is_alive():
                client.join(timeout=30)
        server.terminate()
        server.wait(timeout=30)

    print(f"status counts: {dict(statuses)}; during the outage: {during} answers")
    assert not failures, failures[:20]
    assert set(statuses) == {200}
    assert during > 0
    # The outage was logged by each worker once, not once a request.
    logged = log.read_text()
    assert 1 <= logged.count("cache failed") <= 2
    assert "Traceback" not in logged
