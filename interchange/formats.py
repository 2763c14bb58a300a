"""The framework document as files, and back: JSON, CSV and an Excel workbook.

Every writer here is a pure function of the document, so identical content gives
identical bytes (the workbook's timestamps come from the date of the last change, not
the clock). The readers are strict: anything they cannot read exactly raises
``ContentError`` naming where the problem is (the JSON path, or the sheet, row and
column) and what it is. They check the shape and types against the published schema;
whether the content holds together (codes that exist, no cycles) is the loader's job.
"""

import datetime
import io
import json
import zipfile
from functools import cache
from itertools import islice
from pathlib import Path

from jsonschema import Draft202012Validator
from openpyxl import load_workbook

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
)
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
    ("competences", "parent"): OPTIONAL_TEXT,
    ("competences", "standards"): SPACED_LIST,
    ("learning", "level"): OPTIONAL_INTEGER,
    ("learning", "competences"): SPACED_LIST,
    ("roles", "level"): INTEGER,
    ("roles", "areas"): SPACED_LIST,
    ("roles", "lived_experience_route"): BOOLEAN,
    ("roles", "registered_profession"): BOOLEAN,
}

# A workbook that unpacks to more than this is refused before it is parsed.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
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
            text, object_pairs_hook=_refuse_repeated_keys, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        raise ContentError(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        raise ContentError(
            "The file is not a framework document: it is nested too deeply."
        ) from None
    problems = [
        f"{_json_path(error.absolute_path)}: {error.message}" for error in _schema_errors(document)
    ]
    if problems:
        raise ContentError(_summary(problems))
    return document


def _refuse_repeated_keys(pairs: list) -> dict:
    document = dict(pairs)
    if len(document) < len(pairs):
        repeated = next(key for key in document if [k for k, _v in pairs].count(key) > 1)
        raise ContentError(f"The file names '{repeated}' twice in one object; give each name once.")
    return document


def _refuse_constant(name: str):
    raise ContentError(f"The file is not valid JSON: {name} is not a number JSON allows.")


def _schema_errors(document) -> list:
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


def _summary(problems: list[str]) -> str:
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
    rows = {"about": [[name, about[name]] for name in ABOUT_FIELDS]}
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


def read_workbook(data: bytes) -> dict:
    """The document in an .xlsx workbook laid out as ``workbook_bytes`` writes it.

    Every sheet and column must be there, and nothing else; each cell must hold its
    column's type. Problems are reported by sheet, row number and column.
    """
    book = _open_workbook(data)
    names = book.sheetnames
    missing = [f"'{name}'" for name in SHEETS if name not in names]
    problems = []
    if len(missing) == 1:
        problems.append(f"The workbook has no {missing[0]} sheet.")
    elif missing:
        problems.append(f"The workbook has no sheets named {', '.join(missing)}.")
    problems += [
        f"The workbook has a sheet '{name}' that the framework does not use; remove it."
        for name in names
        if name not in SHEETS
    ]
    if problems:
        raise ContentError(_summary(problems))
    records = {}
    for name in SHEETS:
        records[name] = _read_sheet(book[name], name, problems)
    if problems:
        raise ContentError(_summary(problems))
    document, origins = _assemble(records, problems)
    if problems:
        raise ContentError(_summary(problems))
    problems = [
        f"{_where(origins, list(error.absolute_path))}: {error.message}"
        for error in _schema_errors(document)
    ]
    if problems:
        raise ContentError(_summary(problems))
    return document


def _open_workbook(data: bytes):
    not_a_workbook = "The file is not an Excel workbook (.xlsx); save it as one and try again."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise ContentError(not_a_workbook) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ContentError("The workbook is too large to read once unpacked.")
    try:
        return load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # openpyxl raises many kinds of error for a broken or foreign file
        raise ContentError(not_a_workbook) from None


def _read_sheet(sheet, name: str, problems: list[str]) -> list[tuple[int, dict]]:
    """[(row number, {column: value})] for each row with anything in it."""
    expected = SHEETS[name]
    rows = sheet.iter_rows()
    header = next(rows, ())
    columns = {}
    for cell in header:
        heading = cell.value.strip() if isinstance(cell.value, str) else cell.value
        if heading is None:
            continue
        letter = cell.column_letter
        if heading not in expected:
            problems.append(
                f"{name} sheet: column {letter} is headed '{heading}', which is not a column "
                f"of this sheet (the columns are {', '.join(expected)})."
            )
        elif heading in columns.values():
            problems.append(f"{name} sheet: the column '{heading}' appears twice.")
        else:
            columns[cell.column] = heading
    missing = [column for column in expected if column not in columns.values()]
    if missing:
        problems.append(f"{name} sheet: no column headed {', '.join(map(repr, missing))}.")
    if missing or len(columns) < sum(1 for cell in header if cell.value is not None):
        return []
    records = []
    for row in rows:
        cells = [cell for cell in row if cell.value is not None]
        if not cells:
            continue
        number = cells[0].row
        record = {column: None for column in expected}
        for cell in cells:
            column = columns.get(cell.column)
            if column is None:
                problems.append(
                    f"{name} sheet, row {number}: column {cell.column_letter} has a value but "
                    "no heading."
                )
                continue
            if cell.data_type == "f":
                problems.append(
                    f"{name} sheet, row {number}, {column}: holds a formula; type the value itself."
                )
                continue
            record[column] = cell.value
        kinds = {column: COLUMN_TYPES.get((name, column)) for column in expected}
        if name == "about":
            kinds["value"] = COLUMN_TYPES.get(("about", record["field"]))
        for column, kind in kinds.items():
            try:
                record[column] = _typed(record[column], kind)
            except ValueError as error:
                problems.append(f"{name} sheet, row {number}, {column}: {error}")
        records.append((number, record))
    return records


def _typed(value, kind: str | None):
    """The cell's value as its column holds it; ValueError says why it cannot be."""
    if isinstance(value, str) and value == "" and kind != SPACED_LIST:
        value = None
    if kind in (INTEGER, OPTIONAL_INTEGER):
        if value is None:
            if kind == OPTIONAL_INTEGER:
                return None
            raise ValueError("is empty; it needs a whole number.")
        if isinstance(value, bool):
            raise ValueError(f"{_shown(value)} is not a whole number.")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        if isinstance(value, int):
            return value
        raise ValueError(f"{_shown(value)} is not a whole number.")
    if kind == BOOLEAN:
        if value is None:
            raise ValueError("is empty; write TRUE or FALSE.")
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
            return value.strip().upper() == "TRUE"
        if isinstance(value, int | float) and value in (0, 1):  # saved by some spreadsheets
            return bool(value)
        raise ValueError(f"{_shown(value)} is not TRUE or FALSE.")
    if kind == DATE:
        if value is None:
            return None
        if isinstance(value, datetime.datetime | datetime.date):
            return value.strftime("%Y-%m-%d")
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(f"{_shown(value)} is not a date written as YYYY-MM-DD.") from None
    if value is None:
        return [] if kind == SPACED_LIST else (None if kind == OPTIONAL_TEXT else "")
    if isinstance(value, bool | datetime.date | datetime.time | datetime.timedelta):
        raise ValueError(f"{_shown(value)} is not text.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    return text.split() if kind == SPACED_LIST else text


def _shown(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime | datetime.date):
        return f"the date {value:%Y-%m-%d}"
    return repr(value)


def _assemble(records: dict, problems: list[str]) -> tuple[dict, dict]:
    """The document built from the sheets' records, and where each part came from."""
    origins = {}
    framework = {}
    about = {}
    for number, record in records["about"]:
        field = record["field"]
        if field not in ABOUT_FIELDS:
            problems.append(
                f"about sheet, row {number}, field: {_shown(field)} is not one of "
                f"{', '.join(ABOUT_FIELDS)}."
            )
        elif field in about:
            problems.append(f"about sheet, row {number}, field: '{field}' appears twice.")
        else:
            about[field] = (number, record["value"])
    for field in ABOUT_FIELDS:
        if field not in about:
            problems.append(f"about sheet: no row for '{field}'.")
    if problems:
        return {}, origins
    for field in ABOUT_FIELDS[:5]:
        framework[field] = about[field][1]
        origins[("framework", field)] = ("about", about[field][0], "value")
    framework["licence"] = {"name": about["licence"][1], "url": about["licence_url"][1]}
    origins[("framework", "licence", "name")] = ("about", about["licence"][0], "value")
    origins[("framework", "licence", "url")] = ("about", about["licence_url"][0], "value")

    document = {"framework": framework}
    for name in ("areas", "levels", "standards", "competences", "learning", "roles"):
        document[name] = []
        for index, (number, record) in enumerate(records[name]):
            origins[(name, index)] = (name, number, None)
            document[name].append(dict(record))
    for role in document["roles"]:
        role["competences"] = []
    document["progressions"] = []
    for index, (number, record) in enumerate(records["progressions"]):
        origins[("progressions", index)] = ("progressions", number, None)
        document["progressions"].append(dict(record, drops=[]))

    roles = {}
    for index, role in enumerate(document["roles"]):
        roles.setdefault(role["slug"], (index, role))
    for number, record in records["role_competences"]:
        index, role = roles.get(record["role"], (None, None))
        if role is None:
            problems.append(
                f"role_competences sheet, row {number}, role: no role {_shown(record['role'])} "
                "on the roles sheet."
            )
            continue
        origins[("roles", index, "competences", len(role["competences"]))] = (
            "role_competences",
            number,
            None,
        )
        role["competences"].append({key: record[key] for key in SHEETS["role_competences"][1:]})

    moves = {}
    for index, move in enumerate(document["progressions"]):
        moves.setdefault((move["from"], move["to"]), (index, move))
    for number, record in records["progression_drops"]:
        index, move = moves.get((record["from"], record["to"]), (None, None))
        if move is None:
            problems.append(
                f"progression_drops sheet, row {number}: no move from {_shown(record['from'])} "
                f"to {_shown(record['to'])} on the progressions sheet."
            )
            continue
        origins[("progressions", index, "drops", len(move["drops"]))] = (
            "progression_drops",
            number,
            None,
        )
        move["drops"].append({"code": record["code"], "reason": record["reason"]})
    return document, origins


def _where(origins: dict, path: list) -> str:
    """The sheet, row and column a path in the document came from."""
    for length in range(len(path), -1, -1):
        origin = origins.get(tuple(path[:length]))
        if origin is None:
            continue
        sheet, number, column = origin
        if column is None and length < len(path) and isinstance(path[length], str):
            column = path[length]
        return f"{sheet} sheet, row {number}" + (f", {column}" if column else "")
    return "The workbook"
