"""A development record as a person takes it into a supervision or appraisal meeting:
a Word document to fill in and sign, and a page to print.

Both are drawn from one ``RecordSheet``, put together once from the record and the role
profile, so the Word file and the printed page always say the same thing in the same
order. The record itself comes from the person (a form or their data file) and is
never stored here; what they typed is cleaned of characters that cannot be printed or
held in a Word file, and stays plain text in both: a note that starts with "=" or holds
markup is shown as written and never acted on.
"""

import datetime
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from core import versioning
from core.addresses import public_address
from core.provenance import framework_citation, status_statement
from core.text import clean_text, xml_safe, xml_safe_copy
from pathways.assessment import Answer
from pathways.development_record import DevelopmentRecord, RecordItem
from roles.models import Proficiency, RoleProfile
from roles.selectors import role_requirements_by_section

from .documents import add_table, docx_response, fit_table, new_document

APPRAISAL_GUIDANCE = (
    "https://www.nhsemployers.org/your-workforce/retain-and-improve/appraisals/"
    "preparing-for-appraisal"
)
# Printed as a line to write on, in Word; the page draws its own (static/css/site.css).
WRITE_IN = "_" * 28
WRITE_IN_SHORT = "_" * 14


@dataclass(frozen=True)
class RecordRow:
    """One competence as the record's table shows it: every value already in words."""

    code: str
    title: str
    required: str
    self_rating: str
    evidence: str
    action: str
    target: str
    overdue: bool
    learning: tuple[str, ...]
    confirmed: str


@dataclass(frozen=True)
class RecordSection:
    """A competence section and the record's competences in it, in the profile's order."""

    title: str
    rows: tuple[RecordRow, ...]


@dataclass(frozen=True)
class RecordSheet:
    """Everything the Word document and the printed page show, in the order they show it.

    ``details`` are (label, value) pairs; an empty value is a line left to fill in by hand.
    """

    title: str
    details: tuple[tuple[str, str], ...]
    purpose: str
    guidance: str
    guidance_address: str
    version_note: str
    sections: tuple[RecordSection, ...]
    agreed: str
    signatures: tuple[str, ...]
    date_label: str
    source: str
    status: str
    address: str


def _plain(text: str) -> str:
    """Typed text as both outputs may show it: no control characters (tabs and line
    breaks stay), nothing that reorders text, nothing a Word file cannot hold."""
    return xml_safe(clean_text(text or ""))


def _day(day: datetime.date | None) -> str:
    return date_format(day, "j F Y") if day else ""


def _required(item: RecordItem) -> str:
    """The depth the role needed and whether it was essential, as "Proficient, essential"."""
    if item.required in Proficiency.values:
        proficiency = Proficiency(item.required).label
        if item.essential:
            return _("%(proficiency)s, essential") % {"proficiency": proficiency}
        return _("%(proficiency)s, desirable") % {"proficiency": proficiency}
    return _("Essential") if item.essential else _("Desirable")


def _self_rating(item: RecordItem) -> str:
    if item.self_rating in Answer.values:
        return str(Answer(item.self_rating).label)
    return _("Not rated")


def _confirmed(item: RecordItem) -> str:
    if not item.confirmed:
        return _("Not yet")
    return _plain(item.initials) or _("Yes")


def _row(item: RecordItem, title: str, today: datetime.date) -> RecordRow:
    return RecordRow(
        code=_plain(item.code),
        title=_plain(item.title) or title,
        required=_required(item),
        self_rating=_self_rating(item),
        evidence=_plain(item.evidence),
        action=_plain(item.action),
        target=_day(item.target),
        overdue=item.overdue(today),
        learning=tuple(text for text in map(_plain, item.learning) if text),
        confirmed=_confirmed(item),
    )


def _sections(
    record: DevelopmentRecord, role: RoleProfile, today: datetime.date
) -> tuple[RecordSection, ...]:
    """The record's competences under their sections, in the role profile's tree order
    (two queries, however many competences). A competence the profile no longer needs
    keeps its place at the end, under the section the record names, so nothing the
    person wrote is lost; titles the record lacks come from the profile."""
    order: dict[str, tuple[int, str, str]] = {}
    for group in role_requirements_by_section(role):
        for requirement in group.requirements:
            competence = requirement.competence
            order[competence.code] = (len(order), group.section.title, competence.title)
    unknown = (len(order), "", "")
    items = sorted(record.items, key=lambda item: order.get(item.code, unknown)[0])
    sections: list[tuple[str, list[RecordRow]]] = []
    for item in items:
        _position, section, title = order.get(item.code, unknown)
        section = _plain(item.section) or section or _("Other competences")
        if not sections or sections[-1][0] != section:
            sections.append((section, []))
        sections[-1][1].append(_row(item, title, today))
    return tuple(RecordSection(title, tuple(rows)) for title, rows in sections)


def record_sheet(
    record: DevelopmentRecord, role: RoleProfile, *, today: datetime.date
) -> RecordSheet:
    """The record for ``role`` as the Word document and the printed page show it on
    ``today``: overdue actions are those whose date is before it."""
    version = versioning.current().number
    version_note = ""
    if record.framework_version and record.framework_version != version:
        version_note = _(
            "The record was made against version %(then)s of the framework; this copy was "
            "made from version %(now)s, so the role profile may have changed since."
        ) % {"then": record.framework_version, "now": version}
    address = public_address(role.get_absolute_url())
    made_on = _day(today)
    source = _("Made on %(date)s from the %(framework)s. Role profile: %(address)s") % {
        "date": made_on,
        "framework": framework_citation(),
        "address": address,
    }
    return RecordSheet(
        title=_("Development record: %(role)s") % {"role": role.title},
        details=(
            (_("Name"), ""),
            (_("Supervisor"), _plain(record.supervisor)),
            (_("Meeting date"), _day(record.meeting)),
            (_("Next review date"), _day(record.next_review)),
            (_("Made on"), made_on),
            (_("Framework version"), str(version)),
        ),
        purpose=_(
            "Take this record to supervision and to your appraisal. For each competence, "
            "agree with your supervisor what shows you hold it, what you will do next and "
            "by when, and have them confirm it once it is done. NHS Employers counts a "
            "formal appraisal at least once a year, with an interim review at least every "
            "six months, as good practice."
        ),
        guidance=_("NHS Employers: preparing for appraisal"),
        guidance_address=APPRAISAL_GUIDANCE,
        version_note=version_note,
        sections=_sections(record, role, today),
        agreed=_("Agreed by"),
        signatures=(_("Signed (staff member)"), _("Signed (supervisor)")),
        date_label=_("Date"),
        source=source,
        status=status_statement(),
        address=address,
    )


# --- The Word document -----------------------------------------------------------------

# A4 landscape with 2 cm margins: 25.7 cm of text, for eight columns. Each column is at
# least as wide as its heading's longest word in 9 point bold (tests check it).
COLUMN_WIDTHS = [4.4, 2.4, 2.0, 4.8, 4.2, 2.3, 3.2, 2.4]
TABLE_TEXT = Pt(9)
# Rows are kept whole on a page unless a cell holds more than this many characters, a
# line break counting as a line's worth: a row kept whole that is taller than the page
# has nowhere to go. LibreOffice breaks it anyway; Word is said to cut it off at the
# foot of the page (not checked here, as no Word is at hand).
WHOLE_ROW_CHARACTERS = 600
LINE_CHARACTERS = 25  # about one line of 9 point text in the narrowest note column


def may_break(row: RecordRow) -> bool:
    """Whether ``row`` may run on over a page break (see ``WHOLE_ROW_CHARACTERS``)."""
    cells = [row.evidence, row.action, "\n".join(row.learning)]
    return any(
        len(text) + LINE_CHARACTERS * text.count("\n") > WHOLE_ROW_CHARACTERS for text in cells
    )


def column_headings() -> list[str]:
    return [
        _("Competence"),
        _("Required depth"),
        _("Self-rating"),
        _("Evidence"),
        _("Agreed action"),
        _("Target date"),
        _("Learning chosen"),
        _("Confirmed by supervisor"),
    ]


def record_document(sheet: RecordSheet):
    """The Word document: details, purpose, one table of competences by section, and
    lines for both signatures, in Word's own styles."""
    # Text that slipped past the cleaning above cannot stop the download.
    sheet = xml_safe_copy(sheet)
    document = new_document(sheet.title, address=sheet.address)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))

    details = document.add_table(rows=0, cols=2)
    details.style = "Table Grid"
    for label, value in sheet.details:
        cells = details.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = value or WRITE_IN
    fit_table(details, [5, 9])

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.add_run(sheet.purpose)
    paragraph.add_run(" ")
    paragraph.add_run(f"({sheet.guidance}, {sheet.guidance_address})").font.size = Pt(9)
    if sheet.version_note:
        document.add_paragraph(sheet.version_note).runs[0].italic = True

    document.add_heading(_("Competences"), level=1)
    headings = column_headings()
    table = add_table(document, headings, [])
    breakable = []
    for group in sheet.sections:
        cells = table.add_row().cells
        merged = cells[0].merge(cells[-1])
        heading = merged.paragraphs[0]
        heading.add_run(group.title).bold = True
        heading.paragraph_format.keep_with_next = True
        for row in group.rows:
            _add_row(table, row)
            if may_break(row):
                breakable.append(table.rows[-1])
    if not sheet.sections:
        cells = table.add_row().cells
        cells[0].merge(cells[-1]).text = _("No competences in this record yet.")
    fit_table(table, COLUMN_WIDTHS)
    for row in breakable:
        properties = row._tr.trPr
        properties.remove(properties.find(qn("w:cantSplit")))
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = TABLE_TEXT

    heading = document.add_heading(sheet.agreed, level=1)
    heading.paragraph_format.keep_with_next = True
    for line in signature_lines(sheet):
        paragraph = document.add_paragraph(line)
        paragraph.paragraph_format.space_before = Pt(18)
        paragraph.paragraph_format.keep_with_next = True
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(18)
    for text in (sheet.source, sheet.status):
        run = paragraph.add_run(text + " ")
        run.italic = True
        run.font.size = Pt(9)
    return document


def signature_lines(sheet: RecordSheet) -> list[str]:
    """The lines both people sign, with a line for each to write on."""
    return [f"{who} {WRITE_IN} {sheet.date_label} {WRITE_IN_SHORT}" for who in sheet.signatures]


def _add_row(table, row: RecordRow) -> None:
    cells = table.add_row().cells
    competence = cells[0].paragraphs[0]
    competence.add_run(row.code).bold = True
    competence.add_run(" " + row.title)
    for cell, text in zip(
        cells[1:5], [row.required, row.self_rating, row.evidence, row.action], strict=True
    ):
        # A run's text keeps line breaks and tabs as Word's own.
        cell.paragraphs[0].add_run(text)
    target = cells[5].paragraphs[0]
    target.add_run(row.target)
    if row.overdue:
        target.add_run("\n" + _("Overdue")).bold = True
    for number, title in enumerate(row.learning):
        paragraph = cells[6].paragraphs[0] if number == 0 else cells[6].add_paragraph()
        paragraph.add_run(title)
    cells[7].paragraphs[0].add_run(row.confirmed)


def record_docx(
    record: DevelopmentRecord, role: RoleProfile, *, today: datetime.date
) -> HttpResponse:
    """The record as a Word document to download, named for the role and the day."""
    document = record_document(record_sheet(record, role, today=today))
    return docx_response(document, f"development-record-{role.slug}-{today.isoformat()}.docx")


# --- The printed page ------------------------------------------------------------------


def record_print_context(
    record: DevelopmentRecord, role: RoleProfile, *, today: datetime.date
) -> dict:
    """What ``workforce/record_print.html`` needs: the same sheet the Word file is
    drawn from, and the breadcrumbs back to the role."""
    return {
        "role": role,
        "sheet": record_sheet(record, role, today=today),
        "headings": column_headings(),
        "trail": [(role.title, role.get_absolute_url())],
    }
