"""The apps depend on each other one way only, and no module imports itself round a loop.

The layers, lowest first: ``core`` (the base layer, which imports no app of ours), then
competences <- roles <- pathways, then the three top apps (framework, interchange,
workforce), which never import each other; ``framework_site``, the project shell, is
imported by nothing but ``manage.py`` and the tests. The checks are the ones
``scripts/import_graph.py`` prints: every Python file outside migrations and tests is
read with ``ast``, so an import inside a function counts as much as one at the top.
"""

import textwrap
from pathlib import Path

import pytest
from django.conf import settings

from scripts.import_graph import (
    APPS,
    BASE,
    PACKAGES,
    ROOT,
    SHELL,
    TOP,
    against_the_layers,
    allowed,
    cycles,
    imported_names,
    loop,
    main,
    project_imports,
    script_imports_of_the_shell,
)


@pytest.fixture(scope="module")
def imports():
    return project_imports()


def test_every_app_of_ours_is_in_a_layer():
    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    assert ours == set(APPS)
    assert set(PACKAGES) == {*APPS, SHELL}


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(imports, package):
    wrong = [
        str(item) for item in against_the_layers(imports) if item.importer.split(".")[0] == package
    ]
    below = ", ".join(sorted(allowed(package))) or "no app of ours"
    assert not wrong, f"{package} may import {below}, and nothing else of ours:\n" + "\n".join(
        wrong
    )


def test_the_base_layer_imports_no_app_and_not_the_project_shell():
    assert allowed(BASE) == set()


@pytest.mark.parametrize("app", sorted(TOP))
def test_a_top_app_never_imports_another(app):
    assert not allowed(app) & (set(TOP) | {SHELL})


def test_no_script_imports_the_project_shell():
    assert script_imports_of_the_shell() == []


def test_no_module_imports_itself_round_a_loop(imports):
    groups = cycles(list(imports))
    shown = [" -> ".join(loop(group, imports)) for group in groups]
    assert not groups, "import cycles:\n" + "\n".join(shown)


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("roles", "competences"),
        ("pathways", "roles"),
        ("framework", "pathways"),
        ("workforce", "roles"),
        ("interchange", "core"),
        ("framework_site", "core"),
    ],
)
def test_the_check_sees_the_imports_that_are_allowed(imports, importer, imported):
    """If the walk found nothing (a wrong folder, a parse that skipped files) the tests
    above would pass without checking anything; these imports are known to exist."""
    packages = {(item.importer.split(".")[0], item.imported.split(".")[0]) for item in imports}
    assert (importer, imported) in packages


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
    assert sorted(imported_names(command, root=tmp_path), key=lambda item: item[1]) == [
        ("competences.models.Competence", 1),
        ("roles.models.RoleProfile", 4),
        ("importlib", 5),
        ("pathways.selectors", 6),
    ]


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_the_check_finds_upward_and_sideways_imports_and_cycles(tmp_path, capsys):
    write(
        tmp_path,
        {
            "core/__init__.py": "",
            "core/cells.py": "def clean():\n    from roles.models import Role\n",
            "roles/__init__.py": "",
            "roles/models.py": "from core import cells\n",
            "framework/__init__.py": "",
            "framework/views.py": "from workforce import views\n",
            "workforce/__init__.py": "",
            "workforce/views.py": "from framework_site.settings import DEBUG\n",
            "interchange/__init__.py": "",
            "interchange/a.py": "from . import b\n",
            "interchange/b.py": "def later():\n    from interchange.a import thing\n",
            "interchange/migrations/0001_initial.py": "import framework\n",
            "framework_site/settings.py": "DEBUG = False\n",
        },
    )
    imports = project_imports(tmp_path)

    assert sorted((item.importer, item.imported) for item in against_the_layers(imports)) == [
        ("core.cells", "roles.models"),
        ("framework.views", "workforce.views"),
        ("workforce.views", "framework_site.settings"),
    ]
    assert cycles(imports) == [["core.cells", "roles.models"], ["interchange.a", "interchange.b"]]
    assert main(tmp_path) == 1
    printed = capsys.readouterr().out
    assert "cycle between interchange.a, interchange.b" in printed
    assert "core/cells.py:2 core.cells imports roles.models" in printed


def test_the_script_passes_a_project_that_keeps_the_rules(tmp_path):
    write(
        tmp_path,
        {
            "core/__init__.py": "",
            "roles/__init__.py": "",
            "roles/models.py": "from core import cells\nimport django\n",
            "core/cells.py": "",
            "framework_site/urls.py": "from roles import models\n",
        },
    )
    assert main(tmp_path) == 0
