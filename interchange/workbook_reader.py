"""Reading the framework document back from an Excel workbook laid out as
``formats.workbook_bytes`` writes it.

The reader is strict: every sheet and column must be there, and nothing else; each cell
must hold its column's type. Anything it cannot read exactly raises ``ContentError``
naming the sheet, row and column and what is wrong. Whether the content holds together
is the loader's job.
"""

import datetime
import io
import zipfile

from openpyxl import load_workbook

from .errors import ContentError
from .formats import (
    ABOUT_FIELDS,
    BOOLEAN,
    COLUMN_TYPES,
    DATE,
    INTEGER,
    OPTIONAL_ABOUT_FIELDS,
    OPTIONAL_INTEGER,
    OPTIONAL_TEXT,
    SHEETS,
    SPACED_LIST,
    schema_errors,
    summary,
)

# A workbook that unpacks to more than this, or whose sheets hold more cells, is refused
# before it is parsed: a small file can unpack to hundreds of megabytes, which would hold
# a worker for many seconds and much memory. The framework's own workbook unpacks to
# under 1 MB and about 10,000 cells; these leave room for thirty times its size.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_CELLS = 300_000
CHUNK = 1024 * 1024


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
        raise ContentError(summary(problems))
    records = {}
    for name in SHEETS:
        records[name] = _read_sheet(book[name], name, problems)
    if problems:
        raise ContentError(summary(problems))
    document, origins = _assemble(records, problems)
    if problems:
        raise ContentError(summary(problems))
    problems = [
        f"{_where(origins, list(error.absolute_path))}: {error.message}"
        for error in schema_errors(document)
    ]
    if problems:
        raise ContentError(summary(problems))
    return document


def _open_workbook(data: bytes):
    not_a_workbook = "The file is not an Excel workbook (.xlsx); save it as one and try again."
    too_large = (
        "The workbook is too large to read once unpacked: the framework's workbook is far "
        "smaller. Check that it is the right file, or remove what the framework does not use."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
                raise ContentError(too_large)
            if _cells_beyond_limit(archive, entries):
                raise ContentError(too_large)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise ContentError(not_a_workbook) from None
    try:
        # Read only: rows are read as they are needed, not held as cell objects.
        return load_workbook(io.BytesIO(data), data_only=False, read_only=True)
    except Exception:  # openpyxl raises many kinds of error for a broken or foreign file
        raise ContentError(not_a_workbook) from None


def _cells_beyond_limit(archive, entries) -> bool:
    """Whether the worksheets hold more than ``MAX_CELLS`` cells, counted by reading
    their XML in chunks (never more than ``MAX_UNPACKED_BYTES`` in all, checked first)."""
    cells = 0
    for entry in entries:
        if not (entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")):
            continue
        with archive.open(entry) as stream:
            tail = b""
            while chunk := stream.read(CHUNK):
                text = tail + chunk
                # Count each cell's opening tag once, across the chunks' seams.
                cells += (
                    text.count(b"<c ")
                    + text.count(b"<c>")
                    - (tail.count(b"<c ") + tail.count(b"<c>"))
                )
                if cells > MAX_CELLS:
                    return True
                tail = text[-2:]
    return False


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
        number = None
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 15:
            number = int(value.strip())
        elif isinstance(value, int):
            number = value
        if number is None:
            raise ValueError(f"{_shown(value):.40} is not a whole number.")
        if not -(2**31) < number < 2**31:
            raise ValueError(f"{_shown(value):.40} is too large a number for the framework.")
        return number
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
        if field not in about and field not in OPTIONAL_ABOUT_FIELDS:
            problems.append(f"about sheet: no row for '{field}'.")
    if problems:
        return {}, origins
    for field in ABOUT_FIELDS[:5]:
        framework[field] = about[field][1]
        origins[("framework", field)] = ("about", about[field][0], "value")
    framework["licence"] = {"name": about["licence"][1], "url": about["licence_url"][1]}
    origins[("framework", "licence", "name")] = ("about", about["licence"][0], "value")
    origins[("framework", "licence", "url")] = ("about", about["licence_url"][0], "value")
    if about.get("status", (None, None))[1]:  # a blank status says nothing: left out
        framework["status"] = about["status"][1]
        origins[("framework", "status")] = ("about", about["status"][0], "value")

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
