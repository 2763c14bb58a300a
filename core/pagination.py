"""Pages of a long list: the ``?page=N`` parameter, and the links between pages.

Every page that could list the whole framework (roles, standards, sections, search
results, moves) shows a fixed number of items at a time, so its size and the work it
does stay the same however large the framework grows. One rule for the page number
everywhere: a missing or malformed number shows the first page; a number past the last
page is a 404, because that page does not exist.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

PAGE_PARAMETER = "page"
# Page numbers are short runs of ASCII digits; anything else (including "²", which
# str.isdigit() accepts and int() refuses) counts as no number at all.
PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


class _KnownCountPaginator(Paginator):
    """A paginator told its total, for lists whose size is already counted elsewhere."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def requested_page_number(request) -> int:
    """The page asked for in ``?page=``; 1 when it is missing or not a plain number."""
    raw = request.GET.get(PAGE_PARAMETER, "")
    return int(raw) if PAGE_NUMBER.fullmatch(raw) and int(raw) > 0 else 1


def page_of(request, items, per_page: int, *, count: int | None = None) -> Page:
    """The page of ``items`` the request asks for: a slice, never the whole list.

    ``items`` may be a queryset (sliced in the database) or a list. Pass ``count`` when
    the total is already known, to save counting again. A page past the end is a 404;
    an empty list still has an (empty) first page.
    """
    paginator = (
        Paginator(items, per_page)
        if count is None
        else _KnownCountPaginator(items, per_page, count=count)
    )
    number = requested_page_number(request)
    if number > paginator.num_pages:
        raise Http404(_("There is no page %(number)d of this list.") % {"number": number})
    return paginator.page(number)


@dataclass
class PageLink:
    number: int | None  # None for the ellipsis between distant pages
    href: str = ""
    current: bool = False

    @property
    def ellipsis(self) -> bool:
        return self.number is None


@dataclass
class Pagination:
    """What the pagination component shows: previous, numbered pages, next, and the
    "showing 51 to 100 of 2,121" numbers (already formatted with thousands separators)."""

    page: Page
    links: list[PageLink]
    previous_href: str
    next_href: str

    @property
    def first_shown(self) -> str:
        return f"{self.page.start_index():,}"

    @property
    def last_shown(self) -> str:
        return f"{self.page.end_index():,}"

    @property
    def total(self) -> str:
        return f"{self.page.paginator.count:,}"

    @property
    def several_pages(self) -> bool:
        return self.page.paginator.num_pages > 1


def page_href(path: str, params: dict, number: int, fragment: str = "") -> str:
    """The address of page ``number`` of the list at ``path``, keeping ``params`` (the
    filters): a query string alone when there is one, else ``path`` itself."""
    kept = {key: value for key, value in params.items() if value not in ("", None, False)}
    if number > 1:
        kept[PAGE_PARAMETER] = number
    query = urlencode(kept, doseq=True)
    return ("?" + query if query else path) + (f"#{fragment}" if fragment else "")


def pagination(page: Page, path: str, params: dict | None = None, *, fragment: str = ""):
    """Links for the NHS.UK numbered pagination of the list at ``path``: the first and
    last pages, the pages beside the current one, and an ellipsis for each run left out.
    ``params`` are the filters every link keeps; ``fragment`` is where each link lands."""
    params = params or {}

    def href(number: int) -> str:
        return page_href(path, params, number, fragment)

    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append(PageLink(None))
        else:
            links.append(PageLink(number, href(number), number == page.number))
    return Pagination(
        page=page,
        links=links,
        previous_href=href(page.previous_page_number()) if page.has_previous() else "",
        next_href=href(page.next_page_number()) if page.has_next() else "",
    )
