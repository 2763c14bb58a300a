"""CSV files and Excel workbooks that are safe to open: every text cell that a
spreadsheet would run as a formula is neutralised (``core.cells``). Numbers
stay numbers.
"""

import csv
import io
from dataclasses import dataclass, field

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.cells import neutralised

MAX_WIDTH = 50  # characters; wider text wraps
LINE_HEIGHT = 15  # points, one line of the default font
FOOTER_LENGTH = 240  # characters of the source in a printed page's footer
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The value, with text that a spreadsheet would run as a formula made plain text."""
    return neutralised(value) if isinstance(value, str) else value


@dataclass
class Sheet:
    """One table: a title (the sheet's name), a header row and rows of values."""

    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)


def csv_response(sheet: Sheet, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(value) for value in sheet.header])
    for row in sheet.rows:
        writer.writerow([safe_cell(value) for value in row])
    return response


def workbook_bytes(sheets: list[Sheet], *, source: str = "") -> bytes:
    """An .xlsx file: one worksheet per sheet, bold frozen header, columns sized to fit.

    ``source`` says where the figures came from: it becomes the file's description and
    the footer of every printed page.
    """
    book = Workbook()
    book.remove(book.active)
    if source:
        book.properties.description = source
    for sheet in sheets:
        # Excel allows 31 characters in a sheet name and none of []:*?/\
        name = "".join(ch for ch in sheet.title if ch not in "[]:*?/\\")[:31]
        worksheet = book.create_sheet(title=name)
        worksheet.append([safe_cell(value) for value in sheet.header])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            worksheet.append([safe_cell(value) for value in row])
        worksheet.freeze_panes = "A2"
        # Printed or turned into PDF: landscape A4, as wide as one page, header on each.
        worksheet.page_setup.orientation = "landscape"
        worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
        worksheet.page_setup.fitToWidth = 1
        worksheet.page_setup.fitToHeight = 0
        worksheet.sheet_properties.pageSetUpPr.fitToPage = True
        worksheet.print_title_rows = "1:1"
        if source:
            # "&" starts a control code in a page footer; Excel allows 255 characters.
            worksheet.oddFooter.left.text = source.replace("&", "&&")[:FOOTER_LENGTH]
        for index, column in enumerate(worksheet.iter_cols(), start=1):
            width = max(
                (len(str(cell.value)) for cell in column if cell.value is not None), default=8
            )
            worksheet.column_dimensions[get_column_letter(index)].width = min(
                max(width, 8), MAX_WIDTH
            )
            wraps = width > MAX_WIDTH  # long text wraps inside its column, never cut
            for cell in column:
                cell.alignment = Alignment(wrap_text=wraps, vertical="top")
                if wraps:  # spreadsheets do not always grow a row to fit wrapped text
                    lines = -(-len(str(cell.value or "")) // MAX_WIDTH)
                    current = worksheet.row_dimensions[cell.row].height or LINE_HEIGHT
                    worksheet.row_dimensions[cell.row].height = max(current, lines * LINE_HEIGHT)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_response(sheets: list[Sheet], filename: str, *, source: str = "") -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets, source=source), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
