"""A page of a list of role profiles, with its summary by level, kept per content
generation: the role list, an area's roles and the area's workforce view share it."""

from django.utils.functional import SimpleLazyObject

from core import content_cache
from core.pagination import page_of

from . import selectors


def role_page(request, roles, params: dict, *, per_page: int):
    """(page, the page's roles, the summary by level) of ``roles``, highest level first.

    Everything is kept under ``params`` (the filters that made ``roles``) and the page
    number. The summary's counts add up to the total, so the page needs no count of its
    own; the page's roles are read only when first used, so a page whose body comes
    from the content cache reads none. A page past the last is a 404.
    """
    parts = tuple(sorted(params.items()))
    summary = content_cache.get_or_set(
        "role-list-levels", parts, lambda: selectors.level_summary(roles, params=params)
    )
    total = sum(item["count"].total for item in summary)
    page = page_of(request, selectors.roles_highest_level_first(roles), per_page, count=total)
    shown = SimpleLazyObject(
        lambda: content_cache.get_or_set(
            "role-list-page", (*parts, per_page, page.number), lambda: list(page.object_list)
        )
    )
    return page, shown, summary
