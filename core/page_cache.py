"""Public pages served from the shared cache, never stale after an edit.

A page's key names the content generation (``generation()``, replaced by every committed
content change), the code fingerprint (so a new release never serves pages its templates
did not make), how the page was rendered (debug mode, the static files storage and its
manifest, so a page that `make run` rendered with plain static addresses is never served
by `make serve` in the same checkout, whose addresses are hashed), the response
encoding, the path and the query parameters the page reads.
An edit therefore shows on the next request from every worker and every server that
shares the cache. Each page is stored once per encoding, already compressed, so a hit
costs one query (the version row) and one cache read, and no rendering or
compressing.

Only pages whose view declares itself (``core.public.public_page``, or
``core.privacy.private_page`` for its public parameters) are kept, and their key holds
only the parameters declared, sorted. An address with any other parameter may be
answered from the page of its declared ones but is never stored itself, so a stream of
addresses such as ``/?utm_source=<n>`` adds nothing to the cache; a private page's
address with one is neither looked up nor stored. Only what is the same for everyone is
stored: GET and HEAD answers with status 200 that neither set a cookie, vary on one,
nor ask not to be stored; the admin is never cached. Every cacheable answer carries a
weak ETag made from the generation, and a request whose If-None-Match names it gets 304
without the page being looked up at all.

The host is checked before any of this, so a Host outside ALLOWED_HOSTS gets 400 on a
cached page as on any other. A cache that does not answer is a miss (``core.cache``), so
the page is rendered from the database; the generation lives there, beside the version.
"""

import gzip
import hashlib
from pathlib import Path

import brotli
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers

from .public import declared_at
from .versioning import generation, uncommitted_change

# Compressing takes longer than it saves below about a kilobyte.
MIN_COMPRESS = 1024
COMPRESSIBLE = ("text/", "application/json", "image/svg+xml", "application/xml")
KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "X-Robots-Tag")


def _code_fingerprint() -> str:
    """A digest of the templates and the project's Python files, the same on every server."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ("templates", *settings.PROJECT_APPS):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".html", ".py", ".txt", ".svg") and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def rendering_fingerprint() -> str:
    """A digest of what a page's HTML depends on besides the code and the content: debug
    mode, the static files storage, and the manifest of hashed static names when there is
    one (a new ``collectstatic`` with changed files gives new addresses)."""
    digest = hashlib.sha256()
    storage = settings.STORAGES["staticfiles"]["BACKEND"]
    digest.update(f"debug={settings.DEBUG};storage={storage};".encode())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if storage != "django.contrib.staticfiles.storage.StaticFilesStorage" and manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:12]


def choose_encoding(accept_encoding: str) -> str:
    """br or gzip when the client accepts it (q=0 refuses), otherwise identity."""
    accepted = {}
    for part in accept_encoding.split(","):
        name, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        accepted[name.strip().lower()] = quality
    for name in ("br", "gzip"):
        if accepted.get(name, accepted.get("*", 0.0)) > 0:
            return name
    return "identity"


def compress(body: bytes, encoding: str, *, every_time: bool = False) -> bytes:
    """``body`` compressed with ``encoding``. A page stored in the cache is compressed
    once, so harder; one compressed for ``every_time`` it is sent is compressed faster:
    on a 100 KB page brotli 3 takes a third of the time of brotli 5 for 13% more bytes.
    """
    if encoding == "br":
        # Quality 5 compresses HTML nearly as well as 11 at a small fraction of the time.
        return brotli.compress(body, quality=3 if every_time else 5)
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=4 if every_time else 6, mtime=0)
    return body


def _compressible(response) -> bool:
    return (
        not response.streaming
        and not response.has_header("Content-Encoding")
        and response.get("Content-Type", "").startswith(COMPRESSIBLE)
        and len(response.content) >= MIN_COMPRESS
    )


def encode(request, response):
    """Compress ``response`` for a client that accepts it; returns it.

    A page holding a CSRF token is left uncompressed: compressing a secret beside text
    the requester chose is what the BREACH attack measures.
    """
    patch_vary_headers(response, ("Accept-Encoding",))
    if not _compressible(response) or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return response
    encoding = choose_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if encoding != "identity":
        response.content = compress(response.content, encoding, every_time=True)
        response["Content-Encoding"] = encoding
        response["Content-Length"] = str(len(response.content))
    return response


class PageCacheMiddleware:
    """Serve and store whole public pages in the shared cache; compress every answer."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.fingerprint = f"{_code_fingerprint()}-{rendering_fingerprint()}"
        self.admin_prefix = "/" + settings.ADMIN_URL
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def _cacheable_request(self, request) -> bool:
        return (
            settings.PAGE_CACHE
            and request.method in ("GET", "HEAD")
            and not request.path.startswith(self.admin_prefix)
            and not request.path.startswith(self.static_prefix)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    def __call__(self, request):
        if not self._cacheable_request(request):
            return encode(request, self.get_response(request))
        # Raises DisallowedHost (a 400) for a Host outside ALLOWED_HOSTS, as the view's
        # own request would have, before any stored page can answer it.
        request.get_host()
        page = declared_at(request.path_info)
        if page is None:
            return encode(request, self.get_response(request))
        only_declared = page.holds_only_declared(request.GET)
        if page.private and not only_declared:
            return encode(request, self.get_response(request))
        token = generation()
        etag = f'W/"{self.fingerprint}-{token}"'
        if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        encoding = choose_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        query = page.key(request.GET)
        address = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
        key = f"page:{self.fingerprint}:{token}:{encoding}:{address}"
        stored = cache.get(key)
        if stored is not None:
            return self._rebuild(stored, etag)
        response = self.get_response(request)
        if not self._storable(response):
            return encode(request, response)
        response["ETag"] = etag
        patch_vary_headers(response, ("Accept-Encoding",))
        body = response.content
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        if _compressible(response) and encoding != "identity":
            body = compress(body, encoding)
            headers["Content-Encoding"] = encoding
        if only_declared:
            cache.set(key, (response.status_code, headers, body), settings.PAGE_CACHE_SECONDS)
        return self._rebuild((response.status_code, headers, body), etag)

    def _storable(self, response) -> bool:
        control = response.get("Cache-Control", "")
        return (
            not uncommitted_change()
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "no-store" not in control
            and "private" not in control
            and "Cookie" not in response.get("Vary", "")
        )

    def _rebuild(self, stored, etag: str) -> HttpResponse:
        status, headers, body = stored
        response = HttpResponse(body, status=status)
        for name, value in headers.items():
            response[name] = value
        response["ETag"] = etag
        response["Vary"] = "Accept-Encoding"
        # Browsers ask again every time, and get a 304 while nothing has changed.
        response["Cache-Control"] = "no-cache"
        return response
