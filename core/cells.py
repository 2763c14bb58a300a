"""Text that a spreadsheet program would run as a formula.

Excel and LibreOffice read a cell that starts with =, +, - or @ (or a tab or carriage
return) as a formula, so text from the content or from an upload could run one on a
manager's machine. Every file the site writes neutralises such text the way OWASP
recommends, with a leading apostrophe, which spreadsheets show as plain text; a gap file
read back that holds one was therefore not written by the site.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """``text``, made plain text with a leading apostrophe if it would run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
