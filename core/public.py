"""Which pages the page cache may keep, and which query parameters each one reads.

A page is kept only when its view says so, with ``@public_page`` (the same for
everyone) or, in ``core.privacy``, ``@private_page`` and ``@private_upload_page``. The
declaration names every query parameter the view reads; the page cache
(``core.page_cache``) builds the page's key from those parameters alone, so an address
with anything else in it (``?utm_source=...``) never becomes a page of its own.

A public view sees only the parameters it declares: the rest are taken out of
``request.GET`` before it runs. That makes the declaration true by construction (a
parameter left out of it is one the page cannot read, which its tests show at once),
and it keeps what the page renders, the links it echoes and any fragment keyed on the
query the same as for the address without the extra parameters.
"""

from dataclasses import dataclass
from functools import wraps

from django.http import QueryDict

from .addresses import view_at


@dataclass(frozen=True)
class PageQuery:
    """The query parameters a page reads. A ``private`` page is kept only when its
    address holds none but these; a public one is served from the page of these."""

    names: frozenset[str]
    private: bool = False

    def key(self, query: QueryDict) -> str:
        """The declared parameters with their values, sorted by name, as a query string."""
        return _only(query, self.names).urlencode()

    def holds_only_declared(self, query: QueryDict) -> bool:
        return set(query) <= self.names


def _only(query: QueryDict, names) -> QueryDict:
    kept = QueryDict("", mutable=True, encoding=query.encoding)
    for name in sorted(names):
        if name in query:
            kept.setlist(name, query.getlist(name))
    kept._mutable = False
    return kept


def declare(view, page_query: PageQuery):
    """Mark ``view`` with its declaration; outer decorators that use ``functools.wraps``
    carry it on."""
    view.page_query = page_query
    return view


def declared(view) -> PageQuery | None:
    """The declaration of ``view``, or None for a page the page cache must never keep."""
    return getattr(view, "page_query", None)


def declared_at(path: str) -> PageQuery | None:
    """The declaration of the view that serves ``path``, or None (no view, or none made)."""
    view = view_at(path)
    return None if view is None else declared(view)


def public_page(view=None, *, query: tuple[str, ...] = ()):
    """A page that is the same for everyone who asks with the same ``query`` parameters
    (and the same content). Use as ``@public_page`` or ``@public_page(query=("page",))``.
    """
    if view is None:
        return lambda inner: public_page(inner, query=query)
    names = frozenset(query)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not set(request.GET) <= names:
            request.GET = _only(request.GET, names)
        return view(request, *args, **kwargs)

    return declare(wrapped, PageQuery(names))
