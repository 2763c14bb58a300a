"""Small helpers for the multi-line text fields that competences and roles both store.

They live in the lowest app that needs them, so that ``roles`` can use them without
``competences`` ever reaching up into ``roles``.
"""


def split_lines(text: str) -> list[str]:
    """The non-empty lines of a multi-line text field, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]
