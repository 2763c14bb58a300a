"""Page latency and throughput, measured against static-file throughput on the same server.

Starts gunicorn with production settings (DEBUG off, hashed static files) on a loopback
port, warms it, then for each page type takes sequential latencies and a short
concurrent throughput run, and the same for a static CSS file. Ratios to the static
file make results comparable across machines. Every loop is bounded in count and time.

Usage: .venv/bin/python scripts/benchmark.py [--requests 200] [--seconds 5] [--concurrency 4]
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path, headers={"Host": "localhost", "X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    response.read()
    return response.status


def latencies(port: int, path: str, count: int, deadline: float) -> list[float]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    samples = []
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        status = get(conn, path)
        samples.append(time.perf_counter() - start)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    conn.close()
    return samples


def throughput(port: int, path: str, seconds: float, concurrency: int) -> float:
    stop = time.monotonic() + seconds
    counts = [0] * concurrency

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        while time.monotonic() < stop:
            get(conn, path)
            counts[index] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def wait_for(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per page")
    parser.add_argument("--seconds", type=float, default=5, help="throughput run per page")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    env = os.environ | {
        "DJANGO_DEBUG": "0",
        "DJANGO_LOCAL": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    paths = subprocess.run(
        [python, "manage.py", "shell", "-v", "0", "-c", SAMPLE_PATHS],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    static_path = subprocess.run(
        [
            python,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            "from django.templatetags.static import static; print(static('css/site.css'))",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    port = free_port()
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "framework_site.wsgi",
            "-b",
            f"{HOST}:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
        targets = [("static CSS file", static_path)] + [(path, path) for path in paths]
        results = []
        for label, path in targets:
            latencies(port, path, 20, time.monotonic() + 10)  # warm up
            samples = latencies(port, path, args.requests, time.monotonic() + 60)
            rate = throughput(port, path, args.seconds, args.concurrency)
            results.append((label, statistics.median(samples), _p95(samples), rate))
        static_median, static_rate = results[0][1], results[0][3]
        print(
            f"{'page':45} {'median ms':>10} {'p95 ms':>8} {'req/s':>8} "
            f"{'latency x static':>17} {'throughput / static':>20}"
        )
        for label, median, p95, rate in results:
            print(
                f"{label[:45]:45} {median * 1000:10.2f} {p95 * 1000:8.2f} {rate:8.0f} "
                f"{median / static_median:17.1f} {rate / static_rate:20.2f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


SAMPLE_PATHS = """
from competences.models import Competence, Standard
from roles.models import RoleProfile
role = RoleProfile.objects.filter(requirements__isnull=False).first() or RoleProfile.objects.first()
statement = Competence.objects.filter(kind='statement').first()
section = Competence.objects.filter(kind='section').first()
print('/', '/roles/', role.get_absolute_url(), '/competences/', section.get_absolute_url(),
      statement.get_absolute_url(), Standard.objects.first().get_absolute_url(),
      '/search/?q=risk', '/pathways/')
"""

if __name__ == "__main__":
    main()
