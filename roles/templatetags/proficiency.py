"""Proficiency tags, and links from them to the page that says what each depth means."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.addresses import address
from roles.models import Proficiency
from roles.proficiency import ANCHORS

register = template.Library()


@register.simple_tag
def proficiency_url(depth) -> str:
    """The address of ``depth``'s definition, e.g. ``/proficiency/#working``."""
    page = address("roles:proficiency")
    anchor = ANCHORS.get(depth)
    return f"{page}#{anchor}" if anchor else page


@register.simple_tag
def proficiency_tag(depth, essential) -> str:
    """The proficiency tag, linked to its definition, and the essential or desirable tag.

    Long tables repeat it on every row, yet only eight different tags exist: each is
    built once per process for each language and address prefix, and remembered, like
    the addresses it links (``core.addresses``).
    """
    return _tag(int(depth), bool(essential), get_language() or "", get_script_prefix())


@lru_cache(maxsize=64)
def _tag(depth: int, essential: bool, language: str, script_prefix: str) -> str:
    kind = (
        format_html('<strong class="nhsuk-tag nhsuk-tag--white">{}</strong>', _("Essential"))
        if essential
        else format_html('<strong class="nhsuk-tag nhsuk-tag--grey">{}</strong>', _("Desirable"))
    )
    return format_html(
        '<strong class="nhsuk-tag app-proficiency app-proficiency--{}">'
        '<a class="app-proficiency__link" href="{}">{}'
        '<span class="nhsuk-u-visually-hidden"> {}</span></a></strong>\n{}',
        depth,
        proficiency_url(depth),
        Proficiency(depth).label,
        _("(what this proficiency means)"),
        kind,
    )
