"""Proficiency tags, and links from them to the page that says what each depth means."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from roles.models import Proficiency
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


def _render_tag(depth: int, essential: bool) -> str:
    return render_to_string(
        "includes/_proficiency.html",
        {"level": depth, "label": Proficiency(depth).label, "essential": bool(essential)},
    )


@lru_cache(maxsize=64)
def _remembered_tag(depth: int, essential: bool, language: str, script_prefix: str) -> str:
    return _render_tag(depth, essential)


@register.simple_tag
def proficiency_tag(depth, essential) -> str:
    """The proficiency and essential or desirable tags (includes/_proficiency.html).

    Only eight different tags exist, yet long tables repeat them on every row: each is
    rendered once per language and kept (except in development, where templates change).
    """
    if settings.DEBUG:
        return mark_safe(_render_tag(depth, essential))
    return mark_safe(
        _remembered_tag(int(depth), bool(essential), get_language(), get_script_prefix())
    )
