"""Links from proficiency tags to the page that says what each depth means."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

from roles.proficiency import ANCHORS

register = template.Library()


@lru_cache(maxsize=8)
def _page_address(script_prefix: str) -> str:
    # Keyed on the prefix so the address stays right if the site is served under a path;
    # tags repeat on every row of long tables, so the address is reversed only once.
    return reverse("roles:proficiency")


@register.simple_tag
def proficiency_url(depth) -> str:
    """The address of ``depth``'s definition, e.g. ``/proficiency/#working``."""
    address = _page_address(get_script_prefix())
    anchor = ANCHORS.get(depth)
    return f"{address}#{anchor}" if anchor else address
