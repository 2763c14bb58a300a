"""Values every template needs."""

from django.conf import settings

from . import content_cache, versioning


def site(request):
    """The service name shown in the header and in every page title."""
    return {"service_name": settings.SERVICE_NAME}


def framework_version(request):
    """The published framework version (for the footer), and the key naming the content
    for ``{% cache ... content_generation using="content" %}``. The version row is read
    once per request, and the page cache has usually read it already."""
    return {
        "framework_version": versioning.current(),
        "content_generation": content_cache.generation_key(),
    }
