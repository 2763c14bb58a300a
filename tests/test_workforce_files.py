"""Downloads the workforce tools build: formulas never run, sheets are usable."""

import csv
import io

import docx
import openpyxl
import pytest

from core.spreadsheets import Sheet, csv_response, safe_cell, workbook_bytes
from tests.helpers import sql
from workforce.documents import (
    add_source,
    add_table,
    docx_response,
    header_widths_cm,
    longest_word_cm,
    new_document,
)


@pytest.mark.parametrize("text", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\t=x", "\r=x"])
def test_text_that_a_spreadsheet_would_run_is_made_plain(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Risk", "Level 5", 3, 2.5, None, ""])
def test_ordinary_values_are_left_alone(value):
    assert safe_cell(value) == value


def test_csv_and_workbook_hold_the_same_safe_table():
    sheet = Sheet("Roles: by level?", ["Name", "Level"], [['=HYPERLINK("x")', 5], ["Ok", 3]])
    rows = list(csv.reader(io.StringIO(csv_response(sheet, "x.csv").content.decode("utf-8-sig"))))
    assert rows == [["Name", "Level"], ['\'=HYPERLINK("x")', "5"], ["Ok", "3"]]
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes([sheet])))
    worksheet = book["Roles by level"]
    assert worksheet.freeze_panes == "A2"
    assert worksheet["A1"].font.bold
    assert [[cell.value for cell in row] for row in worksheet.iter_rows()] == [
        ["Name", "Level"],
        ['\'=HYPERLINK("x")', 5],
        ["Ok", 3],
    ]
    assert worksheet["A2"].data_type == "s"
    # Printed, each sheet is landscape A4, one page wide, with the header on every page.
    assert worksheet.page_setup.orientation == "landscape"
    assert worksheet.page_setup.fitToWidth == 1
    assert worksheet.sheet_properties.pageSetUpPr.fitToPage
    assert worksheet.print_title_rows == "$1:$1"


@pytest.mark.django_db
def test_a_document_opens_and_says_where_it_came_from():
    document = new_document("Test post")
    add_table(document, ["Criterion", "Essential"], [["Registration", "Yes"]])
    add_source(document, "https://example.test/roles/x/")
    response = docx_response(document, "x.docx")
    reopened = docx.Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in reopened.paragraphs)
    assert "Test post" in text
    assert "Source: https://example.test/roles/x/" in text
    assert "2023 edition" in text
    [(number,)] = sql("SELECT number FROM core_frameworkversion")
    assert f"version {number}" in text
    assert reopened.tables[0].rows[1].cells[0].text == "Registration"


def test_long_text_wraps_inside_its_column():
    long = "Lead communication across the service and its partners, " * 3
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes([Sheet("S", ["Text"], [[long]])])))
    worksheet = book["S"]
    assert worksheet.column_dimensions["A"].width == 50
    assert worksheet["A2"].alignment.wrap_text


def test_a_grid_keeps_its_row_names_in_view_and_its_headings_on_several_lines():
    grid = Sheet(
        "Grid",
        ["Section", "Liaison and Diversion\nPractitioner\nLevel 5"],
        [["Communication", "Proficient · 7"]],
        frozen_columns=1,
    )
    worksheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes([grid])))["Grid"]
    assert worksheet.freeze_panes == "B2"
    assert worksheet.print_title_cols == "$A:$A"
    # As wide as the longest line, not the whole heading; the row tall enough for three.
    assert worksheet.column_dimensions["B"].width == len("Liaison and Diversion")
    assert worksheet["B1"].alignment.wrap_text
    assert worksheet.row_dimensions[1].height >= 3 * 15
    assert worksheet["B2"].value == "Proficient · 7"


def test_a_column_too_narrow_for_its_heading_is_widened_from_the_widest():
    header = ["Code", "Competence", "Whole-time equivalents"]
    widths = header_widths_cm(header, [2.5, 11.5, 2.5])
    assert widths[2] == pytest.approx(longest_word_cm("equivalents")) and widths[2] > 2.5
    assert widths[0] == 2.5
    assert sum(widths) == pytest.approx(16.5), "the table keeps its width"
    # A line may break after a hyphen: its parts are measured apart.
    assert longest_word_cm("Whole-time") < longest_word_cm("Wholetime")
