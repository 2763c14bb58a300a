"""The benchmark's results and the report it writes to docs/performance.md: a table per
data size, each target met or not, and the findings kept from the last report.

Used by ``bench.py``; see its docstring for how the numbers are taken.
"""

import os
import platform
import re
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    rate: float
    transferred: int = 0
    # Why the page could not be measured (an error or a timeout), when it could not.
    failure: str = ""


@dataclass
class Run:
    scale: int
    cached: bool
    results: dict[str, Result] = field(default_factory=dict)


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "-"


# The targets, as ratios from one run.
CACHED_THROUGHPUT_OF_STATIC = 0.5
UNCACHED_MEDIAN_OF_STATIC = 10
GROWN_THROUGHPUT_OF_1X = 0.8
OVERVIEW_MOST_KB = 100
FINDINGS = "## Findings"


def growth(base: Run, grown: Run, name: str) -> float:
    """The page's throughput at the grown size over its throughput at 1x, each taken
    against the static file's in its own run (the static file's own row: plain), so a
    machine busier or quieter during one run does not count as the page's growth."""
    page = grown.results[name].rate / base.results[name].rate
    if name == "static file":
        return page
    return page / (grown.results["static file"].rate / base.results["static file"].rate)


def grown_ratio(grown: "Run | None", name: str, base: Run) -> str:
    """``growth`` as shown in the table, or why there is none."""
    if grown is None or name not in grown.results:
        return "-"
    if grown.results[name].failure:
        return f"not measured: {grown.results[name].failure}"
    return f"{growth(base, grown, name):.2f}"


def find_run(runs: list[Run], scale: int, cached: bool) -> Run | None:
    return next((r for r in runs if r.scale == scale and r.cached == cached), None)


def target_lines(runs: list[Run], weights: dict) -> list[str]:
    """Each target, met or not, and the pages that miss it with their ratio."""

    def check(label: str, misses: list[str], measured: bool) -> str:
        if not measured:
            return f"- {label}: not measured in this run."
        if not misses:
            return f"- {label}: **met** by every page type."
        return f"- {label}: **missed** by " + "; ".join(misses) + "."

    def pages(run: Run):
        return [(n, r) for n, r in run.results.items() if n != "static file" and not r.failure]

    def failed(run: Run | None) -> list[str]:
        if run is None:
            return []
        return [f"{n} (not measured: {r.failure})" for n, r in run.results.items() if r.failure]

    def misses(run: Run | None, ratio_of, missed, shown: str) -> list[str]:
        """The pages of ``run`` whose ``ratio_of(name, result)`` is ``missed``, shown with
        it (None: nothing to compare with), then the pages that could not be measured."""
        if run is None:
            return []
        found = []
        for name, result in pages(run):
            value = ratio_of(name, result)
            if value is not None and missed(value):
                found.append(f"{name} ({shown.format(value)})")
        return found + failed(run)

    lines = ["## Targets", "", "Checked by the script against the tables above.", ""]
    cached, uncached = find_run(runs, 1, True), find_run(runs, 1, False)
    if cached:
        static_rate = cached.results["static file"].rate
    lines.append(
        check(
            f"Cached throughput at least {CACHED_THROUGHPUT_OF_STATIC} of the static file's",
            misses(
                cached,
                lambda _name, result: result.rate / static_rate,
                lambda value: value < CACHED_THROUGHPUT_OF_STATIC,
                "{:.2f}",
            ),
            bool(cached),
        )
    )
    if uncached:
        static_median = uncached.results["static file"].median_ms
    lines.append(
        check(
            f"Uncached median latency within {UNCACHED_MEDIAN_OF_STATIC} times the static file's",
            misses(
                uncached,
                lambda _name, result: result.median_ms / static_median,
                lambda value: value > UNCACHED_MEDIAN_OF_STATIC,
                "{:.1f}x",
            ),
            bool(uncached),
        )
    )
    for scale in (10, 100):
        for is_cached in (True, False):
            base, grown = find_run(runs, 1, is_cached), find_run(runs, scale, is_cached)
            lines.append(
                check(
                    f"{'Cached' if is_cached else 'Uncached'} throughput at {scale}x data within "
                    f"{100 - GROWN_THROUGHPUT_OF_1X * 100:.0f}% of 1x",
                    misses(
                        grown if base else None,
                        lambda name, _result, base=base, grown=grown: (
                            None if base.results[name].failure else growth(base, grown, name)
                        ),
                        lambda value: value < GROWN_THROUGHPUT_OF_1X,
                        "{:.2f}",
                    ),
                    bool(base and grown),
                )
            )
    if "overview" in weights:
        total = sum(weights["overview"]) / 1024
        verdict = "**met**" if total < OVERVIEW_MOST_KB else "**missed**"
        lines.append(
            f"- The overview under {OVERVIEW_MOST_KB} KB in all: {verdict} ({total:.1f} KB)."
        )
    return lines + [""]


def kept_findings(path: Path) -> list[str]:
    """The hand-written findings section of the last report, kept across reruns."""
    try:
        text = path.read_text()
    except OSError:
        return []
    if FINDINGS not in text:
        return []
    section = text[text.index(FINDINGS) :]
    following = section.find("\n## ", len(FINDINGS))
    if following != -1:
        section = section[:following]
    return section.rstrip().splitlines() + [""]


def write_report(runs: list[Run], weights: dict, args, started: float) -> str:
    def run(scale, cached):
        return find_run(runs, scale, cached)

    lines = [
        "# Performance",
        "",
        "Written by `make bench` (scripts/bench.py); rerun it to refresh. Every number comes "
        "from one run on the machine described at the end: gunicorn with the production "
        "configuration on loopback, a throwaway SQLite database, two workers, requests "
        "asking for brotli or gzip. Latency is the median and 95th percentile of sequential "
        f"requests; throughput is `wrk` with {args.connections} connections for "
        f"{args.seconds} s per page. Ratios compare each page with the static file served "
        "by the same server in the same run, so they carry across machines better than "
        "the raw numbers.",
        "",
        "At 10x and 100x the seed content is grown by the test suite's framework grower: "
        "that many times the roles, competences, standards, learning, requirements and moves. "
        + (
            "The three measured roles grow too, to that many times their own competences "
            "and moves (`--grow-measured`), so their own pages grow with them."
            if args.grow_measured
            else "The measured roles keep their own size (`--grow-measured` grows them too), "
            "so each page is compared with itself in a larger framework."
        ),
        "",
    ]
    for cached in (True, False):
        base = run(1, cached)
        if base is None:
            continue
        static = base.results["static file"]
        title = "cached (the page cache on)" if cached else "uncached (every page rendered)"
        lines += [
            f"## Pages, {title}",
            "",
            "| Page | median ms | p95 ms | req/s | throughput / static | median / static "
            "| 10x / 1x throughput* | 100x / 1x throughput* |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, result in base.results.items():
            if result.failure:
                lines.append(f"| {name} | not measured: {result.failure} | | | | | | |")
                continue
            grown = [
                grown_ratio(other, name, base) for other in (run(10, cached), run(100, cached))
            ]
            lines.append(
                f"| {name} | {result.median_ms:.2f} | {result.p95_ms:.2f} | {result.rate:.0f} "
                f"| {ratio(result.rate, static.rate)} "
                f"| {ratio(result.median_ms, static.median_ms)} | {grown[0]} | {grown[1]} |"
            )
        lines += [
            "",
            "\\* The page's throughput at 10x or 100x data over its throughput at 1x, each "
            "taken against the static file's in the same run (the static file's own row: "
            "plain), so that a machine busier or quieter during one run does not count as "
            "the page's growth.",
            "",
        ]
    if weights:
        lines += [
            "## Page weight",
            "",
            "Bytes transferred for each page at 1x data, compressed as sent: the HTML, and the "
            "CSS and JavaScript it links (fetched once, then cached by the browser).",
            "",
            "| Page | HTML bytes | CSS and JS bytes | total KB |",
            "|---|---:|---:|---:|",
        ]
        for name, (html, assets) in weights.items():
            lines.append(f"| {name} | {html:,} | {assets:,} | {(html + assets) / 1024:.1f} |")
        lines.append("")
    lines += target_lines(runs, weights)
    lines += kept_findings(args.output) or [
        FINDINGS,
        "",
        "(Written by hand after a run, and kept when the script rewrites this file: what "
        "the numbers mean and the cause of any target missed.)",
        "",
    ]
    cpu = "unknown"
    try:
        info = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"model name\s*:\s*(.+)", info).group(1).strip()
    except (OSError, AttributeError):
        pass
    lines += [
        "## Machine",
        "",
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- Python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- Run on {time.strftime('%Y-%m-%d', time.gmtime(started))}, took "
        f"{(time.time() - started) / 60:.0f} minutes",
        "",
    ]
    return "\n".join(lines)
