"""Stable addresses: near-miss addresses redirect to the one canonical page, if any, and
each public page names its own address for search engines and link previews."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.encoding import escape_uri_path

from .addresses import public_address
from .pagination import PAGE_PARAMETER, requested_page_number
from .public import declared_at


class CodeConverter:
    """Competence and standard codes in addresses: the characters codes may hold (see
    ``competences.models.code_validator``), so nothing else ever reaches the database."""

    regex = r"[A-Za-z0-9][A-Za-z0-9.\-]{0,59}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def permanent_redirect(request, address: str) -> HttpResponsePermanentRedirect:
    """A 301 to ``address``, keeping the request's query string."""
    if request.META.get("QUERY_STRING"):
        address += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(address)


def redirect_to_canonical(request, queryset, **lookups):
    """A permanent redirect to the single object whose field matches a lookup without
    regard to case, keeping the query string; 404 when none or several match."""
    for field, value in lookups.items():
        matches = list(queryset.filter(**{f"{field}__iexact": value})[:2])
        if len(matches) == 1:
            return permanent_redirect(request, matches[0].get_absolute_url())
    raise Http404


def canonical_address(request) -> str | None:
    """The page's own address on the site's public address, for ``<link rel="canonical">``
    and ``og:url``: the path without its query, but with ``?page=N`` past the first page
    of a list, since each page of a list is a page of its own.

    None for a page that is not the same for everyone (a private page, or an address no
    public view serves): such a page has no address to prefer. A view may put its own
    ``canonical_address`` in its context, to keep another parameter that picks a page of
    a list, or None for a tool whose query is the whole point (search, compare).
    """
    declared = declared_at(request.path_info)
    if declared is None or declared.private:
        return None
    # Percent-encoded as an address is written, like the print note's.
    canonical = public_address(escape_uri_path(request.path))
    number = requested_page_number(request)
    if PAGE_PARAMETER in declared.names and number > 1:
        canonical += f"?{PAGE_PARAMETER}={number}"
    return canonical
