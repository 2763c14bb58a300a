"""Pages whose address carries what a person entered (self-assessment answers, a job
description's employer, a skill mix): keep the address out of caches, out of other
sites' logs through the Referer header, and out of search engines."""

from functools import wraps

from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .public import PageQuery, declare


def private_page(view=None, *, public: tuple[str, ...] = ()):
    """Private when the address carries a query, unless every parameter in it is one of
    ``public``: choices that are the same for everyone, such as the planner's service.
    Without one the page holds nothing a person entered (the first step of a
    self-assessment, a blank job description, the planner's choice of area) and is the
    same for everyone, so the page cache may keep it. Use as ``@private_page`` or
    ``@private_page(public=("area",))``.

    The page cache keeps the page only for an address that holds nothing but ``public``
    parameters; any other is neither looked up nor stored."""
    if view is None:
        return lambda inner: private_page(inner, public=public)
    private = never_cache(view)
    allowed = set(public)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.META.get("QUERY_STRING") or set(request.GET) <= allowed:
            response = view(request, *args, **kwargs)
        else:
            response = private(request, *args, **kwargs)
            response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        return response

    return declare(wrapped, PageQuery(frozenset(public), private=True))


def _answered_by_post(view, *, blank_form_indexed: bool):
    """``view`` answering a form sent by POST: the answer is never cached and kept out of
    search engines, with no CSRF token (see ``private_upload_page``); the blank form (a
    GET) reads no query parameters, so the page cache may keep it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        answer = request.method not in ("GET", "HEAD")
        if answer:
            add_never_cache_headers(response)
        if answer or not blank_form_indexed:
            response["X-Robots-Tag"] = "noindex"
        if answer and blank_form_indexed:
            response["Referrer-Policy"] = "no-referrer"
        return response

    return csrf_exempt(declare(wrapped, PageQuery(frozenset(), private=not blank_form_indexed)))


def private_upload_page(view):
    """Pages that take an upload (a POST) and answer with what it held: the answer is
    kept out of caches, and every answer out of search engines. The blank form (a GET)
    is the same for everyone, so the page cache may keep it.

    They take no CSRF token. A forged upload changes nothing on the server and only
    shows its result to the person whose browser sent it, which a link can already do
    (the answers a result shows travel in addresses anyway). Without a token the blank
    form sets no cookie, so it can be cached and compressed; and browsers may send
    "Origin: null" with the form, which a CSRF check would refuse.
    """
    return _answered_by_post(view, blank_form_indexed=False)


def private_answer_page(view):
    """A public form whose answers come back in a POST body (the guided "ways in" page):
    the blank form is a public page like any other, which search engines may list and
    the page cache may keep; an answer is kept out of caches and search engines, and
    links on it send no Referer. No CSRF token, for the reasons ``private_upload_page``
    gives: a forged answer changes nothing and shows only to whoever sent it."""
    return _answered_by_post(view, blank_form_indexed=True)
