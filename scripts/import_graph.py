"""The project's imports against its layering: prints every import that goes up a layer or
sideways between the top apps, and every import cycle between the project's modules;
exits with status 1 when there is any, 0 when there is none.

The layers, lowest first:

    core                                 the base layer: imports no app of ours
    competences <- roles <- pathways     each may import only those below it
    framework, interchange, workforce    the top apps: never import each other
    framework_site                       the project shell: settings, URLs, wsgi/asgi

Nothing imports ``framework_site`` (an app reads the settings through
``django.conf.settings``), apart from ``manage.py`` and the tests.

Every Python file outside migrations and tests is read with ``ast``, so an import
inside a function, a management command or a template tag counts as much as one at the
top, and so do ``importlib.import_module("x")`` and ``__import__("x")`` with a literal
name. Migrations are left out: Django writes them, and their dependencies follow the
models. The module graph for cycles joins a module to each project module it imports
(``from package import name`` counts as importing ``package.name`` when that is a
module, and ``package`` otherwise).

Usage: .venv/bin/python scripts/import_graph.py
Only the standard library is used, so it runs before anything is installed;
tests/test_layering.py runs the same checks in the suite.
"""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASE = "core"
SHELL = "framework_site"
MIDDLE = ["competences", "roles", "pathways"]  # lowest first
TOP = ["framework", "interchange", "workforce"]
APPS = [BASE, *MIDDLE, *TOP]
PACKAGES = [*APPS, SHELL]


def allowed(app: str) -> set[str]:
    """The packages of ours that ``app`` may import (besides itself)."""
    if app == BASE:
        return set()
    if app in MIDDLE:
        return {BASE, *MIDDLE[: MIDDLE.index(app)]}
    if app in TOP:
        return {BASE, *MIDDLE}
    if app == SHELL:
        return set(APPS)
    raise ValueError(f"{app} is not one of the project's packages")


@dataclass(frozen=True)
class Import:
    """One import in one file: the module that imports, the module imported, where."""

    importer: str
    imported: str
    path: str
    line: int

    @property
    def place(self) -> str:
        return f"{self.path}:{self.line}"

    def __str__(self) -> str:
        return f"{self.place} {self.importer} imports {self.imported}"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files(root: Path = ROOT) -> list[Path]:
    """Every Python file of the project's packages, migrations left out."""
    return sorted(
        path
        for package in PACKAGES
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.relative_to(root).parts
    )


def _absolute(node: ast.ImportFrom, path: Path, root: Path) -> str:
    """The module a from-import names, with relative imports resolved against ``path``."""
    if not node.level:
        return node.module or ""
    package = path.relative_to(root).parts[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imported_names(path: Path, root: Path = ROOT) -> list[tuple[str, int]]:
    """Every (dotted name, line) that ``path`` imports, at any depth of the file.

    ``from x import y`` gives ``x.y``: whether that is a module or a name inside ``x``
    is for the caller to decide. Besides import statements, this counts
    ``importlib.import_module("x")`` and ``__import__("x")`` with a literal name, the
    two ways round an import statement.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, path, root)
            if module:
                found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                name in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found.append((first.value, node.lineno))
    return found


def project_imports(root: Path = ROOT) -> list[Import]:
    """Every import from one project module of another, each named by the module it
    reaches (``from roles.models import RoleProfile`` imports ``roles.models``)."""
    files = project_files(root)
    modules = {module_name(path, root) for path in files}
    imports = set()
    for path in files:
        importer = module_name(path, root)
        for name, line in imported_names(path, root):
            if name.split(".")[0] not in PACKAGES:
                continue
            # The longest prefix that is a module of ours: from package import module.
            parts = name.split(".")
            while len(parts) > 1 and ".".join(parts) not in modules:
                parts.pop()
            target = ".".join(parts)
            if target != importer:
                imports.add(Import(importer, target, str(path.relative_to(root)), line))
    return sorted(imports, key=lambda item: (item.path, item.line, item.imported))


def against_the_layers(imports: list[Import]) -> list[Import]:
    """The imports that go up a layer, sideways between the top apps, or into the shell."""
    wrong = []
    for item in imports:
        importer, imported = item.importer.split(".")[0], item.imported.split(".")[0]
        if importer != imported and imported not in allowed(importer):
            wrong.append(item)
    return wrong


def cycles(imports: list[Import]) -> list[list[str]]:
    """Each group of modules that import one another, directly or through others: its
    modules in order, sorted (Tarjan's strongly connected components, so every module
    in a cycle appears in exactly one group)."""
    graph: dict[str, set[str]] = {}
    for item in imports:
        graph.setdefault(item.importer, set()).add(item.imported)
        graph.setdefault(item.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(groups)


def loop(group: list[str], imports: list[Import]) -> list[str]:
    """One way round ``group``, from its first module back to it, to show in a message."""
    members = set(group)
    graph: dict[str, set[str]] = {}
    for item in imports:
        if item.importer in members and item.imported in members:
            graph.setdefault(item.importer, set()).add(item.imported)
    start = group[0]
    path = [start]
    while True:
        following = sorted(graph.get(path[-1], set()))
        if start in following and len(path) > 1:
            return [*path, start]
        unseen = [module for module in following if module not in path]
        if not unseen:
            return [*path, start]
        path.append(unseen[0])


def script_imports_of_the_shell(root: Path = ROOT) -> list[str]:
    """Each place in ``scripts/`` that imports ``framework_site``: like the apps (whose
    imports of it are against the layers), a script reads the settings through
    ``django.conf.settings``; only ``manage.py``, the tests and the shell itself may."""
    places = []
    for path in sorted((root / "scripts").glob("*.py")):
        for name, line in imported_names(path, root):
            if name.split(".")[0] == SHELL:
                places.append(f"{path.relative_to(root)}:{line} imports {name}")
    return places


def main(root: Path = ROOT) -> int:
    imports = project_imports(root)
    wrong = against_the_layers(imports)
    loops = cycles(imports)
    shell = script_imports_of_the_shell(root)
    for item in wrong:
        print(f"against the layers: {item}")
    for place in shell:
        print(f"imports the project shell: {place}")
    for group in loops:
        print(f"cycle between {', '.join(group)}: {' -> '.join(loop(group, imports))}")
    if wrong or loops or shell:
        print(
            f"{len(wrong)} against the layers, {len(shell)} into the shell, {len(loops)} cycles",
            file=sys.stderr,
        )
        return 1
    print(f"{len(imports)} imports between {len(PACKAGES)} packages: none against the layers.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
