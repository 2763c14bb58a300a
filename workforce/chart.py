"""A horizontal bar chart drawn on the server as inline SVG.

The picture is a summary for sighted readers: it is an image with a title and a short
description, and the page always puts the same numbers in a table beside it, so nothing
is known only from the bars. No script is needed to draw it.
"""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LABEL_WIDTH = 80
BAR_WIDTH = 280
VALUE_WIDTH = 56
ROW_HEIGHT = 40
BAR_HEIGHT = 26
PADDING = 8
BAR_COLOUR = "#005eb8"
TEXT_COLOUR = "#212b32"
AXIS_COLOUR = "#4c6272"


def _number(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def bar_chart(
    bars: list[tuple[str, Decimal]], *, title: str, description: str, chart_id: str
) -> SafeString:
    """An SVG with one bar per (label, value), longest for the largest value."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = PADDING * 2 + ROW_HEIGHT * max(len(bars), 1)
    largest = max((Decimal(value) for _label, value in bars), default=Decimal(0)) or Decimal(1)
    parts = [
        f'<svg class="app-bar-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        top = PADDING + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        length = round(float(Decimal(value) / largest) * BAR_WIDTH, 1)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="central" fill="{TEXT_COLOUR}" font-size="17">'
            f"{escape(label)}</text>"
        )
        if length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{middle - BAR_HEIGHT / 2}" width="{length}" '
                f'height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" dominant-baseline="central" '
            f'fill="{TEXT_COLOUR}" font-size="17" font-weight="bold">{_number(value)}</text>'
        )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{PADDING / 2}" x2="{LABEL_WIDTH}" '
        f'y2="{height - PADDING / 2}" stroke="{AXIS_COLOUR}" stroke-width="2"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
