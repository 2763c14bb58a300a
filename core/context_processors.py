"""Values every template needs."""

from django.conf import settings
from django.utils.encoding import escape_uri_path

from . import content_cache, provenance, versioning
from .addresses import public_address
from .canonical import canonical_address


def site(request):
    """The service name shown in the header and in every page title, what the print
    note on every page says (the content's status, the framework cited and the page's
    public address) and the page's canonical address for search engines and link
    previews (callables, so they are worked out only when a page shows them)."""
    return {
        "service_name": settings.SERVICE_NAME,
        "status_statement": provenance.STATUS_STATEMENT,
        "framework_citation": provenance.framework_citation,
        # Percent-encoded as an address is written: a path nobody routes (a 404 page's)
        # is what someone sent, and must not come back as text or markup.
        "page_address": lambda: public_address(escape_uri_path(request.path)),
        "canonical_address": lambda: canonical_address(request),
    }


def framework_version(request):
    """The published framework version (for the footer), and the key naming the content
    for ``{% cache ... content_generation using="content" %}``. The version row is read
    once per request, and the page cache has usually read it already."""
    return {
        "framework_version": versioning.current(),
        "content_generation": content_cache.generation_key(),
    }
