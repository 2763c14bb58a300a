"""``{% capture as name %}…{% endcapture %}``: what a part of a template renders, kept
under ``name`` to be shown more than once.

The page head shows each page's title and description three times (the title element
and description meta tag, the Open Graph tags and the Twitter card), but a Django block
can be defined only once per template. ``base.html`` therefore captures the ``title``
and ``description`` blocks, which pages override as before, and shows what they
rendered wherever it is needed. Runs of white space become one space, as a browser
shows a title: the text is already escaped, so this cannot break an entity.
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    # Blocks inside are found by ``{% extends %}`` through this name, as in any tag.
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist, name: str):
        self.nodelist = nodelist
        self.name = name

    def render(self, context) -> str:
        # Rendered with autoescaping as anywhere else in the template, so safe as it is.
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))
        return ""


@register.tag
def capture(parser, token):
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Use {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
