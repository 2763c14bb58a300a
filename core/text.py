"""The one cleaner for text that people type or send.

Control characters mean nothing in what a person types: a NUL byte that reaches
PostgreSQL raises an error instead of matching nothing, and none can be printed or
stored in a Word file. Bidirectional overrides and isolates can make text read
differently from what it holds. Tabs and line breaks are kept in text that may span
lines, and become spaces on one line.

The query-string middleware drops control characters from every parameter before any
view reads it (``without_controls``); the forms and pages that read typed text then
clean it fully (``clean_text``, ``one_line``), so a form can still tell a person that it
took out characters that reorder text.
"""

import re

# Control characters (Unicode category Cc: C0, DEL and C1) other than tab, line feed
# and carriage return.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same, and the bidirectional overrides and isolates.
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def without_controls(text: str) -> str:
    """``text`` without control characters; tabs and line breaks are kept."""
    return CONTROLS.sub("", text)


def clean_text(text: str) -> str:
    """``text`` without control characters or bidirectional overrides; tabs and line
    breaks are kept."""
    return UNWANTED.sub("", text)


def one_line(text: str, *, limit: int | None = None) -> str:
    """``text`` cleaned (``clean_text``) and on one line: tabs, line breaks and runs of
    spaces become one space, none at either end; cut to ``limit`` characters if given."""
    text = " ".join(clean_text(text).split())
    return text if limit is None else text[:limit]
