"""How long loading the framework's seed content takes, and how many queries it makes.

Works on a new SQLite file in a temporary folder, never on the site's own database.
Times four loads: the seed content into an empty database, the same content again
(which must write nothing), then ``--factor`` times the content (the seed plus copies
with suffixed codes, slugs and titles) into an emptied database, and that again.

Usage: .venv/bin/python scripts/bench_load.py [--factor 10]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WRITES = ("INSERT", "UPDATE", "DELETE")


def _suffixed(value: str, copy: int, sep: str = "-") -> str:
    return f"{value}{sep}{copy}"


def _tree(items: list, copy: int) -> list:
    for item in items or []:
        item["code"] = _suffixed(item["code"], copy)
        item["standards"] = [_suffixed(ref, copy) for ref in item.get("standards", [])]
        _tree(item.get("children"), copy)
    return items


def _dump(data, path: Path) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def grow_fixtures(source: Path, target: Path, factor: int) -> Path:
    """Write the seed content plus ``factor - 1`` renamed copies of it into ``target``.

    Levels are shared (there are only nine); every other item is copied with a suffix
    on its natural key, and the copies refer to each other, so each copy is valid.
    """
    shutil.copytree(source, target)

    def read(name: str):
        return yaml.safe_load((source / name).read_text(encoding="utf-8")) or []

    areas, standards = read("areas.yaml"), read("standards.yaml")
    learning, moves = read("learning.yaml"), read("progressions.yaml")
    for copy in range(1, factor):
        for item in read("areas.yaml"):
            item["slug"] = _suffixed(item["slug"], copy)
            item["name"] = _suffixed(item["name"], copy, " ")
            item["position"] = item.get("position", 0) + 10 * copy
            areas.append(item)
        for item in read("standards.yaml"):
            item["reference"] = _suffixed(item.get("reference", item["code"]), copy)
            item["code"] = _suffixed(item["code"], copy)
            standards.append(item)
        for path in sorted((source / "competences").glob("*.yaml")):
            tree = _tree(yaml.safe_load(path.read_text(encoding="utf-8")), copy)
            _dump(tree, target / "competences" / f"{path.stem}-copy-{copy}.yaml")
        for item in read("learning.yaml"):
            item["title"] = _suffixed(item["title"], copy, " ")
            item["competences"] = [_suffixed(code, copy) for code in item.get("competences", [])]
            learning.append(item)
        for path in sorted((source / "roles").glob("*.yaml")):
            role = yaml.safe_load(path.read_text(encoding="utf-8"))
            for key in ("slug", "code"):
                role[key] = _suffixed(role[key], copy)
            role["title"] = _suffixed(role["title"], copy, " ")
            role["areas"] = [_suffixed(slug, copy) for slug in role.get("areas", [])]
            for need in role.get("competences", []):
                need["code"] = _suffixed(need["code"], copy)
            _dump(role, target / "roles" / f"{path.stem}-copy-{copy}.yaml")
        for item in read("progressions.yaml"):
            item["from"], item["to"] = _suffixed(item["from"], copy), _suffixed(item["to"], copy)
            for drop in item.get("drops") or []:
                drop["code"] = _suffixed(drop["code"], copy)
            moves.append(item)
    _dump(areas, target / "areas.yaml")
    _dump(standards, target / "standards.yaml")
    _dump(learning, target / "learning.yaml")
    _dump(moves, target / "progressions.yaml")
    return target


class QueryCounter:
    """Counts every statement sent to the database, and the ones that write."""

    def __init__(self):
        self.queries = self.writes = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        self.writes += sql.lstrip().upper().startswith(WRITES)
        return execute(sql, params, many, context)


def measure(label: str, directory: Path) -> dict:
    from django.db import connection

    from interchange.loading import framework_load

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        report = framework_load(directory=directory)
        seconds = time.perf_counter() - start
    print(f"{label:<48} {seconds:7.2f} s {counter.queries:7d} queries {counter.writes:7d} writes")
    return {
        "seconds": seconds,
        "queries": counter.queries,
        "writes": counter.writes,
        "report": report,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=10, help="How many times the content.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        os.environ["DJANGO_SQLITE_PATH"] = str(folder / "bench.sqlite3")
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_LOCAL", "1")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "framework_site.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from interchange.loading import FIXTURES_DIR

        call_command("migrate", verbosity=0)
        grown = grow_fixtures(FIXTURES_DIR, folder / "grown", args.factor)
        print(f"{'Load':<48} {'seconds':>9} {'queries':>15} {'writes':>14}")
        first = measure("seed content into an empty database", FIXTURES_DIR)
        for line in first["report"].lines():
            print(f"    {line}")
        measure("seed content again, unchanged", FIXTURES_DIR)
        call_command("flush", interactive=False, verbosity=0)
        measure(f"{args.factor} times the content into an empty database", grown)
        measure(f"{args.factor} times the content again, unchanged", grown)


if __name__ == "__main__":
    main()
