"""The framework document as files: JSON, CSV and an Excel workbook, and JSON read back.

Every writer here is a pure function of the document, so identical content gives
identical bytes (the workbook's timestamps come from the date of the last change, not
the clock). Workbooks are read back by ``workbook_reader.py``. Both readers are strict:
anything they cannot read exactly raises ``ContentError`` naming where the problem is
(the JSON path, or the sheet, row and column) and what it is. They check the shape and
types against the published schema; whether the content holds together (codes that
exist, no cycles) is the loader's job.
"""

import datetime
import json
from functools import cache
from itertools import islice
from pathlib import Path

from jsonschema import Draft202012Validator

from core.spreadsheets import (
    UNDATED,
    Sheet,
    csv_bytes,
    dated_workbook_bytes,
    neutralised,
)

from .document import (
    AREA_FIELDS,
    COMPETENCE_FIELDS,
    LEARNING_FIELDS,
    LEVEL_FIELDS,
    ROLE_TEXT_FIELDS,
    STANDARD_FIELDS,
    framework_block,
)
from .errors import ContentError

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "framework.schema.json"

# The tabular form: one sheet (or CSV file) per entity, in this order, with these columns.
ABOUT_FIELDS = (
    "title",
    "publisher",
    "edition",
    "version",
    "last_changed",
    "licence",
    "licence_url",
    "status",
)
# About rows a file may leave out: files made before the status was written into them.
OPTIONAL_ABOUT_FIELDS = ("status",)
SHEETS = {
    "about": ("field", "value"),
    "areas": AREA_FIELDS,
    "levels": LEVEL_FIELDS,
    "standards": STANDARD_FIELDS,
    "competences": ("code", "parent", *COMPETENCE_FIELDS[1:], "standards"),
    "learning": (*LEARNING_FIELDS, "competences"),
    "roles": ("slug", "code", "title", "level", "areas", *ROLE_TEXT_FIELDS),
    "role_competences": ("role", "code", "proficiency", "requirement"),
    "progressions": ("from", "to", "kind", "note"),
    "progression_drops": ("from", "to", "code", "reason"),
}
# Cells that are not plain text; every other column holds text, blank as "".
INTEGER, OPTIONAL_INTEGER, BOOLEAN, SPACED_LIST, OPTIONAL_TEXT, DATE = (
    "integer",
    "optional integer",
    "boolean",
    "list",
    "optional text",
    "date",
)
COLUMN_TYPES = {
    ("about", "version"): INTEGER,
    ("about", "last_changed"): DATE,
    ("areas", "position"): INTEGER,
    ("levels", "number"): INTEGER,
    ("levels", "requirements_min"): INTEGER,
    ("levels", "requirements_max"): INTEGER,
    ("levels", "essential_min"): INTEGER,
    ("levels", "essential_max"): INTEGER,
    ("levels", "expert_max"): INTEGER,
    ("competences", "foundation"): BOOLEAN,
    ("learning", "suits_from"): INTEGER,
    ("learning", "suits_to"): INTEGER,
    ("competences", "parent"): OPTIONAL_TEXT,
    ("competences", "standards"): SPACED_LIST,
    ("learning", "level"): OPTIONAL_INTEGER,
    ("learning", "competences"): SPACED_LIST,
    ("roles", "level"): INTEGER,
    ("roles", "areas"): SPACED_LIST,
    ("roles", "lived_experience_route"): BOOLEAN,
    ("roles", "registered_profession"): BOOLEAN,
}

MAX_PROBLEMS_SHOWN = 10
LISTS = ("areas", "levels", "standards", "competences", "learning", "roles", "progressions")


@cache
def schema() -> dict:
    """The published JSON Schema of the framework document."""
    return json.loads(SCHEMA_PATH.read_bytes())


def schema_bytes() -> bytes:
    return SCHEMA_PATH.read_bytes()


# JSON ---------------------------------------------------------------------------------


def json_bytes(document: dict) -> bytes:
    """The document as UTF-8 JSON, indented, keys in the document's own order."""
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()


def read_json(data: bytes) -> dict:
    """The document in a JSON file, checked against the schema."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContentError(
            f"The file is not UTF-8 text: byte {error.object[error.start]:#04x} at position "
            f"{error.start} cannot be read."
        ) from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_refuse_repeated_keys,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
        )
    except json.JSONDecodeError as error:
        raise ContentError(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        raise ContentError(
            "The file is not a framework document: it is nested too deeply."
        ) from None
    if isinstance(document, dict) and "CFDocument" in document:
        raise ContentError(
            "This is a CASE package, which the site publishes for other systems but does not "
            f"import. {WHAT_IMPORT_TAKES}"
        )
    if not isinstance(document, dict) or "framework" not in document:
        raise ContentError(f"This is not a framework file from this site. {WHAT_IMPORT_TAKES}")
    problems = [
        f"{_json_path(error.absolute_path)}: {error.message}" for error in schema_errors(document)
    ]
    if problems:
        raise ContentError(summary(problems))
    return document


def _refuse_repeated_keys(pairs: list) -> dict:
    document = dict(pairs)
    if len(document) < len(pairs):
        repeated = next(key for key in document if [k for k, _v in pairs].count(key) > 1)
        raise ContentError(f"The file names '{repeated}' twice in one object; give each name once.")
    return document


# What the import takes, said wherever a file is refused for being something else.
WHAT_IMPORT_TAKES = (
    "The import takes this site's own framework file: framework.json or framework.xlsx from "
    "the open data page, or the blank Excel template from the admin, filled in."
)
# No number in a framework file needs more digits than this (the database's integers
# stop at ten); Python would refuse one past 4,300 digits only after a slow conversion.
MAX_DIGITS = 15


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ContentError(
            f"The file holds a number {len(text)} digits long ({text[:12]}…); no number in a "
            f"framework file has more than {MAX_DIGITS} digits."
        )
    return int(text)


def _refuse_constant(name: str):
    raise ContentError(f"The file is not valid JSON: {name} is not a number JSON allows.")


def schema_errors(document) -> list:
    validator = Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = islice(validator.iter_errors(document), 1000)
    return sorted(errors, key=lambda error: _path_key(error.absolute_path))


def _path_key(path) -> list:
    return [(0, part, "") if isinstance(part, int) else (1, 0, part) for part in path]


def _json_path(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "The document"


def summary(problems: list[str]) -> str:
    shown = problems[:MAX_PROBLEMS_SHOWN]
    if len(problems) > len(shown):
        more = len(problems) - len(shown)
        shown.append(f"… and {more} more problem{'s' if more > 1 else ''}.")
    return "\n".join(shown)


# The tabular form ---------------------------------------------------------------------


def tables(document: dict) -> dict[str, list[list]]:
    """{sheet name: rows of plain values} in the order of ``SHEETS``; lists joined by spaces."""
    framework = document["framework"]
    about = dict(framework, licence=framework["licence"]["name"])
    about["licence_url"] = framework["licence"]["url"]
    rows = {"about": [[name, about[name]] for name in ABOUT_FIELDS if name in about]}
    for name in ("areas", "levels", "standards", "competences", "learning", "roles"):
        rows[name] = [[_joined(item[column]) for column in SHEETS[name]] for item in document[name]]
    rows["role_competences"] = [
        [role["slug"], need["code"], need["proficiency"], need["requirement"]]
        for role in document["roles"]
        for need in role["competences"]
    ]
    rows["progressions"] = [
        [move["from"], move["to"], move["kind"], move["note"]] for move in document["progressions"]
    ]
    rows["progression_drops"] = [
        [move["from"], move["to"], drop["code"], drop["reason"]]
        for move in document["progressions"]
        for drop in move["drops"]
    ]
    return rows


def _joined(value):
    return " ".join(value) if isinstance(value, list) else value


def csv_files(document: dict) -> dict[str, bytes]:
    """{file name: CSV bytes}, one file per sheet of the tabular form."""
    return {
        f"{name}.csv": csv_bytes(SHEETS[name], rows, cell=_csv_cell)
        for name, rows in tables(document).items()
    }


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralised(value) if isinstance(value, str) else str(value)


# Excel --------------------------------------------------------------------------------


def workbook_bytes(document: dict) -> bytes:
    """An .xlsx workbook with one sheet per entity: bold frozen header, text kept as text.

    The same document always gives the same bytes: the workbook's own dates and every
    zip entry's date are the day the content last changed.
    """
    return _workbook(document["framework"], tables(document))


def blank_workbook_bytes(framework: dict | None = None) -> bytes:
    """The import template: every sheet with its header only, and the about sheet filled in."""
    empty = {"framework": framework or framework_block()} | {name: [] for name in LISTS}
    return _workbook(empty["framework"], {"about": tables(empty)["about"]})


def _workbook(framework: dict, rows: dict[str, list[list]]) -> bytes:
    sheets = [Sheet(name, list(columns), rows.get(name, [])) for name, columns in SHEETS.items()]
    return dated_workbook_bytes(
        sheets,
        moment=_moment(framework["last_changed"]),
        creator=framework["publisher"],
        title=framework["title"],
    )


def _moment(last_changed: str | None) -> datetime.datetime:
    if not last_changed:
        return UNDATED
    day = datetime.date.fromisoformat(last_changed)
    return max(datetime.datetime(day.year, day.month, day.day), UNDATED)
