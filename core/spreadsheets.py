"""Every CSV file and Excel workbook the site writes, and the one rule that keeps them safe.

Excel and LibreOffice read a cell that starts with =, +, - or @ (or a tab or carriage
return) as a formula, so text from the content or from an upload could run one on a
manager's machine. Every file the site writes neutralises such text the way OWASP
recommends, with a leading apostrophe, which spreadsheets show as plain text; a gap file
read back that holds one was therefore not written by the site. The framework workbook,
which is read back by the import, keeps the text as it is and marks the cell with Excel's
quote prefix instead. Numbers stay numbers.

Two workbook layouts: ``workbook_bytes`` for people (printable, sized to fit, an About
sheet first, the content's status in every printed page's header and a source in its
footer) and ``dated_workbook_bytes`` for data (write-only, the same content always giving
the same bytes).
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from . import provenance
from .text import xml_safe

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_WIDTH = 50  # characters; wider text wraps
DATA_MAX_WIDTH = 60  # characters, in a data workbook
LINE_HEIGHT = 15  # points, one line of the default font
FOOTER_LENGTH = 240  # characters of the source in a printed page's footer
ABOUT_SHEET = _("About")
ABOUT_HEADER = (_("About this file"), _("Detail"))
# Zip entries cannot be dated before 1980; this stands in when the content has no date.
UNDATED = datetime.datetime(1980, 1, 1)


def neutralised(text: str) -> str:
    """``text``, made plain text with a leading apostrophe if it would run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_cell(value):
    """The value, with text that a spreadsheet would run as a formula made plain text,
    and without characters a workbook cannot hold (``core.text.xml_safe``)."""
    return neutralised(xml_safe(value)) if isinstance(value, str) else value


@dataclass
class Sheet:
    """One table: a title (the sheet's name), a header row and rows of values.

    ``frozen_columns``: how many columns on the left, like the header row, stay in view
    (and print on every page) when a wide table scrolls: those that name its rows.
    """

    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    frozen_columns: int = 0


def attachment(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """``data`` as a download saved under ``filename``."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# CSV ----------------------------------------------------------------------------------


def csv_bytes(
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    cell: Callable | None = safe_cell,
    lineterminator: str = "\r\n",
    bom: bool = True,
) -> bytes:
    """A UTF-8 CSV file: the header, then the rows, each value passed through ``cell``
    (by default, text that would run as a formula is neutralised; None writes values as
    they are, for files no spreadsheet is meant to open).

    It starts with the UTF-8 byte-order mark unless ``bom`` is false: Excel on Windows
    reads a CSV without it in the computer's legacy code page, so "Café" opens as
    "CafÃ©". Files read by other software (Moodle's import) leave it out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    shape = cell or (lambda value: value)
    writer.writerow([shape(value) for value in header])
    writer.writerows([shape(value) for value in row] for row in rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def csv_response(sheet: Sheet, filename: str) -> HttpResponse:
    """``sheet`` as a CSV download, formulas neutralised."""
    return attachment(csv_bytes(sheet.header, sheet.rows), filename=filename, content_type=CSV_TYPE)


# Workbooks for people -----------------------------------------------------------------


def workbook_bytes(
    sheets: list[Sheet], *, source: str = "", about: list[tuple] = (), status: str = ""
) -> bytes:
    """An .xlsx file: one worksheet per sheet, bold frozen header, columns sized to fit.
    Text with line breaks keeps them, its column as wide as its longest line.

    ``source`` says where the figures came from: it becomes the file's description and
    the footer of every printed page. ``about``, (label, value) pairs, becomes a first
    sheet, "About", that says what the file is; ``status``, what the content is, heads
    every printed page.
    """
    book = Workbook()
    book.remove(book.active)
    if source:
        book.properties.description = source
    if about:
        header = [str(heading) for heading in ABOUT_HEADER]
        sheets = [Sheet(str(ABOUT_SHEET), header, [list(row) for row in about]), *sheets]
    for sheet in sheets:
        # Excel allows 31 characters in a sheet name and none of []:*?/\
        name = "".join(ch for ch in sheet.title if ch not in "[]:*?/\\")[:31]
        worksheet = book.create_sheet(title=name)
        worksheet.append([safe_cell(value) for value in sheet.header])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            worksheet.append([safe_cell(value) for value in row])
        worksheet.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}2"
        # Printed or turned into PDF: landscape A4, as wide as one page, header on each.
        worksheet.page_setup.orientation = "landscape"
        worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
        worksheet.page_setup.fitToWidth = 1
        worksheet.page_setup.fitToHeight = 0
        worksheet.sheet_properties.pageSetUpPr.fitToPage = True
        worksheet.print_title_rows = "1:1"
        if sheet.frozen_columns:
            worksheet.print_title_cols = f"A:{get_column_letter(sheet.frozen_columns)}"
        if source:
            # "&" starts a control code in a page footer; Excel allows 255 characters.
            worksheet.oddFooter.left.text = source.replace("&", "&&")[:FOOTER_LENGTH]
        if status:
            worksheet.oddHeader.left.text = status.replace("&", "&&")[:FOOTER_LENGTH]
        for index, column in enumerate(worksheet.iter_cols(), start=1):
            width = max(
                (
                    len(line)
                    for cell in column
                    if cell.value is not None
                    for line in str(cell.value).split("\n")
                ),
                default=8,
            )
            shown = min(max(width, 8), MAX_WIDTH)
            worksheet.column_dimensions[get_column_letter(index)].width = shown
            wraps = width > MAX_WIDTH  # long text wraps inside its column, never cut
            for cell in column:
                text = str(cell.value or "")
                broken = "\n" in text
                cell.alignment = Alignment(wrap_text=wraps or broken, vertical="top")
                if wraps or broken:  # spreadsheets do not always grow a row to fit
                    lines = sum(-(-len(line) // shown) or 1 for line in text.split("\n"))
                    current = worksheet.row_dimensions[cell.row].height or LINE_HEIGHT
                    worksheet.row_dimensions[cell.row].height = max(current, lines * LINE_HEIGHT)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_response(
    sheets: list[Sheet], filename: str, *, address: str, notes: list[tuple] = ()
) -> HttpResponse:
    """``sheets`` as an .xlsx download made from the page at ``address``, opening with an
    About sheet: the content's status, the framework's edition and version, the day it
    was made and the page, then ``notes`` ((label, value) pairs) if there are any."""
    data = workbook_bytes(
        sheets,
        source=provenance.source_note(address),
        about=[*provenance.about_rows(address), *notes],
        status=provenance.status_statement(),
    )
    return attachment(data, filename=filename, content_type=XLSX_TYPE)


# Workbooks for data -------------------------------------------------------------------


def dated_workbook_bytes(
    sheets: list[Sheet], *, moment: datetime.datetime, creator: str, title: str
) -> bytes:
    """An .xlsx workbook of plain data: bold frozen header, text kept as text.

    The same sheets always give the same bytes: the workbook's own dates and every zip
    entry's date are ``moment``. Empty text is left as an empty cell.
    """
    # Write-only: rows go straight to the file as they are added, about three times as
    # fast as building every cell in memory first, so the layout (widths, wrapping) is
    # worked out from the rows before the first is written.
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for given in sheets:
        sheet = book.create_sheet(title=given.title)
        table = [[None if value == "" else value for value in row] for row in given.rows]
        widths = [len(column) for column in given.header]
        for row in table:
            for index, value in enumerate(row):
                if isinstance(value, str):
                    widths[index] = max(widths[index], max(map(len, value.split("\n"))))
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(
                max(width + 2, 8), DATA_MAX_WIDTH
            )
        wrap = {index for index, width in enumerate(widths) if width > DATA_MAX_WIDTH}
        sheet.append([_styled(sheet, column, font=bold) for column in given.header])
        for row in table:
            sheet.append(
                [
                    _styled(sheet, value, alignment=wrapped if index in wrap else None)
                    if index in wrap or isinstance(value, str)
                    else value
                    for index, value in enumerate(row)
                ]
            )
    book.properties.creator = creator
    book.properties.title = title
    book.properties.created = book.properties.modified = moment
    out = io.BytesIO()
    archive = _DatedZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.date_time = moment.timetuple()[:6]
    ExcelWriter(book, archive).save()
    return out.getvalue()


def _styled(sheet, value, *, font=None, alignment=None) -> WriteOnlyCell:
    """A cell for a write-only sheet. Text is stored as a string, never as a formula,
    whatever it starts with, and text that looks like one gets Excel's quote prefix."""
    if isinstance(value, str):
        value = xml_safe(value)
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


class _DatedZipFile(zipfile.ZipFile):
    """A zip archive whose entries all carry ``date_time`` instead of the moment written."""

    date_time = UNDATED.timetuple()[:6]

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.date_time)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes each worksheet to a temporary file first, then adds the file.
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())
