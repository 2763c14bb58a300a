"""schema.org data for search engines, written into a page as a JSON-LD script element.

A script element of type ``application/ld+json`` is a data block: browsers never run it,
so the Content-Security-Policy, which allows only the site's own script files, has
nothing to allow. What each page says is built where its data lives
(``competences.structured_data``, ``roles.structured_data``).
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

CONTEXT = "https://schema.org"

# As Django's json_script: text that would end the script element, or open a comment
# or markup in it, is written as a JSON escape, which reads back as the same text.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def script(data: dict) -> SafeString:
    """``data`` in the schema.org context, as a JSON-LD script element safe in a page."""
    text = json.dumps(
        {"@context": CONTEXT, **data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    # Safe once escaped for a script element: the JSON holds no markup any more.
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(text.translate(_SCRIPT_ESCAPES))
    )


def plain(text: str) -> str:
    """Text on one line, as a search engine shows a description."""
    return " ".join(text.split())
