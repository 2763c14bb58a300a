"""Pages whose address carries what a person entered (self-assessment answers, a job
description's employer, a skill mix): keep the address out of caches, out of other
sites' logs through the Referer header, and out of search engines."""

from functools import wraps

from django.views.decorators.cache import never_cache


def private_page(view):
    """Private when the address carries a query. Without one the page holds nothing a
    person entered (the first step of a self-assessment, a blank job description, the
    planner's choice of area) and is the same for everyone, so the page cache may keep it."""
    private = never_cache(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.META.get("QUERY_STRING"):
            response = view(request, *args, **kwargs)
        else:
            response = private(request, *args, **kwargs)
            response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


def private_upload_page(view):
    """Pages that take an upload (a POST) and answer with what it held: out of caches
    and search engines. The site's same-origin Referrer-Policy stays, because under
    no-referrer browsers send "Origin: null" with the form and Django's CSRF check
    refuses it; these addresses carry nothing a person entered, so that is safe."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    return never_cache(wrapped)
