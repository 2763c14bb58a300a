"""The health check that load balancers and monitoring ask: /healthz.

It runs a trivial database query and a set-then-get on the default cache (Redis, or
the cache folder shared by one machine's workers), and answers in JSON naming each part
with "ok" or "error", never the error itself, which goes to the log instead.

It answers 503 only when the database fails: without it no page can be served. A cache
that fails is reported ("cache": "error") with 200, because every page is still served
from the database (core/cache.py); were it 503, a load balancer would take every server
out at once when the cache they share goes down. The cache is asked directly, past the
fail-safe's breaker, so the answer is the cache's state now.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
ERROR = "error"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database did not answer")
        return ERROR
    return OK


def check_cache() -> str:
    # A key of its own for each check: the cache is shared, and with one key for all, two
    # checks at once (from two workers or two servers) would read each other's value.
    token = uuid.uuid4().hex
    key = f"healthz:{token}"
    try:
        # Past the fail-safe (core/cache.py), which would report a failure as a miss.
        server = getattr(cache, "unguarded", cache)
        server.set(key, token, timeout=10)
        stored = server.get(key)
        server.delete(key)
        if stored != token:
            logger.error("Health check: the cache did not return what was stored")
            return ERROR
    except Exception as error:
        # The fail-safe cache has logged it already, at most once a minute: a load
        # balancer asking every few seconds through an outage must not flood the log.
        if not isinstance(error, getattr(cache, "server_errors", ())):
            logger.exception("Health check: the cache did not answer")
        return ERROR
    return OK


@never_cache
@require_safe
def healthz(request):
    checks = {"database": check_database(), "cache": check_cache()}
    healthy = all(result == OK for result in checks.values())
    return JsonResponse(
        {"status": OK if healthy else ERROR, **checks},
        status=200 if checks["database"] == OK else 503,
    )
