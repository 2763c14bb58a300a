"""The Nu HTML checker finds no errors on any page type (tests/browser/pages.py).

Every page is fetched first and the checker runs once over all of them, since starting
Java takes longer than checking a page. Warnings are reported but do not fail the test.
Without Java or the checker this skips locally, with the reason; under CI=true it fails.
"""

import json
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from tests.browser.pages import addresses, reached_pages

pytestmark = pytest.mark.django_db

VNU = (
    Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)


KNOWN_ERROR = "a page with no title"


def _checker() -> list[str]:
    """The command that runs the checker, or a skip (a failure in CI) saying what is missing."""
    java = shutil.which("java")
    reason = None
    if not java:
        reason = "Java is needed for the Nu HTML checker: apt-get install default-jre-headless"
    elif not VNU.exists():
        reason = "The Nu HTML checker is missing: run `make install` (npm package vnu-jar)"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"The HTML checker must run in CI: {reason}")
        pytest.skip(reason)
    # The checker needs a deep stack; the quick (client) compiler halves its run here.
    options = ["-Xss8m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
    return [java, *options, "-jar", str(VNU), "--format", "json", "--stdout"]


def test_every_page_type_is_valid_html(client, seeded, tmp_path):
    command = _checker()
    pages = {}
    for page in addresses():
        response = client.get(page.path)
        assert response.status_code == page.status, page.path
        pages[page.name] = response
    pages.update(reached_pages(client))

    files = {}
    for name, response in pages.items():
        assert response["Content-Type"].startswith("text/html"), name
        file_name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".html"
        (tmp_path / file_name).write_bytes(response.content)
        files[file_name] = name
    assert len(files) == len(pages), "two page names make the same file name"
    # A document with a known error, to show that the checker read the files at all.
    (tmp_path / "known-error.html").write_text(
        '<!DOCTYPE html><html lang="en"><head></head><body></body></html>'
    )
    files["known-error.html"] = KNOWN_ERROR

    run = subprocess.run(
        [*command, *(str(tmp_path / file_name) for file_name in files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(run.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"The HTML checker did not report (exit {run.returncode}): {run.stderr}")

    errors, notes = {}, {}
    for message in messages:
        file_name = message.get("url", "").rpartition("/")[2]
        name = files.get(file_name, message.get("url", "the checker"))
        if message["type"] in ("error", "non-document-error"):
            lines = errors.setdefault(f"{name}: {message['message']}", [])
            lines.append(str(message.get("lastLine", "?")))
        elif message.get("subType") == "warning":
            notes.setdefault(message["message"], set()).add(name)
    assert any(error.startswith(KNOWN_ERROR) for error in errors), "the checker found nothing"
    errors = {error: lines for error, lines in errors.items() if not error.startswith(KNOWN_ERROR)}
    if notes:
        found = "; ".join(f"{text} (on {len(names)} pages)" for text, names in notes.items())
        warnings.warn(f"Nu HTML checker warnings: {found}", stacklevel=1)
    assert not errors, "\n".join(
        f"{error} (lines {', '.join(lines)})" for error, lines in errors.items()
    )
