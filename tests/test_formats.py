"""The framework's files and their readers: exact round trips, stable bytes, and bad
files refused with a message that says where the problem is."""

import copy
import csv
import io
import json
import zipfile

import jsonschema
import pytest
from openpyxl import Workbook, load_workbook

from competences.models import (
    Competence,
    Kind,
    LearningKind,
    LearningOpportunity,
    Standard,
    StandardStatus,
)
from interchange import formats, workbook_reader
from interchange.document import framework_document
from interchange.errors import ContentError
from pathways.models import MoveKind
from roles.models import Area, Level, Proficiency, Requirement, RoleProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    return framework_document()


def edited_workbook(document, edit) -> bytes:
    """The document's workbook after ``edit(book)``, saved as a spreadsheet program would."""
    book = load_workbook(io.BytesIO(formats.workbook_bytes(document)))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column_of(sheet, heading: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == heading)


# Round trips and stable bytes ---------------------------------------------------------


def test_the_document_validates_against_its_published_schema(document):
    jsonschema.Draft202012Validator(
        formats.schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


def test_the_schema_is_itself_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(formats.schema())


def test_reading_the_json_gives_back_the_document(document):
    assert formats.read_json(formats.json_bytes(document)) == document


def test_reading_the_workbook_gives_back_the_document_and_the_same_bytes(document):
    workbook = formats.workbook_bytes(document)
    read = workbook_reader.read_workbook(workbook)
    assert read == document
    assert formats.workbook_bytes(read) == workbook


def test_text_keeps_its_line_breaks_spaces_and_accents_through_both_readers(document):
    role = document["roles"][0]
    role["purpose"] = "  Café work, first line\n\nsecond paragraph  "
    role["typical_job_titles"] = ""
    document["learning"][0]["level"] = None
    assert "\n" in document["competences"][2]["knowledge"]
    assert formats.read_json(formats.json_bytes(document)) == document
    assert workbook_reader.read_workbook(formats.workbook_bytes(document)) == document
    assert "Café".encode() in formats.json_bytes(document)


def test_the_same_document_gives_byte_identical_files(document):
    again = framework_document()
    assert formats.json_bytes(again) == formats.json_bytes(document)
    assert formats.csv_files(again) == formats.csv_files(document)
    assert formats.workbook_bytes(again) == formats.workbook_bytes(document)


def test_the_workbook_is_dated_by_the_last_change_not_by_the_clock(document):
    document["framework"]["last_changed"] = "2024-02-29"
    with zipfile.ZipFile(io.BytesIO(formats.workbook_bytes(document))) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(2024, 2, 29, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2024-02-29T00:00:00Z") == 2  # created and modified
    book = load_workbook(io.BytesIO(formats.workbook_bytes(document)))
    assert book.properties.modified.date().isoformat() == "2024-02-29"


# The workbook's layout -----------------------------------------------------------------


def test_the_workbook_has_a_sheet_per_entity_with_a_bold_frozen_header(document):
    book = load_workbook(io.BytesIO(formats.workbook_bytes(document)))
    assert book.sheetnames == [
        "about",
        "areas",
        "levels",
        "standards",
        "competences",
        "learning",
        "roles",
        "role_competences",
        "progressions",
        "progression_drops",
    ]
    roles = book["roles"]
    assert [cell.value for cell in roles[1]][:5] == ["slug", "code", "title", "level", "areas"]
    assert all(cell.font.bold for cell in roles[1])
    assert roles.freeze_panes == "A2"
    assert roles.max_row == RoleProfile.objects.count() + 1


def test_yes_or_no_values_are_real_booleans_and_numbers_real_numbers(document):
    roles = load_workbook(io.BytesIO(formats.workbook_bytes(document)))["roles"]
    route = column_of(roles, "lived_experience_route")
    level = column_of(roles, "level")
    assert {type(row[route - 1].value) for row in roles.iter_rows(min_row=2)} == {bool}
    assert {type(row[level - 1].value) for row in roles.iter_rows(min_row=2)} == {int}


def test_text_that_looks_like_a_formula_is_stored_as_text(document):
    document["roles"][0]["title"] = '=HYPERLINK("https://example.org","click")'
    document["areas"][0]["summary"] = "+44 services"
    data = formats.workbook_bytes(document)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(name) for name in sheets)
    book = load_workbook(io.BytesIO(data))
    title = book["roles"].cell(row=2, column=column_of(book["roles"], "title"))
    assert title.data_type == "s"
    assert title.value == document["roles"][0]["title"]
    assert workbook_reader.read_workbook(data) == document


def test_csv_neutralises_formulas_and_writes_booleans_and_nulls_plainly(document):
    document["roles"][0]["title"] = "=1+1"
    document["roles"][0]["lived_experience_route"] = True
    document["learning"][0]["level"] = None
    files = formats.csv_files(document)
    roles = list(csv.DictReader(io.StringIO(files["roles.csv"].decode("utf-8-sig"))))
    assert roles[0]["title"] == "'=1+1"
    assert roles[0]["lived_experience_route"] == "true"
    assert {row["registered_profession"] for row in roles} <= {"true", "false"}
    learning = list(csv.DictReader(io.StringIO(files["learning.csv"].decode("utf-8-sig"))))
    assert learning[0]["level"] == ""


def test_csv_files_follow_the_sheets_in_order_with_their_columns(document):
    files = formats.csv_files(document)
    assert list(files) == [f"{name}.csv" for name in formats.SHEETS]
    for name, columns in formats.SHEETS.items():
        header = next(csv.reader(io.StringIO(files[f"{name}.csv"].decode("utf-8-sig"))))
        assert tuple(header) == columns


def test_lists_are_codes_separated_by_single_spaces(document):
    files = formats.csv_files(document)
    rows = list(csv.DictReader(io.StringIO(files["competences.csv"].decode("utf-8-sig"))))
    linked = next(item for item in document["competences"] if len(item["standards"]) > 1)
    row = next(row for row in rows if row["code"] == linked["code"])
    assert row["standards"] == " ".join(linked["standards"])


def test_the_blank_template_has_every_sheet_with_headers_only(document):
    data = formats.blank_workbook_bytes(document["framework"])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == list(formats.SHEETS)
    for name in list(formats.SHEETS)[1:]:
        assert book[name].max_row == 1
        assert tuple(cell.value for cell in book[name][1]) == formats.SHEETS[name]
    about = {row[0].value: row[1].value for row in book["about"].iter_rows(min_row=2)}
    assert about["licence"] == document["framework"]["licence"]["name"]
    read = workbook_reader.read_workbook(data)
    assert read["framework"] == document["framework"]
    assert read["roles"] == [] and read["competences"] == []


def test_files_made_before_the_status_was_written_still_read(document):
    """The content's status joined the framework block later: files without it import."""
    older = copy.deepcopy(document)
    del older["framework"]["status"]
    assert formats.read_json(formats.json_bytes(older))["framework"] == older["framework"]

    def drop_status(book):
        about = book["about"]
        [row] = [row for row in about.iter_rows(min_row=2) if row[0].value == "status"]
        about.delete_rows(row[0].row)

    read = workbook_reader.read_workbook(edited_workbook(document, drop_status))
    assert read["framework"] == older["framework"]


def test_values_retyped_in_a_spreadsheet_still_read(document):
    def retype(book):
        roles = book["roles"]
        roles.cell(row=2, column=column_of(roles, "level")).value = "5"
        roles.cell(row=2, column=column_of(roles, "indicative_band")).value = 6
        roles.cell(row=2, column=column_of(roles, "registered_profession")).value = "TRUE"

    read = workbook_reader.read_workbook(edited_workbook(document, retype))
    assert read["roles"][0]["level"] == 5
    assert read["roles"][0]["indicative_band"] == "6"
    assert read["roles"][0]["registered_profession"] is True


# The schema says what the models allow ---------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "field", "choices"),
    [
        ("competence", "kind", Kind.values),
        ("standard", "status", StandardStatus.values),
        ("learning", "kind", LearningKind.values),
        ("requirement", "proficiency", [depth.name.lower() for depth in Proficiency]),
        ("requirement", "requirement", Requirement.values),
        ("progression", "kind", MoveKind.values),
    ],
)
def test_the_schema_allows_exactly_the_models_choices(definition, field, choices):
    assert formats.schema()["$defs"][definition]["properties"][field]["enum"] == choices


@pytest.mark.parametrize(
    ("definition", "model", "fields"),
    [
        ("area", Area, ["slug", "name", "short_name", "summary"]),
        ("level", Level, ["name", "indicative_band"]),
        ("standard", Standard, ["reference", "code", "suite", "title", "organisation", "url"]),
        ("competence", Competence, ["code", "title"]),
        ("learning", LearningOpportunity, ["title", "provider", "url"]),
        ("role", RoleProfile, ["slug", "code", "title", "indicative_band"]),
    ],
)
def test_the_schema_limits_text_to_what_the_database_holds(definition, model, fields):
    properties = formats.schema()["$defs"][definition]["properties"]
    for name in fields:
        assert properties[name]["maxLength"] == model._meta.get_field(name).max_length, name


def test_every_field_in_the_schema_is_described():
    definitions = formats.schema()["$defs"]
    for name, definition in definitions.items():
        assert definition["description"], name
        assert definition["additionalProperties"] is False, name
        for field, rules in definition["properties"].items():
            assert "description" in rules or "$ref" in rules, f"{name}.{field}"


# Bad JSON ---------------------------------------------------------------------------------


def _json_with(document, change) -> bytes:
    document = copy.deepcopy(document)
    change(document)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["roles"][3].update(level="nine"), "roles[3].level: 'nine' is not of type"),
        (
            lambda d: d["roles"][0].update(colour="red"),
            "roles[0]: Additional properties are not allowed ('colour' was unexpected)",
        ),
        (lambda d: d.pop("progressions"), "The document: 'progressions' is a required property"),
        (
            lambda d: d["competences"][5].update(kind="chapter"),
            "competences[5].kind: 'chapter' is not one of",
        ),
        (
            lambda d: d["roles"][1]["competences"][2].update(proficiency="great"),
            "roles[1].competences[2].proficiency: 'great' is not one of",
        ),
        (
            lambda d: d["framework"].update(last_changed="2026-13-01"),
            "framework.last_changed: '2026-13-01' is not a 'date'",
        ),
        (lambda d: d["areas"][0].update(slug=""), "areas[0].slug: '' should be non-empty"),
        (lambda d: d.update(roles={}), "roles: {} is not of type 'array'"),
    ],
)
def test_a_json_file_of_the_wrong_shape_is_refused_naming_the_path(document, change, message):
    with pytest.raises(ContentError) as refused:
        formats.read_json(_json_with(document, change))
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"framework": ', "not valid JSON: Expecting value at line 1, column 15"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[]", "This is not a framework file from this site"),
        (b'{"areas": [], "areas": []}', "names 'areas' twice"),
        (b'{"version": NaN}', "NaN is not a number JSON allows"),
        (b"", "not valid JSON"),
    ],
)
def test_a_file_that_is_not_a_json_document_is_refused(data, message):
    with pytest.raises(ContentError) as refused:
        formats.read_json(data)
    assert message in str(refused.value)


def test_many_problems_are_listed_a_few_at_a_time(document):
    def break_every_level(d):
        for role in d["roles"]:
            role["level"] = "high"

    with pytest.raises(ContentError) as refused:
        formats.read_json(_json_with(document, break_every_level))
    lines = str(refused.value).splitlines()
    assert lines[0] == "roles[0].level: 'high' is not of type 'integer'"
    assert len(lines) == formats.MAX_PROBLEMS_SHOWN + 1
    more = len(document["roles"]) - formats.MAX_PROBLEMS_SHOWN
    assert lines[-1] == f"… and {more} more problems."


# Bad workbooks -----------------------------------------------------------------------------


def _set(sheet_name: str, row: int, heading: str, value):
    def edit(book):
        sheet = book[sheet_name]
        sheet.cell(row=row, column=column_of(sheet, heading)).value = value

    return edit


def _add_column(book):
    roles = book["roles"]
    roles.cell(row=1, column=roles.max_column + 1).value = "colour"


def _drop_column(book):
    book["roles"].delete_cols(column_of(book["roles"], "level"))


def _add_formula(book):
    roles = book["roles"]
    roles.cell(row=4, column=column_of(roles, "title")).value = "=A1"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda book: book.remove(book["progressions"]),
            "The workbook has no 'progressions' sheet.",
        ),
        (
            lambda book: book.create_sheet("Notes"),
            "a sheet 'Notes' that the framework does not use",
        ),
        (_add_column, "roles sheet: column S is headed 'colour', which is not a column"),
        (_drop_column, "roles sheet: no column headed 'level'."),
        (
            _set("roles", 5, "level", "nine"),
            "roles sheet, row 5, level: 'nine' is not a whole number.",
        ),
        (
            _set("roles", 3, "lived_experience_route", "yes"),
            "roles sheet, row 3, lived_experience_route: 'yes' is not TRUE or FALSE.",
        ),
        (
            _set("roles", 3, "registered_profession", None),
            "roles sheet, row 3, registered_profession: is empty; write TRUE or FALSE.",
        ),
        (
            _set("role_competences", 4, "proficiency", "great"),
            "role_competences sheet, row 4, proficiency: 'great' is not one of",
        ),
        (
            _set("competences", 7, "kind", "chapter"),
            "competences sheet, row 7, kind: 'chapter' is not one of",
        ),
        (
            _set("role_competences", 6, "role", "no-such-role"),
            "role_competences sheet, row 6, role: no role 'no-such-role' on the roles sheet.",
        ),
        (
            _set("about", 5, "value", 3.5),
            "about sheet, row 5, value: 3.5 is not a whole number.",
        ),
        (
            _set("about", 6, "value", "last week"),
            "about sheet, row 6, value: 'last week' is not a date written as YYYY-MM-DD.",
        ),
        (_add_formula, "roles sheet, row 4, title: holds a formula; type the value itself."),
        (
            _set("areas", 2, "slug", "not a slug"),
            "areas sheet, row 2, slug: 'not a slug' does not match",
        ),
    ],
)
def test_a_malformed_workbook_is_refused_naming_sheet_row_and_column(document, edit, message):
    with pytest.raises(ContentError) as refused:
        workbook_reader.read_workbook(edited_workbook(document, edit))
    assert message in str(refused.value)


def test_a_file_that_is_not_a_workbook_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as other:
        other.writestr("notes.txt", "not a spreadsheet")
    for data in (b"slug,title\nrole,Role\n", archive.getvalue(), b""):
        with pytest.raises(ContentError, match=r"not an Excel workbook \(\.xlsx\)"):
            workbook_reader.read_workbook(data)


def test_a_workbook_of_some_other_table_names_its_missing_sheets():
    book = Workbook()
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ContentError) as refused:
        workbook_reader.read_workbook(out.getvalue())
    assert "The workbook has no sheets named 'about', 'areas', 'levels'," in str(refused.value)
    assert "a sheet 'Sheet' that the framework does not use" in str(refused.value)
