"""The health check that load balancers and monitoring ask: /healthz.

It runs a trivial database query and a set-then-get on the default cache (Redis, or
the cache folder shared by one machine's workers), and answers in JSON: 200 when both
work, 503 when either fails. The answer names each part and says "ok" or "error", never
the error itself, which goes to the log instead.
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
        cache.set(key, token, timeout=10)
        stored = cache.get(key)
        cache.delete(key)
        if stored != token:
            logger.error("Health check: the cache did not return what was stored")
            return ERROR
    except Exception:
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
        status=200 if healthy else 503,
    )
