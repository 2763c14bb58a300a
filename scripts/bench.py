"""Every page type's latency and throughput beside a static file's, at 1x, 10x and 100x data.

Not a test and not run in CI: `make bench` runs it, prints a table and writes
docs/performance.md. For each data size it builds a throwaway SQLite database (the seed
content, grown by the test suite's framework grower), starts the production
configuration (gunicorn with `make serve`'s configuration file, DEBUG off, hashed and
compressed static files) on a loopback port, and for every page type measures the
median and 95th-percentile latency of sequential requests and the throughput of `wrk`
under concurrent load, side by side with a static file from the same server in the
same run, first with the page cache on and then with it off. Requests ask for brotli
or gzip, as browsers do. Every run is bounded in time. The report is written by
`bench_report.py`.

Usage: .venv/bin/python scripts/bench.py [--seconds 3] [--samples 40] [--scales 1,10,100]
       [--grow-measured]
"""

import argparse
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_report import Result, Run, write_report

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PYTHON = sys.executable
REPORT = ROOT / "docs" / "performance.md"
HEADERS = {"Host": "localhost", "Accept-Encoding": "br, gzip", "X-Forwarded-Proto": "https"}

# Which addresses stand for each page type, worked out in the benchmark's database.
ADDRESSES = r"""
import json
from django.utils import timezone
from competences.models import Competence, Standard
from roles.models import Area, RoleProfile
roles = list(RoleProfile.objects.filter(requirements__isnull=False).distinct().order_by("pk")[:3])
role = roles[0]
area = Area.objects.order_by("position").first()
section = Competence.objects.filter(kind="section").order_by("tree_id").first()
statement = role.requirements.order_by("competence__tree_id", "competence__lft").first().competence
standard = Standard.objects.filter(competences__isnull=False).order_by("pk").first()
choices = ["confident", "confident", "partly", "not-yet"]
answers = "&".join(
    f"c-{need.competence.code}={choices[n % 4]}"
    # The first 60 answers: a grown role's full set would not fit in a request line.
    for n, need in enumerate(role.requirements.select_related("competence")[:60])
)
print(json.dumps({
    "overview": "/",
    "area": area.get_absolute_url(),
    "level": f"/levels/{role.level.number}/",
    "role list": "/roles/",
    "role": role.get_absolute_url(),
    "competence sections": "/competences/",
    "section": section.get_absolute_url(),
    "statement": statement.get_absolute_url(),
    "standard list": "/standards/",
    "standard": standard.get_absolute_url(),
    "search": "/search/?q=risk",
    "proficiency": "/proficiency/",
    "about": "/about/",
    "career map": "/pathways/",
    "compare three roles": "/pathways/compare/?" + "&".join(f"roles={r.slug}" for r in roles),
    "self-assessment form": f"/pathways/self-assessment/{role.slug}/sections/1/",
    "self-assessment result": f"/pathways/self-assessment/{role.slug}/result/?{answers}",
    "job description": f"/roles/{role.slug}/job-description/?employer=Trust",
    "area workforce": f"/areas/{area.slug}/workforce/",
    "skill-mix planner": f"/pathways/skill-mix/?area={area.slug}",
    # A mix of one's own (never stored whole): 2 WTE of each of the first 20 roles.
    "skill-mix planner, own mix": f"/pathways/skill-mix/?area={area.slug}&" + "&".join(
        f"wte-{other.slug}=2"
        for other in RoleProfile.objects.filter(areas=area).order_by("pk")[:20]
    ),
    "team training needs": "/pathways/team/",
    "workforce questions": f"/pathways/skill-mix/questions/?area={area.slug}",
    "find your way in": "/ways-in/",
    "lived-experience route": "/lived-experience/",
    "sitemap": "/sitemap.xml",
    "what has changed": "/changes/",
    "open data": "/export/",
    "framework as JSON": "/export/framework.json",
}))
"""

# The framework grows around the measured roles, which keep their own size, so a page
# is compared with itself in a larger framework. With --grow-measured the three measured
# roles gain FACTOR times their competences and moves too: their own pages then grow
# with them, as a role's page lists its competences.
GROW = r"""
import sys
sys.path.insert(0, ".")
from django.db import transaction
from roles.models import RoleProfile
from tests.factories import grow_framework
from core.versioning import raise_version
with transaction.atomic():
    around = list(RoleProfile.objects.order_by("pk")[:3]) if AROUND else []
    grow_framework(around=around, factor=FACTOR)
    raise_version()
"""


class PageFailed(Exception):
    """A page answered with an error, or wrk saw errors: the page is reported, not timed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def environment(database: Path, cache_dir: Path, static_root: Path, cached: bool) -> dict:
    return os.environ | {
        "DJANGO_DEBUG": "0",
        "DJANGO_LOCAL": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_CACHE_DIR": str(cache_dir),
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_PAGE_CACHE": "1" if cached else "0",
        "WEB_CONCURRENCY": "2",
    }


def manage(env: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return done.stdout if capture else ""


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers=HEADERS)
    response = conn.getresponse()
    return response.status, response.read()


def latencies(port: int, path: str, samples: int, seconds: float) -> tuple[list[float], int]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    timings, size = [], 0
    deadline = time.monotonic() + seconds
    for _ in range(samples):
        if time.monotonic() > deadline and len(timings) >= 5:
            break
        start = time.perf_counter()
        status, body = fetch(conn, path)
        timings.append(time.perf_counter() - start)
        if status != 200:
            raise PageFailed(f"answered {status}")
        size = len(body)
    conn.close()
    return timings, size


def wrk_rate(port: int, path: str, seconds: float, connections: int) -> float:
    headers = [arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")]
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            *headers,
            f"http://{HOST}:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    if "Non-2xx" in done.stdout:
        raise PageFailed("wrk saw error answers")
    match = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    return float(match.group(1))


def static_address(env: dict) -> str:
    return manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from django.templatetags.static import static; "
        "print(static('nhsuk/nhsuk-frontend.min.css'))",
        capture=True,
    ).strip()


def page_assets(port: int, html: bytes) -> int:
    """Compressed bytes of the CSS and JS a page links, as a browser fetches them."""
    text = html.decode("utf-8", "replace")
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', text)
    total = 0
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    for asset in sorted(set(assets)):
        total += len(fetch(conn, asset)[1])
    conn.close()
    return total


def decompressed(body: bytes) -> bytes:
    try:
        import brotli

        return brotli.decompress(body)
    except Exception:  # noqa: BLE001 - gzip or plain, then
        try:
            return gzip.decompress(body)
        except OSError:
            return body


def measure(args, env: dict, pages: dict, run: Run, weights: dict) -> None:
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "--config", "framework_site/gunicorn.conf.py"],
        cwd=ROOT,
        env=env | {"PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        static = static_address(env)
        targets = {"static file": static, **pages}
        for name, path in targets.items():
            try:
                latencies(port, path, 10, 20)  # warm both workers (and the cache, when on)
                timings, size = latencies(port, path, args.samples, args.seconds * 3)
                rate = wrk_rate(port, path, args.seconds, args.connections)
            except (PageFailed, OSError, subprocess.SubprocessError) as problem:
                # A timeout is an OSError: gunicorn stops a request after 30 seconds.
                failure = (
                    str(problem)
                    if isinstance(problem, PageFailed)
                    else "timed out"
                    if isinstance(problem, (TimeoutError, subprocess.TimeoutExpired))
                    else f"failed ({type(problem).__name__})"
                )
                run.results[name] = Result(name, 0.0, 0.0, 0.0, failure=failure)
                print(f"  {name:28} not measured: {failure}", flush=True)
                continue
            run.results[name] = Result(
                name,
                statistics.median(timings) * 1000,
                sorted(timings)[min(len(timings) - 1, int(len(timings) * 0.95))] * 1000,
                rate,
                size,
            )
            if run.cached and run.scale == 1 and name != "static file":
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                _status, body = fetch(conn, path)
                conn.close()
                weights[name] = (len(body), page_assets(port, decompressed(body)))
            print(
                f"  {name:28} {run.results[name].median_ms:8.2f} ms  "
                f"{run.results[name].p95_ms:8.2f} ms  {rate:9.0f} req/s",
                flush=True,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def prepare(scale: int, folder: Path, static_root: Path, grow_measured: bool) -> tuple[dict, Path]:
    database = folder / f"bench-{scale}x.sqlite3"
    cache_dir = folder / f"cache-{scale}x"
    env = environment(database, cache_dir, static_root, cached=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_framework")
    if scale > 1:
        manage(
            env,
            "shell",
            "-v",
            "0",
            "-c",
            GROW.replace("FACTOR", str(scale)).replace("AROUND", str(grow_measured)),
        )
    return env, database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="wrk run per page")
    parser.add_argument("--samples", type=int, default=40, help="sequential requests per page")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--scales", default="1,10,100", help="data sizes to measure")
    parser.add_argument("--output", type=Path, default=REPORT)
    parser.add_argument(
        "--grow-measured",
        action="store_true",
        help="give the measured roles FACTOR times their own competences and moves too",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    started = time.time()
    scales = [int(scale) for scale in args.scales.split(",")]
    runs: list[Run] = []
    weights: dict = {}
    with tempfile.TemporaryDirectory(prefix="framework-bench-") as temp:
        folder = Path(temp)
        static_root = folder / "static"
        for scale in scales:
            print(f"Preparing {scale}x data…", flush=True)
            env, _database = prepare(scale, folder, static_root, args.grow_measured)
            if not static_root.exists():
                manage(env, "collectstatic", "--noinput", "-v0")
            pages = json.loads(manage(env, "shell", "-v", "0", "-c", ADDRESSES, capture=True))
            for cached in (True, False):
                run = Run(scale, cached)
                print(f"{scale}x data, page cache {'on' if cached else 'off'}:", flush=True)
                measure(
                    args,
                    environment(_database, folder / f"cache-{scale}x", static_root, cached),
                    pages,
                    run,
                    weights,
                )
                runs.append(run)
    report = write_report(runs, weights, args, started)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
