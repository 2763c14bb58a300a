"""Real servers for the tests that need one: the site under gunicorn, started from the
repository's own config file as `make serve` and production start it, and a database it
can share with the test.

Each server listens on a free loopback port and is stopped when its ``with`` block ends,
whatever happened inside it. Its standard output (gunicorn's access log) and standard
error (everything else it logs) go to two files a test can read.
"""

import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

HOST = "127.0.0.1"
CONFIG = "framework_site/gunicorn.conf.py"
# Variables of this process that would change how or where gunicorn listens.
SERVER_VARIABLES = {"PORT", "BIND_ADDRESS", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"}


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def changed_environment(changes: Mapping[str, str | None]) -> dict[str, str]:
    """This process's environment with ``changes``; a value of None removes that variable."""
    environment = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


@contextmanager
def shared_database(folder: Path, *, copy_back: bool = False) -> Iterator[str]:
    """A ``DATABASE_URL`` at which a server process finds the test database, content
    included: on PostgreSQL the test database itself; on SQLite, whose test database
    lives in this process's memory, a copy of it in ``folder``.

    With ``copy_back``, on leaving, this process's SQLite database becomes the copy as the
    server left it, so the test sees what the server wrote (on PostgreSQL it does
    already, once the server has committed).
    """
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(database["USER"] or "", safe="")
        password = quote(database["PASSWORD"] or "", safe="")
        login = f"{user}:{password}@" if password else f"{user}@" if user else ""
        port = f":{database['PORT']}" if database["PORT"] else ""
        name = quote(database["NAME"], safe="")
        yield f"postgres://{login}{database['HOST']}{port}/{name}"
        return
    copy = folder / "framework.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    yield f"sqlite:///{copy}"
    if copy_back:
        # Back to a rollback journal first, so the file copies into memory as it stands.
        source = sqlite3.connect(copy)
        source.execute("PRAGMA journal_mode=DELETE")
        source.backup(connection.connection)
        source.close()


def _answers_health_check(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


@contextmanager
def gunicorn(
    env: Mapping[str, str | None] | None = None,
    *,
    workers: int = 2,
    threads: int = 1,
    logs: Path | None = None,
    start_within: float = 60,
) -> Iterator[str]:
    """Serve the site with gunicorn and ``framework_site/gunicorn.conf.py`` on a free
    loopback port; yields the base URL, such as ``"http://127.0.0.1:40123"``.

    Args:
        env: changes to this process's environment for the server, e.g. ``DATABASE_URL``,
            ``DJANGO_ALLOWED_HOSTS`` or ``REDIS_URL``; a value of None removes a variable.
            The server must find a database with the site's tables at ``DATABASE_URL``;
            an in-memory SQLite test database cannot be shared (copy it to a file).
        workers: worker processes (``WEB_CONCURRENCY``).
        threads: threads per worker; more than one runs gunicorn's threaded workers.
        logs: a folder for ``access.log`` (standard output) and ``error.log`` (standard
            error); a temporary folder, removed afterwards, when not given.
        start_within: seconds to wait for ``/healthz`` to answer 200 before failing.

    The block is entered once ``/healthz`` answers 200 (asked for with the Host
    ``127.0.0.1``, so ``DJANGO_ALLOWED_HOSTS`` must allow it, as its local default does). On
    leaving, the server gets gunicorn's graceful shutdown (SIGTERM: a worker finishes the
    request it is answering, so no test sees an answer cut off), and is killed if it
    has not stopped within 15 seconds. The test fails, with the server's error log, if
    the server stops while starting or does not answer in time.
    """
    with tempfile.TemporaryDirectory(prefix="gunicorn-") as spare:
        folder = Path(logs or spare)
        port = free_port()
        environment = changed_environment(
            {name: None for name in SERVER_VARIABLES}
            | dict(env or {})
            | {"PORT": str(port), "WEB_CONCURRENCY": str(workers)}
        )
        command = [sys.executable, "-m", "gunicorn", "--config", CONFIG]
        if threads > 1:
            command += ["--threads", str(threads)]
        error_log = folder / "error.log"
        with (folder / "access.log").open("wb") as out, error_log.open("wb") as err:
            process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=environment, stdout=out, stderr=err
            )
        try:
            deadline = time.monotonic() + start_within
            while not _answers_health_check(port):
                if process.poll() is not None:
                    pytest.fail(f"gunicorn stopped while starting:\n{_tail(error_log)}")
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer:\n{_tail(error_log)}")
                time.sleep(0.2)
            yield f"http://{HOST}:{port}"
        finally:
            process.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
