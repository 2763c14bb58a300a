"""A workbook that unpacks to far more than it weighs is refused before it is parsed:
quickly, with little memory, and with a message."""

import io
import time
import tracemalloc
import zipfile

import pytest

from interchange import formats
from interchange.document import framework_document
from interchange.errors import ContentError
from interchange.importing import import_framework, size_limit
from tests.measure import content_row_counts

pytestmark = pytest.mark.django_db

OPENING = (
    b'<?xml version="1.0"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1">'
)


def bomb(sheet_body: bytes, repeat: int) -> bytes:
    """The framework's own workbook with its largest sheet replaced by ``repeat`` copies
    of ``sheet_body``, written in pieces so the test itself stays small."""
    original = zipfile.ZipFile(io.BytesIO(formats.workbook_bytes(framework_document())))
    target = max(
        (entry for entry in original.infolist() if entry.filename.startswith("xl/worksheets/")),
        key=lambda entry: entry.file_size,
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in original.infolist():
            if entry.filename != target.filename:
                archive.writestr(entry, original.read(entry))
                continue
            with archive.open(entry.filename, "w", force_zip64=True) as sheet:
                sheet.write(OPENING)
                block = sheet_body * 1000
                for _ in range(repeat // 1000):
                    sheet.write(block)
                sheet.write(b"</row></sheetData></worksheet>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("body", "repeat"),
    [
        # 95 MB of text in one sheet, from a file of a few hundred kilobytes.
        (b'<c r="A1" t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c>", 95_000),
        # Two million empty cells in 22 MB, inside the unpacked limit.
        (b'<c r="A1"/>', 2_000_000),
    ],
    ids=["unpacked-size", "cell-count"],
)
def test_a_workbook_bomb_is_refused_fast_with_little_memory(body, repeat):
    data = bomb(body, repeat)
    assert len(data) < size_limit()
    before = content_row_counts()
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ContentError) as refused:
        import_framework(data, name="framework.xlsx")
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "too large to read once unpacked" in str(refused.value)
    assert seconds < 2, f"{seconds:.1f} s"
    assert peak < 100 * 1024 * 1024, f"{peak / 2**20:.0f} MB"
    assert content_row_counts() == before
