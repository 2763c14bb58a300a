"""The header's navigation, rendered once per process for each page it can mark current.

Every page shows the same five links; only which one (if any) is the page itself
changes. So the list is rendered at most six times per language and script prefix and
remembered, instead of five includes and five reversed addresses on every request
(except in development, where templates change under a running server).
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
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

register = template.Library()


def _render(current: str) -> str:
    items = [(address(name), label) for name, label in NAVIGATION]
    return render_to_string("includes/_navigation.html", {"items": items, "current": current})


@lru_cache(maxsize=64)
def _remembered(current: str, language: str, script_prefix: str) -> str:
    return _render(current)


@register.simple_tag(takes_context=True)
def site_navigation(context) -> str:
    """The header's navigation items, the one for this page (if any) marked current."""
    request = context.get("request")
    path = request.path if request is not None else ""
    current = path if any(address(name) == path for name, _label in NAVIGATION) else ""
    if settings.DEBUG:
        return mark_safe(_render(current))
    return mark_safe(_remembered(current, get_language() or "", get_script_prefix()))
