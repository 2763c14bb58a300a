"""Who is signing in to the admin, and what a locked-out client is told.

django-axes counts failed sign-ins per username and client address; these are the two
hooks it calls (``AXES_CLIENT_IP_CALLABLE`` and ``AXES_LOCKOUT_CALLABLE``).
"""

import ipaddress
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


def client_address(request) -> str | None:
    """The client's address, as the trusted proxies in front of the site saw it.

    With no trusted proxy (``TRUSTED_PROXY_COUNT`` 0), the address that connected.
    Behind N proxies, each appending to X-Forwarded-For the address it received the
    request from, the Nth entry from the right was written by the outermost proxy:
    anything to its left came from the client and may be made up, so it is never read.
    Without a usable entry there, the address that connected is used.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count].strip()))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """A plain page saying that signing in is paused, and for how long."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds())
    response = render(
        request,
        "lockout.html",
        {"minutes": math.ceil(seconds / 60)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(seconds)
    return response
