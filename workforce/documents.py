"""Word documents (.docx) built with python-docx, in one plain house style.

Documents say what they are on every page: the page header holds the content's status
(``core.provenance``), and the page footer the framework's name, edition and published
version, the date the document was made, the page address it came from and the page
number, so a printed job description can be traced back to the framework as it stood.
"""

import io
import re

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

# framework_citation and source_note are also read from here by the documents' builders.
from core.provenance import framework_citation, made_on, source_note, status_statement
from core.text import xml_safe

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def new_document(title: str, *, address: str = ""):
    """A document with the house body font and ``title`` as its first heading, whose
    every page says what it is (see ``add_page_notes``); ``address`` is the page it
    was made from, when there is one."""
    title = xml_safe(title)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    for name in ("Header", "Footer"):
        document.styles[name].font.size = Pt(8)
    document.core_properties.title = title
    document.core_properties.author = settings.SERVICE_NAME
    document.core_properties.comments = status_statement()
    add_page_notes(document, address=address)
    document.add_heading(title, level=0)
    return document


def add_page_notes(document, *, address: str = "") -> None:
    """The page header says what the content is; the page footer names the framework's
    edition and version, the day the document was made, the page it came from and the
    page number. Both use Word's own Header and Footer styles."""
    section = document.sections[0]
    section.header.paragraphs[0].text = status_statement()
    section.header.paragraphs[0].style = document.styles["Header"]
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    note = _("%(framework)s. Made on %(date)s.") % {
        "framework": framework_citation(),
        "date": made_on(),
    }
    if address:
        # The page without its query: a planner's mix can run to several lines, too many
        # for every page; the whole address belongs in the source note at the end (add_source).
        note += " " + _("From %(address)s") % {"address": address.split("?", 1)[0]}
    footer.text = note
    numbers = section.footer.add_paragraph(style=document.styles["Footer"])
    fields = {"%(page)s": "PAGE", "%(pages)s": "NUMPAGES"}
    for part in re.split(r"(%\(pages?\)s)", _("Page %(page)s of %(pages)s")):
        if part in fields:
            _add_field(numbers, fields[part])
        elif part:
            numbers.add_run(part)


def _add_field(paragraph, instruction: str) -> None:
    """A field Word and LibreOffice fill in when they show the page (here, numbers)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"  # shown until the reader works the field out
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def add_bullets(document, items) -> None:
    for item in items:
        document.add_paragraph(xml_safe(str(item)), style="List Bullet")


def add_table(document, header: list[str], rows: list[list], widths_cm=None):
    """A simple grid table with a bold header row that repeats across pages; with
    ``widths_cm``, fixed column widths and rows kept whole (see ``fit_table``)."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(xml_safe(str(text))).bold = True
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val", "true")
    row_properties.append(repeat)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = xml_safe(str(value))
    if widths_cm:
        fit_table(table, widths_cm)
    return table


def fit_table(table, widths_cm: list[float]) -> None:
    """Fixed column widths, so long titles get the room (Word and LibreOffice otherwise
    split the page into equal columns), and rows that never break across a page."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        # LibreOffice reads the table's grid, Word each cell's own width: set both.
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    for row in table.rows:
        # cantSplit comes before tblHeader in the schema, and Word is strict about order.
        row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))


def add_source(document, address: str) -> None:
    """Where the document came from, at its end."""
    paragraph = document.add_paragraph()
    paragraph.add_run().add_break(WD_BREAK.LINE)
    run = paragraph.add_run(source_note(address))
    run.italic = True
    run.font.size = Pt(9)


def docx_response(document, filename: str) -> HttpResponse:
    out = io.BytesIO()
    document.save(out)
    response = HttpResponse(out.getvalue(), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- Column widths -----------------------------------------------------------------------

# Word's default cell margins, left and right together.
CELL_MARGINS_CM = 0.38
# The most a character takes in Arial Bold (and its metric twin Liberation Sans Bold), in
# ems: capitals, m, w, %, & and @ at most 0.98 (@ is the widest, 0.975); any other
# character of plain ASCII at most 0.62; anything else is counted as 1. A width worked
# out from these never understates a word.
WIDE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZmw%&@")
WIDE_EM, OTHER_EM, UNKNOWN_EM = 0.98, 0.62, 1.0
CM_PER_POINT = 2.54 / 72


def longest_word_cm(text: str, *, size_pt: float = 11) -> float:
    """At most how wide the longest word of ``text`` prints in bold at ``size_pt``, with
    the cell's margins: a column narrower than this breaks the word in the middle. A line
    may break after a hyphen, so "Whole-time" is two words."""
    words = text.replace("-", "- ").split()
    ems = max((sum(_character_em(ch) for ch in word) for word in words), default=0)
    return ems * size_pt * CM_PER_POINT + CELL_MARGINS_CM


def _character_em(ch: str) -> float:
    if not ch.isascii():
        return UNKNOWN_EM
    return WIDE_EM if ch in WIDE_CHARACTERS else OTHER_EM


def header_widths_cm(header: list[str], widths_cm: list[float]) -> list[float]:
    """``widths_cm`` with every column at least as wide as its heading's longest word
    (``longest_word_cm``), the room taken from the widest column so that the table keeps
    its width."""
    widths = [
        max(width, longest_word_cm(str(text)))
        for text, width in zip(header, widths_cm, strict=True)
    ]
    widest = widths.index(max(widths))
    widths[widest] -= sum(widths) - sum(widths_cm)
    return widths
