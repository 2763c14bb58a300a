"""A throwaway redis-server on a loopback port that a test may stop and start again.

scripts/with-redis.sh starts the suite's shared server; a test that stops its server
needs one of its own, started with the same settings, on the same port each time.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest

from tests.servers import free_port

HOST = "127.0.0.1"


class RedisServer:
    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                *("--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "no"),
                *("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"),
                *("--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            assert self.process.poll() is None, "redis-server stopped while starting"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def keys(self) -> int:
        """How many keys the server holds."""
        with socket.create_connection((HOST, self.port), timeout=2) as sock:
            sock.sendall(b"DBSIZE\r\n")
            return int(sock.recv(64).decode().strip().lstrip(":"))


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, which it may stop and start."""
    if not shutil.which("redis-server"):
        reason = "redis-server is not installed (Debian's redis-server package)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; CI must run the Redis tests, and .ci/run installs it")
        pytest.skip(reason)
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
