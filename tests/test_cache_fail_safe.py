"""A cache that fails never fails a page: reads miss, writes do nothing, and the failure
is logged once, not once a request; a hung server costs one request its timeout."""

import asyncio
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from redis.exceptions import RedisError

from core.cache import FailSafeFileBasedCache, FailSafeRedisCache, reset_breakers
from tests.redis_server import HOST, own_redis  # noqa: F401 - a fixture


@pytest.fixture(autouse=True)
def fresh_breakers():
    reset_breakers()
    yield
    reset_breakers()


def redis_cache(url: str, **attributes) -> FailSafeRedisCache:
    cache = FailSafeRedisCache(
        url, {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    )
    for name, value in attributes.items():
        setattr(cache, name, value)
    return cache


CALLS = {
    "get": lambda cache: cache.get("k", "missing"),
    "get_many": lambda cache: cache.get_many(["k", "j"]),
    "has_key": lambda cache: cache.has_key("k"),
    "set": lambda cache: cache.set("k", "v"),
    "add": lambda cache: cache.add("k", "v"),
    "set_many": lambda cache: cache.set_many({"k": "v"}),
    "touch": lambda cache: cache.touch("k"),
    "delete": lambda cache: cache.delete("k"),
    "delete_many": lambda cache: cache.delete_many(["k"]),
    "get_or_set": lambda cache: cache.get_or_set("k", lambda: "made"),
    "clear": lambda cache: cache.clear(),
    "aget": lambda cache: run_coroutine(cache.aget("k", "missing")),
}


def run_coroutine(coroutine):
    """Run ``coroutine`` to its end on a thread of its own: the browser tests' Playwright
    may have left an event loop running on this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def every_method(cache) -> dict:
    """What each method the site (and Django's own helpers) may call answers."""
    answers = {name: call(cache) for name, call in CALLS.items()}
    with pytest.raises(ValueError):
        cache.incr("counter")
    return answers


DOWN = {
    "get": "missing",
    "get_many": {},
    "has_key": False,
    "set": None,
    "add": True,
    "set_many": [],
    "touch": False,
    "delete": False,
    "delete_many": None,
    "get_or_set": "made",
    "clear": None,
    "aget": "missing",
}


def test_a_stopped_redis_is_a_miss_and_a_write_that_does_nothing(own_redis):  # noqa: F811
    cache = redis_cache(own_redis.url)
    cache.set("page", "stored")
    assert cache.get("page") == "stored"

    own_redis.stop()

    assert every_method(cache) == DOWN
    assert cache.get("page") is None


@pytest.mark.parametrize("name", CALLS)
def test_each_method_fails_safe_when_it_is_the_first_to_meet_the_outage(
    own_redis,  # noqa: F811
    name,
):
    own_redis.stop()
    assert CALLS[name](redis_cache(own_redis.url)) == DOWN[name]


def test_the_cache_is_used_again_when_redis_returns(own_redis, caplog):  # noqa: F811
    cache = redis_cache(own_redis.url, retry_after=0.2)
    cache.set("before", 1)
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert cache.get("before") is None
        own_redis.start()  # empty: nothing is kept on disk
        time.sleep(0.3)
        cache.set("after", 2)
        assert cache.get("after") == 2
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "failed" in messages[0]
    assert "answers again" in messages[1]


def test_an_outage_is_logged_once_a_minute_not_once_a_request(own_redis, caplog):  # noqa: F811
    cache = redis_cache(own_redis.url, retry_after=0)
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for _ in range(200):
            assert cache.get("page") is None
    assert len(caplog.records) == 1
    assert caplog.records[0].levelno == logging.WARNING


def test_a_hung_redis_costs_one_request_its_timeout_not_every_request():
    """A server that accepts connections and never answers: after the first timeout the
    cache is left alone for a few seconds, so the requests behind it do not wait."""
    with socket.socket() as hung:
        hung.bind((HOST, 0))
        hung.listen(64)
        cache = redis_cache(f"redis://{HOST}:{hung.getsockname()[1]}/0")

        started = time.monotonic()
        assert cache.get("page") is None
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(50):
            assert cache.get("page") is None
            cache.set("page", "body")
        rest = time.monotonic() - started

    assert first >= 0.4
    assert rest < 0.2


def test_one_request_tries_the_server_again_while_the_others_skip_it():
    with socket.socket() as hung:
        hung.bind((HOST, 0))
        hung.listen(64)
        cache = redis_cache(f"redis://{HOST}:{hung.getsockname()[1]}/0", retry_after=0.1)
        cache.get("page")  # the first timeout opens the breaker
        time.sleep(0.15)
        took = []

        def request():
            started = time.monotonic()
            redis_cache(cache._servers[0], retry_after=0.1).get("page")
            took.append(time.monotonic() - started)

        threads = [threading.Thread(target=request) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(1 for seconds in took if seconds >= 0.4) == 1


def test_the_health_check_asks_the_server_past_the_breaker(own_redis):  # noqa: F811
    cache = redis_cache(own_redis.url, retry_after=60)
    own_redis.stop()
    cache.get("page")  # the breaker is open for a minute
    with pytest.raises(RedisError):
        cache.unguarded.get("page")
    own_redis.start()
    cache.unguarded.set("healthz", "ok")
    assert cache.unguarded.get("healthz") == "ok"
    # The check's answer closes the breaker at once.
    assert cache.get("healthz") == "ok"


def test_a_cache_folder_that_cannot_be_written_is_a_miss(tmp_path):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    cache = FailSafeFileBasedCache(str(not_a_folder), {})
    assert every_method(cache) == DOWN


def test_the_file_cache_works_as_django_s_when_the_folder_does(tmp_path):
    cache = FailSafeFileBasedCache(str(tmp_path / "cache"), {})
    cache.set("page", "stored")
    assert cache.get("page") == "stored"
    assert cache.add("page", "other") is False
    assert cache.get_or_set("made", lambda: "once") == "once"
    cache.set("counter", 1)
    assert cache.incr("counter") == 2
