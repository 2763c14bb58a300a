"""What depends only on the content, worked out once per content generation.

A page mixes two kinds of work: what depends on the request (the answers a person gave,
the roles they chose) and what depends only on the framework's content (a role's
competence tables, the roles that rest on a standard). The second kind is the same for
every visitor until an editor changes something, so it is kept in the ``content`` cache
under the content generation (``core.versioning``), which every committed change
replaces: the next request after an edit, on any server sharing the cache, works it out
afresh. This serves the pages that carry a person's input, which are never kept whole,
and every page when the whole-page cache is off.

Two doors, both Django's own: ``get_or_set`` here for values, and the ``{% cache %}``
template tag with ``using="content"`` for rendered parts of templates, which names the
``content_generation`` that ``context_processors.framework_version`` puts in every
template. Keys also name the release (new code never reuses what old code made). In
development, and with ``DJANGO_CONTENT_CACHE`` off, the ``content`` cache is Django's
dummy cache, which keeps nothing.
"""

import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches

from . import versioning

_release: str | None = None


def release() -> str:
    """A digest of the templates and the project's code, and of how pages are rendered
    (debug mode and static addresses), the same on every server of one release."""
    global _release
    if _release is None:
        from .page_cache import _code_fingerprint, rendering_fingerprint

        _release = f"{_code_fingerprint()}-{rendering_fingerprint()}"
    return _release


def generation_key() -> str:
    """The release and the content generation: what every content cache key names.

    Inside a transaction that has changed the content and not yet committed, a key of
    its own that nobody will ask for again: the generation changes once per transaction,
    so what is worked out between two of its writes must never be kept under it."""
    if versioning.uncommitted_change():
        return f"uncommitted-{secrets.token_hex(8)}"
    return f"{release()}-{versioning.generation()}"


def get_or_set(name: str, parts: tuple, compute: Callable[[], object]):
    """``compute()``, kept under ``name`` and ``parts`` until the content changes.

    ``parts`` must name everything besides the content that the value depends on, as
    plain values whose ``repr`` names them, and the value must pickle. None is never
    kept (it means "missing" to the cache). The key is made once, before ``compute``
    runs: were the content to change meanwhile, the value would be kept under the
    generation that is over, and never served.
    """
    if versioning.uncommitted_change():
        return compute()
    detail = hashlib.sha256(repr(parts).encode()).hexdigest()[:24]
    key = f"content:{generation_key()}:{name}:{detail}"
    cache = caches["content"]
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value
