"""Cache backends that fail safe: a cache that does not answer never fails a page.

Everything the site keeps in the shared cache can be made again from the database, so
when Redis (or the cache folder) fails, a read is a miss and a write does nothing, as
with Django's ``DummyCache``, and the page is rendered from the database.

Two things keep an outage cheap. After a failure the server is left alone for
``retry_after`` seconds (a circuit breaker), so a Redis that hangs costs one request a
socket timeout, not every request; then one request tries it again while the others
still skip it. And the failure is logged as a warning at most once every
``warn_every`` seconds per cache, with a count of the failures in between, so an outage
does not flood the log; the first answer after it is logged too.

The breaker is shared by the threads of a process (Django makes a backend object per
thread). ``/healthz`` asks the server directly through ``unguarded``, so it reports the
cache's real state even while the breaker is open; its answer closes or opens the
breaker like any other.
"""

import logging
import pickle
import threading
import time
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class Breaker:
    """Whether a cache server may be asked now, shared by every thread of the process."""

    def __init__(self, name: str):
        self.name = name
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0
        self.warned_at: float | None = None
        self.unlogged = 0

    def allows(self, retry_after: float) -> bool:
        """True when the server is up, or when this caller is the one to try it again."""
        if not self.down:
            return True
        now = time.monotonic()
        with self.lock:
            if now < self.retry_at:
                return False
            # This caller tries the server; the others skip it until it has answered.
            self.retry_at = now + retry_after
            return True

    def failed(self, error: Exception, *, retry_after: float, warn_every: float) -> None:
        now = time.monotonic()
        with self.lock:
            self.down = True
            self.retry_at = now + retry_after
            if self.warned_at is not None and now - self.warned_at < warn_every:
                self.unlogged += 1
                return
            self.warned_at, unlogged, self.unlogged = now, self.unlogged, 0
        logger.warning(
            "The %s cache failed (%s: %s); pages are served without it, and it is tried "
            "again every %s s (%d failures not logged since the last warning)",
            self.name,
            type(error).__name__,
            error,
            retry_after,
            unlogged,
        )

    def answered(self) -> None:
        if not self.down:
            return
        with self.lock:
            if not self.down:
                return
            self.down, self.warned_at, unlogged, self.unlogged = False, None, self.unlogged, 0
        logger.warning("The %s cache answers again (%d failures unlogged)", self.name, unlogged)


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(name: str) -> Breaker:
    with _breakers_lock:
        return _breakers.setdefault(name, Breaker(name))


def reset_breakers() -> None:
    """Forget every outage (for tests that stop and start a server)."""
    with _breakers_lock:
        _breakers.clear()


class FailSafeMixin:
    """Reads miss and writes do nothing while the server fails; see the module docstring.

    Each public method returns what ``DummyCache`` would: ``add`` reports success, so a
    caller that claims a piece of work with it does the work rather than wait for a
    claim that cannot be recorded.
    """

    # The errors that mean the server failed, not that the caller did (an unpicklable
    # value, say, still raises).
    server_errors: tuple[type[Exception], ...] = (OSError,)
    retry_after = 5.0
    warn_every = 60.0

    def _init_breaker(self, location) -> None:
        where = location if isinstance(location, str) else ",".join(location)
        # Named without any password an address may hold: the name goes to the log.
        where = ",".join(part.rpartition("@")[2] for part in where.split(","))
        self.breaker = breaker_for(f"{type(self).__name__} {where}")

    def _guarded(self, fallback, operation, *args, **kwargs):
        if not self.breaker.allows(self.retry_after):
            return fallback
        try:
            result = operation(*args, **kwargs)
        except self.server_errors as error:
            self.breaker.failed(error, retry_after=self.retry_after, warn_every=self.warn_every)
            return fallback
        self.breaker.answered()
        return result

    def get(self, key, default=None, version=None):
        return self._guarded(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(None, super().set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(True, super().add, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded([], super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._guarded(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        # As for a key that is not there: the caller of incr must handle that anyway.
        found = self._guarded(None, super().incr, key, delta, version)
        if found is None:
            raise ValueError(f"Key '{key}' not found")
        return found

    def clear(self):
        return self._guarded(None, super().clear)

    # get_or_set, decr and the async methods are built on the methods above.

    @property
    def unguarded(self) -> "Unguarded":
        """The same cache without the fail-safe: errors raise, and the breaker is ignored
        (but told the outcome)."""
        return Unguarded(self, super())


class Unguarded:
    """get, set and delete straight to the server, for the health check."""

    def __init__(self, backend: FailSafeMixin, direct):
        self._backend = backend
        self._direct = direct

    def _call(self, name: str, *args, **kwargs):
        backend = self._backend
        try:
            result = getattr(self._direct, name)(*args, **kwargs)
        except backend.server_errors as error:
            backend.breaker.failed(
                error, retry_after=backend.retry_after, warn_every=backend.warn_every
            )
            raise
        backend.breaker.answered()
        return result

    def get(self, key, default=None):
        return self._call("get", key, default)

    def set(self, key, value, timeout=None):
        return self._call("set", key, value, timeout)

    def delete(self, key):
        return self._call("delete", key)


class FailSafeRedisCache(FailSafeMixin, RedisCache):
    """Django's Redis cache, failing safe. Connection refused, a timeout and an error
    answer (such as out of memory) all count as the server failing."""

    server_errors = (RedisError, OSError)

    def __init__(self, server, params):
        super().__init__(server, params)
        self._init_breaker(server)


class FailSafeFileBasedCache(FailSafeMixin, FileBasedCache):
    """Django's file cache, failing safe: a full disk, a folder it may not write and a
    damaged file all count as the cache failing."""

    server_errors = (OSError, EOFError, pickle.UnpicklingError, zlib.error)

    # Django builds these from get, set and delete for the file cache, which are guarded
    # already; guarding them again would let the outer call take the one retry.
    get_many = BaseCache.get_many
    set_many = BaseCache.set_many
    delete_many = BaseCache.delete_many
    incr = BaseCache.incr

    def __init__(self, dir, params):
        self._init_breaker(dir)
        try:
            super().__init__(dir, params)  # makes the folder, last
        except self.server_errors as error:
            # Made again by the first write that gets through.
            self.breaker.failed(error, retry_after=self.retry_after, warn_every=self.warn_every)
