"""Importing a whole framework from a file: the command, bad files and round trips.

Every bad file must be refused with a message naming the entry and the problem, with
the database exactly as it was. An export imported into an empty database must export
again byte for byte.
"""

import copy
import io
import json
import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from competences.models import Competence, LearningOpportunity, Standard
from competences.selectors import competence_tree_problems
from core.models import FrameworkVersion
from interchange import formats
from interchange.document import framework_document
from interchange.errors import ContentError
from interchange.importing import import_framework
from interchange.loading import FIXTURES_DIR, framework_load
from pathways.models import Progression, ProgressionDrop
from roles.models import Area, Level, RoleCompetence, RoleProfile
from tests.measure import content_row_counts

pytestmark = pytest.mark.django_db


def exported() -> dict:
    return json.loads(formats.json_bytes(framework_document()))


def run_import(document_or_bytes, *args, name="framework.json") -> str:
    data = document_or_bytes
    if isinstance(data, dict):
        data = json.dumps(data, ensure_ascii=False).encode()
    return run_import_file(data, *args, name=name)


def run_import_file(data: bytes, *args, name: str) -> str:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        out = io.StringIO()
        call_command("import_framework", str(path), *args, stdout=out, verbosity=1)
        return out.getvalue()


def empty_the_database() -> None:
    ProgressionDrop.objects.all().delete()
    Progression.objects.all().delete()
    RoleCompetence.objects.all().delete()
    RoleProfile.objects.all().delete()
    LearningOpportunity.objects.all().delete()
    for depth in sorted(set(Competence.objects.values_list("level", flat=True)), reverse=True):
        Competence.objects.filter(level=depth).delete()
    Standard.objects.all().delete()
    Level.objects.all().delete()
    Area.objects.all().delete()
    FrameworkVersion.objects.all().delete()


# --- The command --------------------------------------------------------------------


def test_importing_an_unchanged_export_changes_nothing():
    before = content_row_counts()
    out = run_import(exported())
    assert "nothing to change" in out
    assert content_row_counts() == before


def test_dry_run_lists_each_changed_field_and_saves_nothing():
    document = exported()
    role = document["roles"][0]
    old_purpose = role["purpose"]
    role["purpose"] = "A purpose written for the dry run."
    out = run_import(document, "--dry-run")
    assert f"changed: {role['slug']}" in out
    assert "A purpose written for the dry run." in out
    assert old_purpose.split()[0] in out
    assert "Dry run: nothing was saved." in out
    assert RoleProfile.objects.get(slug=role["slug"]).purpose == old_purpose


def test_import_adds_changes_and_removes_to_match_the_file():
    document = exported()
    gone = document["roles"].pop()
    document["progressions"] = [
        move for move in document["progressions"] if gone["slug"] not in (move["from"], move["to"])
    ]
    document["roles"][0]["title"] = "Renamed by the import"
    document["areas"].append(
        {
            "slug": "prison-release",
            "name": "Prison release support",
            "short_name": "PRS",
            "position": 9,
            "summary": "Support for people on the day they leave prison.",
            "description": "",
        }
    )
    document["framework"]["version"] = 41
    document["framework"]["last_changed"] = "2026-11-30"
    out = run_import(document)
    assert "Imported the framework" in out
    assert not RoleProfile.objects.filter(slug=gone["slug"]).exists()
    assert RoleProfile.objects.filter(title="Renamed by the import").count() == 1
    assert Area.objects.filter(slug="prison-release").exists()
    version = FrameworkVersion.objects.get()
    # Into a database holding a framework, changed content goes one above the file's
    # version (and the stored one), dated today.
    assert (version.number, version.last_changed) == (42, timezone.localdate())
    # Everything else is the file's.
    again = exported()
    assert again.pop("framework")["version"] == 42
    document.pop("framework")
    assert again == document


def test_a_long_import_shows_progress_on_the_command_line(capsys):
    document = exported()
    document["roles"][0]["purpose"] = "Progress check."
    run_import(document)
    assert "100%" in capsys.readouterr().err


# --- Bad files write nothing -----------------------------------------------------------


def first_statement(document) -> dict:
    return next(node for node in document["competences"] if node["kind"] == "statement")


def wrong_shape(document):
    document["roles"] = {"not": "a list"}


def unknown_level(document):
    # No role uses level 9, so the file can leave it out; then give it a role.
    document["levels"] = [level for level in document["levels"] if level["number"] != 9]
    document["roles"][2]["level"] = 9


def unknown_area(document):
    document["roles"][2]["areas"] = ["no-such-area"]


def duplicate_code(document):
    repeated = copy.deepcopy(document["competences"][-1])
    document["competences"].append(repeated)


def cycle_in_tree(document):
    section = document["competences"][0]
    child = next(node for node in document["competences"] if node["parent"] == section["code"])
    section["kind"] = "subsection"
    section["parent"] = child["code"]


def statement_with_children(document):
    statement = first_statement(document)
    document["competences"].append(
        {
            "code": "ZZ.9.9",
            "parent": statement["code"],
            "kind": "statement",
            "title": "A statement under a statement",
            "description": "",
            "knowledge": "",
            "skills": "",
            "standards": [],
        }
    )


def missing_competence(document):
    document["roles"][3]["competences"].append(
        {"code": "NO.SUCH.1", "proficiency": "working", "requirement": "essential"}
    )


def same_slug(document):
    twin = copy.deepcopy(document["roles"][1])
    twin["title"] = "A second role with the same slug"
    document["roles"].append(twin)


def duplicate_move(document):
    document["progressions"].append(copy.deepcopy(document["progressions"][4]))


def move_to_nowhere(document):
    document["progressions"][4]["to"] = "no-such-role"


BAD_DOCUMENTS = [
    (wrong_shape, "roles"),
    (unknown_level, "roles[2]: unknown level 9"),
    (unknown_area, "no-such-area"),
    (duplicate_code, "is already used by competences["),
    (cycle_in_tree, "cycle"),
    (statement_with_children, "never under a competence"),
    (missing_competence, "'NO.SUCH.1' is not a competence statement"),
    (same_slug, "slug"),
    (duplicate_move, "is already used by progressions[4]"),
    (move_to_nowhere, "unknown role 'no-such-role'"),
]


@pytest.mark.parametrize(
    ("spoil", "message"), BAD_DOCUMENTS, ids=lambda v: getattr(v, "__name__", "")
)
def test_a_bad_json_file_is_refused_with_its_problem_and_writes_nothing(spoil, message):
    document = exported()
    spoil(document)
    before = content_row_counts()
    with pytest.raises(CommandError) as refused:
        run_import(document)
    assert message in str(refused.value)
    assert "Traceback" not in str(refused.value)
    assert content_row_counts() == before


@pytest.mark.parametrize(
    ("spoil", "row"),
    [(unknown_level, "roles sheet, row 4"), (move_to_nowhere, "progressions sheet, row 6")],
    ids=["level", "move"],
)
def test_a_bad_workbook_names_the_sheet_and_row(spoil, row):
    document = exported()
    spoil(document)
    before = content_row_counts()
    with pytest.raises(CommandError, match=row):
        run_import_file(formats.workbook_bytes(document), name="framework.xlsx")
    assert content_row_counts() == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 this is not really a workbook", "framework.xlsx", "framework.xlsx"),
        (b"{ not json", "framework.json", "JSON"),
        (b"", "framework.json", "empty"),
    ],
    ids=["broken-workbook", "broken-json", "empty"],
)
def test_a_malformed_file_is_refused_without_a_traceback(data, name, message):
    before = content_row_counts()
    with pytest.raises(CommandError, match=message):
        run_import_file(data, name=name)
    assert content_row_counts() == before


@override_settings(FRAMEWORK_IMPORT_MAX_BYTES=1000)
def test_an_oversized_file_is_refused_with_the_limit():
    before = content_row_counts()
    with pytest.raises(CommandError, match=r"the largest file accepted is 1 KB"):
        run_import(exported())
    assert content_row_counts() == before


def test_import_refuses_without_changing_the_version():
    version = FrameworkVersion.objects.values_list("number", "last_changed").get()
    document = exported()
    unknown_level(document)
    with pytest.raises(ContentError):
        import_framework(json.dumps(document).encode())
    assert FrameworkVersion.objects.values_list("number", "last_changed").get() == version


# --- The seed files get the same checks -------------------------------------------------


def seed_copy(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, target)
    return target


def test_two_seed_role_files_with_one_slug_are_refused(tmp_path):
    fixtures = seed_copy(tmp_path)
    first = sorted((fixtures / "roles").glob("*.yaml"))[0]
    twin = yaml.safe_load(first.read_text())
    twin["title"] = "Twin"
    twin["code"] = "TWIN-1"
    (fixtures / "roles" / "zz-twin.yaml").write_text(yaml.safe_dump(twin))
    with pytest.raises(ContentError, match=rf"roles/zz-twin.yaml: slug '{twin['slug']}'"):
        framework_load(directory=fixtures)


def test_a_duplicate_seed_move_is_refused(tmp_path):
    fixtures = seed_copy(tmp_path)
    path = fixtures / "progressions.yaml"
    moves = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump([*moves, moves[0]]))
    with pytest.raises(ContentError, match="is already used by progressions.yaml"):
        framework_load(directory=fixtures)


def test_a_seed_statement_with_children_is_refused(tmp_path):
    fixtures = seed_copy(tmp_path)
    path = sorted((fixtures / "competences").glob("*.yaml"))[0]
    sections = yaml.safe_load(path.read_text())
    statement = sections[0]["children"][0]["children"][0]
    statement["kind"] = "statement"
    statement["children"] = [{"code": "ZZ.1", "title": "Under a statement"}]
    path.write_text(yaml.safe_dump(sections))
    with pytest.raises(ContentError, match="never under a competence"):
        framework_load(directory=fixtures)


# --- Round trips ----------------------------------------------------------------------


def test_json_export_import_into_an_empty_database_exports_the_same_bytes():
    first = formats.json_bytes(framework_document())
    empty_the_database()
    assert RoleProfile.objects.count() == 0
    import_framework(first, name="framework.json")
    assert competence_tree_problems() == []
    assert formats.json_bytes(framework_document()) == first


def test_workbook_export_import_into_an_empty_database_exports_the_same_bytes():
    first = formats.workbook_bytes(framework_document())
    empty_the_database()
    import_framework(first, name="framework.xlsx")
    assert competence_tree_problems() == []
    assert formats.workbook_bytes(framework_document()) == first
