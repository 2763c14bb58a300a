"""How the site answers at the edge, before any page: static files, oversized requests.

Static files: whitenoise serves them, with hashed names cached for one year rather than
whitenoise's ten.

Oversized requests get 413 and a plain page saying so, in two places. A body larger
than ``MAX_REQUEST_BYTES`` is refused before a byte of it is read, so a huge upload
cannot keep a worker busy. Form data past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or a
non-file part of an upload past it) makes Django raise ``RequestDataTooBig`` while the
body is read, which it answers with 400; ``bad_request`` answers that one with 413 too.
The upload pages check their files themselves, below these limits, and say which file
is too large and what the limit is.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults
from whitenoise.middleware import WhiteNoiseMiddleware

ONE_YEAR = 365 * 24 * 60 * 60


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """Whitenoise, with hashed (immutable) files cached for one year."""

    FOREVER = ONE_YEAR


def too_large(request):
    """The plain 413 page, which echoes nothing of what was sent."""
    return HttpResponse(render_to_string("413.html", request=request), status=413)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than ``MAX_REQUEST_BYTES`` with 413,
    without reading the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads a bad length as no body, and so does this check.
        if length > settings.MAX_REQUEST_BYTES:
            return too_large(request)
        return self.get_response(request)


def bad_request(request, exception, *args, **kwargs):
    """Django's 400 handler, except that form data over the limit gets the 413 page."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return defaults.bad_request(request, exception, *args, **kwargs)
