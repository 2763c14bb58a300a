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


# --- Stored text -----------------------------------------------------------------------
#
# What the content may hold, for every writer of it: the admin, the importer, the seed
# loader and code that saves a model. Line endings are made "\n" (and the Unicode line
# and paragraph separators become one); single-line fields get spaces instead of line
# breaks and tabs. What cannot be printed or stored anywhere is refused, naming the
# field: control characters other than tab and line feed, bidirectional overrides and
# isolates (they make text read differently from what it holds), and lone surrogates
# (half of a character, which no UTF-8 file or database can hold).

REFUSED_IN_STORED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
LINE_ENDINGS = re.compile("\r\n|\r|\u2028|\u2029")
LINE_BREAKS_AND_TABS = re.compile("[\t\n\r\u2028\u2029]")


def normalised_stored(text: str, *, multiline: bool) -> str:
    """``text`` with its line endings made "\\n" (``multiline``) or made spaces."""
    if multiline:
        return LINE_ENDINGS.sub("\n", text)
    return LINE_BREAKS_AND_TABS.sub(" ", text)


def refused_character(text: str) -> tuple[str, int] | None:
    """The first character stored text may not hold, and its position from 1, or None."""
    match = REFUSED_IN_STORED.search(text)
    return (match.group(), match.start() + 1) if match else None


def refusal_message(label: str, found: tuple[str, int]) -> str:
    from django.utils.translation import gettext

    character, position = found
    return gettext(
        "The %(field)s holds a character that cannot be stored (U+%(code)04X, at position "
        "%(position)d), such as a control character pasted from another program. Remove it "
        "and save again."
    ) % {"field": label, "code": ord(character), "position": position}


# Characters XML 1.0 cannot hold, which Word and Excel files are made of: the writers
# drop them, so a value that slipped past the rule above cannot stop a download.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters an XML file (a Word or Excel file) cannot hold."""
    return NOT_IN_XML.sub("", text)


def xml_safe_copy(value):
    """``value`` with every string in it made ``xml_safe``: strings, lists, tuples (named
    ones too), dicts and dataclasses, rebuilt; anything else as it is."""
    import dataclasses

    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list):
        return [xml_safe_copy(item) for item in value]
    if isinstance(value, tuple):
        items = [xml_safe_copy(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        return {key: xml_safe_copy(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{
                f.name: xml_safe_copy(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init
            },
        )
    return value
