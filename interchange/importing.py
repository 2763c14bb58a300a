"""Importing a whole framework from a file: the JSON document or the Excel workbook.

Both the ``import_framework`` command and the admin's import pages come through here,
so they accept the same files, refuse the same mistakes with the same messages, and
report the same changes. Nothing is written until the whole file has been checked.
"""

from collections.abc import Callable

from django.conf import settings

from . import formats, workbook_reader
from .errors import ContentError
from .load_report import LoadReport
from .loading import framework_apply

# An xlsx file is a zip archive, and every zip archive starts with these bytes.
ZIP_SIGNATURE = b"PK\x03\x04"


def size_limit() -> int:
    return settings.FRAMEWORK_IMPORT_MAX_BYTES


def plain_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _sheet_row(entity: str, index: int) -> str:
    # Row 1 of every sheet is its header.
    return f"{entity} sheet, row {index + 2}"


def read_file(data: bytes, name: str = "") -> tuple[dict, Callable[[str, int], str]]:
    """The framework document in an uploaded file, and how to name an entry's place in it."""
    if len(data) > size_limit():
        raise ContentError(
            f"{name or 'The file'} is {plain_size(len(data))}; the largest file accepted is "
            f"{plain_size(size_limit())}"
        )
    if not data.strip():
        raise ContentError(f"{name or 'The file'} is empty")
    if data.startswith(ZIP_SIGNATURE) or name.lower().endswith(".xlsx"):
        return workbook_reader.read_workbook(data), _sheet_row
    return formats.read_json(data), lambda entity, index: f"{entity}[{index}]"


def import_framework(
    data: bytes,
    *,
    name: str = "",
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadReport:
    """Make the stored framework exactly the file's, taking its version and date.

    Raises ContentError, with nothing written, for any problem in the file.
    """
    document, locate = read_file(data, name)
    return framework_apply(
        document,
        remove_missing=True,
        take_version=True,
        dry_run=dry_run,
        locate=locate,
        progress=progress,
    )
