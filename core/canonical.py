"""Stable addresses: near-miss addresses redirect to the one canonical page, if any."""

from django.http import Http404, HttpResponsePermanentRedirect


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
