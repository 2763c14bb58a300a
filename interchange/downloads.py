"""The whole-framework files, built together from one framework document, kept in the
content cache under the content generation, and built again straight after each change.
The CASE REST service's answers (``interchange.case_service``) are built and kept with
them, from the same packages as the CASE files.

Every committed content change starts a new generation (``core.versioning``), and with
it a build on a background thread of the process that made the change, so the open data page
and its downloads are ready before anyone asks for them. On a large framework a build
takes tens of seconds: left to the first request after an edit, it could outlast the
server's request timeout.

A build for a generation is claimed in the shared cache, so one server builds it while
a request on any server that finds no files waits for that build rather than starting
another. A claim lapses after ``CLAIM_SECONDS``, and a request waits at most
``WAIT_SECONDS`` before building the files itself, so a builder that died (a worker
replaced mid-build) costs a short wait, never a missing page. Within a process, changes
that come while a build runs are followed by one more build, not one each.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connections

from core import versioning

from . import case_service, formats
from .case import case_packages
from .case_changes import change_dates
from .document import framework_document
from .moodle import moodle_csv

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 60 * 60
CLAIM_SECONDS = 120
# Under the server's 30-second request timeout, with room to build after waiting.
WAIT_SECONDS = 10
POLL_SECONDS = 0.2


def _build(document: dict) -> dict[str, bytes | object]:
    """Every file, and beside them what the CASE service answers (not files: no sizes)."""
    case = case_packages(document, change_dates())
    files = {
        "framework.json": formats.json_bytes(document),
        "framework.schema.json": formats.schema_bytes(),
        "framework.xlsx": formats.workbook_bytes(document),
        "case.json": formats.json_bytes(case.framework),
        "case-role-profiles.json": formats.json_bytes(case.role_profiles),
        "moodle.csv": moodle_csv(document),
    }
    files |= {f"csv/{name}": data for name, data in formats.csv_files(document).items()}
    files |= case_service.answers([case.framework, case.role_profiles], settings.PUBLIC_URL)
    return files


def _key(token: str, name: str) -> str:
    return f"interchange:{token}:{name}"


def _built() -> tuple[dict[str, bytes], dict]:
    """Every file, and the summary: {"sizes": {file: bytes}, "framework": its block}."""
    document = framework_document()
    files = _build(document)
    summary = {
        "sizes": {name: len(data) for name, data in files.items() if isinstance(data, bytes)},
        "framework": document["framework"],
    }
    return files, summary


def _build_and_keep(token: str) -> tuple[dict[str, bytes], dict]:
    # ``token`` was read before the content: were the content to change meanwhile,
    # the files would be kept under a generation that is already over, never served.
    files, summary = _built()
    entries = {_key(token, name): data for name, data in files.items()}
    entries[_key(token, "summary")] = summary
    caches["content"].set_many(entries, CACHE_SECONDS)
    return files, summary


def _claim(token: str) -> bool:
    """True when this caller may build ``token``'s files (no one else has claimed it)."""
    return caches["content"].add(_key(token, "building"), True, CLAIM_SECONDS)


def _release(token: str) -> None:
    caches["content"].delete(_key(token, "building"))


def _ready(token: str, name: str) -> tuple[bytes | dict, dict] | None:
    """(file or summary, summary) when both are kept for ``token``, else None."""
    wanted, summary = _key(token, name), _key(token, "summary")
    stored = caches["content"].get_many([wanted, summary])
    if wanted in stored and summary in stored:
        return stored[wanted], stored[summary]
    return None


def built_file(name: str) -> tuple[bytes | object, dict]:
    """(the bytes of one file, or the summary when ``name`` is "summary", or an entry of
    the CASE service's answers; the summary: {"sizes": {file: bytes}, "framework": the
    framework block}) for the current content.
    """
    if versioning.uncommitted_change():
        # Half of a change may be in the database: build, and keep nothing.
        files, summary = _built()
        return (summary if name == "summary" else files[name]), summary
    token = versioning.generation()
    found = _ready(token, name)
    if found is not None:
        return found
    if not _claim(token):
        # Someone is building this generation: wait for their files.
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            found = _ready(token, name)
            if found is not None:
                return found
    try:
        files, summary = _build_and_keep(token)
    finally:
        _release(token)
    return (summary if name == "summary" else files[name]), summary


# --- Building after each change ---------------------------------------------------------

_lock = threading.Lock()
_state = {"running": False, "again": False}
_thread: threading.Thread | None = None


def build_after_change(**signal) -> None:
    """Build the current generation's files on a background thread (connected to
    ``core.versioning.content_committed``, so it runs once a content change has
    committed). Does nothing unless ``settings.BUILD_DOWNLOADS_AFTER_CHANGE``.

    The thread is not a daemon: a command that changes the content (an import, the seed
    load) finishes building before the process exits, so the files are ready for the site.
    """
    global _thread
    if not getattr(settings, "BUILD_DOWNLOADS_AFTER_CHANGE", False):
        return
    with _lock:
        if _state["running"]:
            _state["again"] = True
            return
        _state["running"] = True
        _thread = threading.Thread(target=_build_until_current, name="build-downloads")
        _thread.start()


def _build_current() -> None:
    token = versioning.generation()
    if _ready(token, "summary") is None and _claim(token):
        try:
            _build_and_keep(token)
        finally:
            _release(token)


def _build_until_current() -> None:
    try:
        while True:
            try:
                _build_current()
            except Exception:
                logger.exception("Building the whole-framework downloads failed")
            with _lock:
                if not _state["again"]:
                    _state["running"] = False
                    return
                _state["again"] = False
    finally:
        connections.close_all()


def wait_for_build(timeout: float | None = None) -> None:
    """Wait for this process's background build, if one is running."""
    thread = _thread
    if thread is not None:
        thread.join(timeout)
