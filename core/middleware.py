"""Site-wide HTTP behaviour that belongs to no single app."""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponseNotAllowed, QueryDict

from core.text import CONTROLS, without_controls


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The strict policy everywhere, except that admin pages may use inline styles.

    Django's admin and django-mptt's tree indent rows with style attributes; our own
    pages never do, so they keep style-src 'self' with no exceptions.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith("/" + settings.ADMIN_URL):
            parts.update = (parts.update or {}) | {"style-src": [UNSAFE_INLINE]}
        return parts


class StripControlCharactersMiddleware:
    """Remove control characters from every query-string parameter before any view (or
    the admin's filters and autocomplete) reads them, so none reaches a query or a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            CONTROLS.search(key) or CONTROLS.search(value)
            for key, values in request.GET.lists()
            for value in values
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(
                    without_controls(key), [without_controls(value) for value in values]
                )
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


SAFE_METHODS = ("GET", "HEAD")


def accepts_posts(view):
    """Mark a public view that has a form of its own posting to it (an upload)."""
    view.accepts_posts = True
    return view


class SafeMethodsOnlyMiddleware:
    """Public pages answer GET and HEAD only: any other method (POST, PUT, DELETE,
    OPTIONS, TRACE...) gets 405 with an Allow header, not the page. Views marked with
    ``accepts_posts`` also take POST; the admin keeps its own rules."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS or request.path_info.startswith("/" + settings.ADMIN_URL):
            return None
        posts = getattr(view_func, "accepts_posts", False)
        if posts and request.method == "POST":
            return None
        return HttpResponseNotAllowed([*SAFE_METHODS, *(["POST"] if posts else [])])
