"""The apps depend on each other one way only: competences <- roles <- pathways <- the apps
that combine them (framework, interchange, workforce).

Every Python file of every app is read with ``ast``, so an import hidden inside a
function, a management command or a template tag counts as much as one at the top.
Migrations are left out: Django writes them, and their dependencies follow the models.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each app, lowest first, with the apps it must never import.
TOP = {"framework", "interchange", "workforce"}
FORBIDDEN = {
    "competences": {"roles", "pathways"} | TOP,
    "roles": {"pathways"} | TOP,
    "pathways": TOP,
}
APPS = ["competences", "roles", "pathways", *sorted(TOP)]


def _module_files(app: str, root: Path = ROOT) -> list[Path]:
    return sorted(
        path
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.relative_to(root).parts
    )


def _absolute(node: ast.ImportFrom, path: Path, root: Path) -> str:
    """The module a from-import names, with relative imports resolved against ``path``."""
    if not node.level:
        return node.module or ""
    package = path.relative_to(root).parts[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(path: Path, root: Path = ROOT) -> list[tuple[str, int]]:
    """Every (top-level package, line) that ``path`` imports, at any depth of the file.

    Besides import statements, this counts ``importlib.import_module("x")`` and
    ``__import__("x")`` with a literal name, the two ways round an import statement.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, path, root)
            if module:
                found.append((module.split(".")[0], node.lineno))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                name in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found.append((first.value.split(".")[0], node.lineno))
    return found


def _app_imports(app: str, root: Path = ROOT) -> dict[str, list[str]]:
    """Each top-level package ``app`` imports, with the places (file:line) it does so."""
    places: dict[str, list[str]] = {}
    for path in _module_files(app, root):
        for package, line in _imports(path, root):
            places.setdefault(package, []).append(f"{path.relative_to(root)}:{line}")
    return places


@pytest.mark.parametrize("app", list(FORBIDDEN))
def test_a_lower_app_never_imports_a_higher_one(app):
    imports = _app_imports(app)
    wrong = [
        f"{place} imports {package}"
        for package in sorted(FORBIDDEN[app] & imports.keys())
        for place in imports[package]
    ]
    rule = f"{app} must not import {', '.join(sorted(FORBIDDEN[app]))}"
    assert not wrong, rule + ":\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("app", "lower"),
    [
        ("roles", "competences"),
        ("pathways", "roles"),
        ("framework", "pathways"),
        ("workforce", "roles"),
    ],
)
def test_the_check_sees_the_imports_that_are_allowed(app, lower):
    """If the walk found nothing (a wrong folder, a parse that skipped files) the test
    above would pass without checking anything; these imports are known to exist."""
    assert lower in _app_imports(app)


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path):
    package = tmp_path / "competences" / "management" / "commands"
    package.mkdir(parents=True)
    command = package / "tidy.py"
    command.write_text(
        "from ...models import Competence\n"
        "\n"
        "def handle():\n"
        "    from roles.models import RoleProfile\n"
        "    import importlib\n"
        "    importlib.import_module('pathways.selectors')\n"
    )
    assert sorted(_imports(command, root=tmp_path), key=lambda item: item[1]) == [
        ("competences", 1),
        ("roles", 4),
        ("importlib", 5),
        ("pathways", 6),
    ]
