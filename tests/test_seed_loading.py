"""The seed command: idempotent, all-or-nothing, and honest about what it loaded."""

import importlib.util
import io
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competences.models import Competence, LearningOpportunity, Standard
from competences.selectors import competence_tree_problems
from core.models import FrameworkVersion
from interchange.loading import FIXTURES_DIR, ContentError, framework_load
from pathways.models import Progression
from roles.models import Area, Level, RoleCompetence, RoleProfile

from .factories import make_competence

pytestmark = pytest.mark.django_db

MODELS = [
    Area,
    Level,
    Standard,
    Competence,
    LearningOpportunity,
    RoleProfile,
    RoleCompetence,
    Progression,
]


def snapshot():
    """Row counts plus the tree numbers: what a second load must leave unchanged."""
    counts = {model.__name__: model.objects.count() for model in MODELS}
    tree = list(Competence.objects.values_list("code", "tree_id", "lft", "rght", "level"))
    requirements = sorted(
        RoleCompetence.objects.values_list("role__slug", "competence__code", "proficiency")
    )
    return counts, tree, requirements


def run_load(*args) -> str:
    out = io.StringIO()
    call_command("load_framework", *args, stdout=out)
    return out.getvalue()


def test_loading_twice_changes_nothing():
    before = snapshot()
    output = run_load()
    assert snapshot() == before
    counted = [line for line in output.splitlines() if "created" in line]
    assert len(counted) == len(MODELS)
    assert all("(0 created, 0 updated" in line for line in counted)


def test_load_reports_what_it_created_on_an_empty_database():
    for model in [Progression, RoleCompetence, RoleProfile, LearningOpportunity]:
        model.objects.all().delete()
    for node in Competence.objects.order_by("-level"):
        node.delete()
    output = run_load()
    roles = len(list(FIXTURES_DIR.glob("roles/*.yaml")))
    assert f"Role profiles: {roles} ({roles} created" in output
    assert competence_tree_problems() == []


def test_if_empty_skips_a_database_that_has_content():
    before = snapshot()
    assert "nothing loaded" in run_load("--if-empty")
    assert snapshot() == before


def test_dry_run_saves_nothing():
    RoleProfile.objects.filter(slug__startswith="liaison").update(purpose="Edited by hand.")
    output = run_load("--dry-run")
    assert "Dry run" in output
    assert RoleProfile.objects.filter(purpose="Edited by hand.").exists()


def test_reload_restores_edited_content_and_repairs_requirements():
    role = RoleProfile.objects.first()
    role.requirements.all().delete()
    RoleProfile.objects.filter(pk=role.pk).update(purpose="Edited by hand.")
    run_load()
    role.refresh_from_db()
    assert role.purpose != "Edited by hand."
    assert role.requirements.exists()


def copy_fixtures(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, target)
    return target


def test_bad_content_is_refused_whole_and_names_the_problem(tmp_path):
    fixtures = copy_fixtures(tmp_path)
    role_file = sorted((fixtures / "roles").glob("*.yaml"))[0]
    data = yaml.safe_load(role_file.read_text())
    data["purpose"] = "Changed before the error."
    data["competences"] = [{"code": "NO-SUCH-CODE", "proficiency": "working"}]
    role_file.write_text(yaml.safe_dump(data))
    before = snapshot()
    with pytest.raises(ContentError, match="NO-SUCH-CODE"):
        framework_load(directory=fixtures)
    assert snapshot() == before
    assert not RoleProfile.objects.filter(purpose="Changed before the error.").exists()


def test_a_code_used_twice_is_refused(tmp_path):
    fixtures = copy_fixtures(tmp_path)
    first_file = sorted((fixtures / "competences").glob("*.yaml"))[0]
    (fixtures / "competences" / "zz-copy.yaml").write_text(first_file.read_text())
    with pytest.raises(ContentError, match="is already used by"):
        framework_load(directory=fixtures)


def test_broken_yaml_is_reported_by_the_command(tmp_path):
    fixtures = copy_fixtures(tmp_path)
    (fixtures / "levels.yaml").write_text("- number: [unclosed\n")
    with pytest.raises(CommandError, match="levels.yaml"):
        run_load("--path", str(fixtures))


def test_loader_places_new_nodes_in_file_order(tmp_path):
    fixtures = copy_fixtures(tmp_path)
    first_file = sorted((fixtures / "competences").glob("*.yaml"))[0]
    tree = yaml.safe_load(first_file.read_text())
    tree[0]["children"].insert(
        0, {"code": "NEW.FIRST", "title": "Added first", "kind": "statement"}
    )
    first_file.write_text(yaml.safe_dump(tree, sort_keys=False))
    framework_load(directory=fixtures)
    first_section = Competence.objects.get(code=tree[0]["code"])
    assert first_section.get_children()[0].code == "NEW.FIRST"
    assert competence_tree_problems() == []


def load_counting_queries(directory=FIXTURES_DIR) -> list[str]:
    """Load ``directory`` and return the SQL of every query the load made."""
    with CaptureQueriesContext(connection) as queries:
        framework_load(directory=directory)
    return [query["sql"] for query in queries]


def writes(statements: list[str]) -> list[str]:
    return [
        sql for sql in statements if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_loading_unchanged_content_writes_nothing():
    statements = load_counting_queries()
    assert writes(statements) == []
    assert len(statements) < 40


def grown_fixtures(tmp_path, factor: int) -> Path:
    """The seed plus ``factor - 1`` renamed copies, made by the load benchmark's helper."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "bench_load.py"
    spec = importlib.util.spec_from_file_location("bench_load", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.grow_fixtures(FIXTURES_DIR, tmp_path / "grown", factor)


def test_queries_for_a_load_do_not_grow_with_the_content(tmp_path):
    seed_only = len(load_counting_queries())
    grown = grown_fixtures(tmp_path, factor=3)
    first = framework_load(directory=grown)
    roles = len(list(FIXTURES_DIR.glob("roles/*.yaml")))
    expected = (
        f"Role profiles: {3 * roles} ({2 * roles} created, 0 updated, {roles} unchanged, 0 removed)"
    )
    assert expected in first.lines()
    assert competence_tree_problems() == []
    statements = load_counting_queries(grown)
    assert writes(statements) == []
    assert len(statements) == seed_only


def test_a_changed_item_updates_only_its_own_row(tmp_path):
    fixtures = copy_fixtures(tmp_path)
    role_file = sorted((fixtures / "roles").glob("*.yaml"))[0]
    data = yaml.safe_load(role_file.read_text())
    data["purpose"] = "A new purpose for this role."
    role_file.write_text(yaml.safe_dump(data))
    version = FrameworkVersion.objects.get().number
    statements = writes(load_counting_queries(fixtures))
    # The role's row, its historical record with the snapshot of its areas, then the
    # framework version, which rises with every change.
    assert [sql.split("(")[0].split(" SET")[0].strip() for sql in statements] == [
        'UPDATE "roles_roleprofile"',
        'INSERT INTO "roles_historicalroleprofile"',
        'INSERT INTO "roles_historicalroleprofile_areas"',
        'UPDATE "core_frameworkversion"',
    ]
    assert FrameworkVersion.objects.get().number == version + 1
    assert RoleProfile.objects.get(slug=data["slug"]).purpose == "A new purpose for this role."


def test_a_node_the_files_do_not_mention_stays_after_the_files_nodes():
    first_section = Competence.objects.filter(parent=None).first()
    added = make_competence(parent=first_section, kind="subsection", title="Added by an editor")
    Competence.objects.move_node(added, first_section, "first-child")
    run_load()
    children = [node.code for node in first_section.get_children()]
    assert children[-1] == added.code
    assert competence_tree_problems() == []
