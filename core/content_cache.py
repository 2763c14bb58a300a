"""What depends only on the content, worked out once and kept until the content changes.

A page mixes two kinds of work: what depends on the request (the answers a person gave,
the roles they chose) and what depends only on the framework's content (a role's
competence tables, the moves out of it, the roles that rest on a standard). The second
kind is the same for every visitor until an editor changes something, so it is worked
out once and kept in the shared cache under the content generation, the token every
committed content change replaces: the next request after an edit, from any worker on
any server sharing the cache, works it out afresh. This holds with the whole-page cache
off too, and serves the pages that carry a person's input, which are never kept whole.

``remember`` keeps a value; the ``{% content_cache %}`` tag keeps a rendered piece of a
template and skips everything inside it, including the queries its lazy variables would
make. Keys also name the release (so new templates never reuse what old ones made), the
language and the script prefix (kept pieces hold translated text and addresses).

The generation comes from ``interchange``, the app that owns content versions; it
registers itself with ``use_generation`` when the site starts, so the content apps
below it can keep their work here without importing it. Nothing is kept in development,
where templates change under a running server, nor when ``CONTENT_CACHE`` is off (the
tests, whose content changes never commit).
"""

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from django import template
from django.conf import settings
from django.core.cache import cache
from django.urls import get_script_prefix
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

_generation: Callable[[], str] | None = None
_release: str | None = None


def use_generation(source: Callable[[], str]) -> None:
    """Name the function that gives the current content generation (called at start-up)."""
    global _generation
    _generation = source


def _release_fingerprint() -> str:
    global _release
    if _release is None:
        # The digest the page cache puts in its keys: templates and the project's code.
        from .page_cache import _code_fingerprint

        _release = _code_fingerprint()
    return _release


def enabled() -> bool:
    return bool(settings.CONTENT_CACHE and not settings.DEBUG and _generation is not None)


def content_key(name: str, *parts) -> str:
    """The cache key for ``name`` with ``parts`` under the current content and release."""
    detail = hashlib.sha256(repr(parts).encode()).hexdigest()[:24]
    return ":".join(
        (
            "content",
            _release_fingerprint(),
            _generation(),
            get_language() or "",
            get_script_prefix(),
            name,
            detail,
        )
    )


# Values kept in this process as well (``remember(..., here=True)``), the most recently
# used first to go: the few that are large and read on every request, which would
# otherwise be unpickled from the shared cache each time. Their keys name the content
# generation, so an edit anywhere is seen here on the next request, as in the cache.
HERE_MOST = 16
_here: OrderedDict[str, object] = OrderedDict()
_here_lock = threading.Lock()


def remember(name: str, parts: tuple, compute: Callable[[], object], *, here: bool = False):
    """``compute()``, kept under ``name`` and ``parts`` until the content changes.

    ``parts`` must name everything besides the content that the value depends on, as
    plain values (numbers, strings and lists of them, whose ``repr`` names them), and
    the value must pickle. None is never kept (it means "not cached" to the cache).
    With ``here``, the value is also kept in this process, shared by its requests: the
    caller must never change it.
    """
    if not enabled():
        return compute()
    try:
        key = content_key(name, *parts)
        if here:
            with _here_lock:
                if key in _here:
                    _here.move_to_end(key)
                    return _here[key]
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that has gone away must not fail the page
        logger.warning("The content cache could not be read; working %s out afresh.", name)
        return compute()
    if value is None:
        value = compute()
        if value is not None:
            try:
                cache.set(key, value, settings.PAGE_CACHE_SECONDS)
            except Exception:  # noqa: BLE001 - as above: the page is still right
                logger.warning("The content cache could not keep %s.", name)
    if here and value is not None:
        with _here_lock:
            _here[key] = value
            while len(_here) > HERE_MOST:
                _here.popitem(last=False)
    return value


# --- The template tag ------------------------------------------------------------------

register = template.Library()


class ContentCacheNode(template.Node):
    def __init__(self, nodelist, name, parts):
        self.nodelist = nodelist
        self.name = name
        self.parts = parts

    def render(self, context):
        if not enabled():
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        parts = tuple(part.resolve(context) for part in self.parts)
        return remember(name, parts, lambda: self.nodelist.render(context))


@register.tag("content_cache")
def do_content_cache(parser, token):
    """``{% content_cache "name" part ... %}…{% endcontent_cache %}``: the enclosed
    template, rendered once per content generation for each set of ``part`` values.

    Everything the enclosed template shows must depend only on the content and the
    parts: never on the request, the person's input or anything else.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            "content_cache needs a name, then the values the enclosed part depends on."
        )
    nodelist = parser.parse(("endcontent_cache",))
    parser.delete_first_token()
    return ContentCacheNode(
        nodelist,
        parser.compile_filter(bits[1]),
        [parser.compile_filter(bit) for bit in bits[2:]],
    )
