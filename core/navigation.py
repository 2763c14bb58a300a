"""The header's navigation: the same five links on every page, the page itself (if it is
one of them) marked current.

The list depends only on the code, the language and the address the site is served
under, so each of its at most six forms (one per link marked current, and none) is
built once per process and remembered, like the addresses it links (``addresses``).
"""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .addresses import address

# The header's links, in order: (URL name, label).
NAVIGATION = [
    ("roles:role-list", _("Role profiles")),
    ("competences:section-list", _("Competences")),
    ("competences:standard-list", _("Standards")),
    ("pathways:map", _("Career pathways")),
    ("roles:about", _("About")),
]

ITEM = (
    '\n  <li class="nhsuk-header__navigation-item">\n'
    '    <a class="nhsuk-header__navigation-link" href="{}">{}</a>\n  </li>'
)
CURRENT = (
    '\n  <li class="nhsuk-header__navigation-item nhsuk-header__navigation-item--current">\n'
    '    <a class="nhsuk-header__navigation-link" href="{}" aria-current="page">'
    '<strong class="nhsuk-header__navigation-item-current-fallback">{}</strong></a>\n  </li>'
)

register = template.Library()


@lru_cache(maxsize=64)
def _items(current: str, language: str, script_prefix: str) -> str:
    items = [(address(name), label) for name, label in NAVIGATION]
    return format_html_join(
        "",
        "{}",
        (
            (format_html(CURRENT if href == current else ITEM, href, label),)
            for href, label in items
        ),
    )


@register.simple_tag(takes_context=True)
def site_navigation(context) -> str:
    """The header's navigation items, the one for this page (if any) marked current."""
    request = context.get("request")
    path = request.path if request is not None else ""
    language, prefix = get_language() or "", get_script_prefix()
    current = path if path in _links(language, prefix) else ""
    return _items(current, language, prefix)


@lru_cache(maxsize=16)
def _links(language: str, script_prefix: str) -> frozenset[str]:
    return frozenset(address(name) for name, _label in NAVIGATION)
