"""The header's navigation: the same five links on every page, the page itself (if it is
one of them) marked current."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
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


@register.simple_tag(takes_context=True)
def site_navigation(context) -> str:
    """The header's navigation items, the one for this page (if any) marked current."""
    request = context.get("request")
    path = request.path if request is not None else ""
    items = [(address(name), label) for name, label in NAVIGATION]
    current = path if any(href == path for href, _label in items) else ""
    return mark_safe(
        render_to_string("includes/_navigation.html", {"items": items, "current": current})
    )
