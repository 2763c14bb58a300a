"""Values every template needs."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from interchange import versioning


def site(request):
    """The service name shown in the header and in every page title."""
    return {"service_name": settings.SERVICE_NAME}


def framework_version(request):
    """The published framework version and the day it last changed, for the footer.

    Read lazily, with one query, by the pages whose templates show it.
    """
    return {"framework_version": SimpleLazyObject(versioning.current)}
