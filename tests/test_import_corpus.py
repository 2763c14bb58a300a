"""A corpus of broken and hostile framework files: each is refused by the command and by
the admin with a message naming every problem, a non-zero exit, no traceback, and no
row or version changed.

Each case builds its file from the framework's own export, spoiled one way (a few in
several ways at once), so the files are what an editor, another program or an attacker
could really send.
"""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError
from django.test import Client
from lxml import html

from interchange import formats
from interchange.document import framework_document
from interchange.models import PendingImport
from tests.measure import content_row_counts
from tests.test_admin_import import stored_version, upload
from tests.test_import import run_import_file

pytestmark = pytest.mark.django_db


def as_json(document) -> bytes:
    # JSON escapes, as another program would write them: lone surrogates and control
    # characters survive the trip into the file this way.
    return json.dumps(document).encode()


def spoiled(change):
    """A case: the exported document changed by ``change``, written as JSON."""

    def make() -> bytes:
        document = json.loads(formats.json_bytes(framework_document()))
        change(document)
        return as_json(document)

    return make


def raw(data: bytes):
    return lambda: data


def role(index: int, **fields):
    def change(document):
        document["roles"][index].update(fields)

    return change


def learning(index: int, **fields):
    def change(document):
        document["learning"][index].update(fields)

    return change


def competence(which: str, **fields):
    def change(document):
        next(item for item in document["competences"] if item["code"] == which).update(fields)

    return change


def framework(**fields):
    def change(document):
        document["framework"].update(fields)

    return change


def several(*changes):
    def change(document):
        for one in changes:
            one(document)

    return change


def without_level_9_but_used(document):
    document["levels"] = [level for level in document["levels"] if level["number"] != 9]
    document["roles"][2]["level"] = 9


def cycle(document):
    nodes = {item["code"]: item for item in document["competences"]}
    nodes["COM.1"]["parent"] = "COM.2"
    nodes["COM.2"]["parent"] = "COM.1"


def move_to_nowhere(document):
    document["progressions"][0]["to"] = "no-such-role"


def duplicate_move(document):
    document["progressions"][1] = dict(document["progressions"][0])


def unknown_requirement(document):
    document["roles"][0]["competences"][0]["code"] = "NO.SUCH.1"


def a_workbook(change):
    def make() -> bytes:
        document = json.loads(formats.json_bytes(framework_document()))
        change(document)
        return formats.workbook_bytes(document)

    return make


def workbook_without_sheet() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(formats.workbook_bytes(framework_document())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/workbook.xml":
                data = data.replace(b'name="learning"', b'name="courses"')
            archive.writestr(entry, data)
    return out.getvalue()


def a_plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "A zip file, but not a workbook.")
    return out.getvalue()


def case_package() -> bytes:
    return Client().get("/export/case.json").content


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# (name, file name, make the bytes, words the message must hold)
CORPUS = [
    ("empty", "framework.json", raw(b""), ["is empty"]),
    ("blank", "framework.json", raw(b"  \n\t "), ["is empty"]),
    ("not utf-8", "framework.json", raw('{"title": "Caf\xe9"}'.encode("latin-1")), ["not UTF-8"]),
    ("cut short", "framework.json", raw(b'{"framework": {"title": "x"'), ["not valid JSON"]),
    ("a list", "framework.json", raw(b"[1, 2, 3]"), ["not a framework file"]),
    ("a string", "framework.json", raw(b'"framework"'), ["not a framework file"]),
    ("case package", "case.json", case_package, ["CASE package"]),
    (
        "another site",
        "framework.json",
        raw(b'{"name": "x", "roles": []}'),
        ["not a framework file"],
    ),
    ("repeated key", "framework.json", raw(b'{"framework": 1, "framework": 2}'), ["twice"]),
    ("NaN", "framework.json", raw(b'{"framework": NaN}'), ["NaN"]),
    (
        "5,000 digits",
        "framework.json",
        raw(b'{"framework": {"version": ' + b"9" * 5000 + b"}}"),
        ["5000 digits long"],
    ),
    ("deeply nested", "framework.json", raw(nested(100_000)), ["nested too deeply"]),
    (
        "huge version",
        "framework.json",
        spoiled(framework(version=10**12)),
        ["not a version number"],
    ),
    ("negative version", "framework.json", spoiled(framework(version=-1)), ["version"]),
    ("version as text", "framework.json", spoiled(framework(version="4")), ["version"]),
    (
        "date not a date",
        "framework.json",
        spoiled(framework(last_changed="yesterday")),
        ["last_changed"],
    ),
    (
        "no framework block",
        "framework.json",
        spoiled(lambda d: d.pop("framework")),
        ["not a framework file"],
    ),
    (
        "lone surrogate",
        "framework.json",
        spoiled(role(1, title="Practitioner\ud800")),
        ["roles[1]", "cannot be stored"],
    ),
    (
        "NUL",
        "framework.json",
        spoiled(role(1, purpose="Purpose\x00here")),
        ["roles[1]", "cannot be stored"],
    ),
    (
        "vertical tab",
        "framework.json",
        spoiled(role(2, title="Lead\x0bworker")),
        ["roles[2]", "cannot be stored"],
    ),
    (
        "bidi override",
        "framework.json",
        spoiled(learning(0, description="Reads \u202ebackwards")),
        ["learning[0]", "cannot be stored"],
    ),
    (
        "escape character",
        "framework.json",
        spoiled(competence("COM.1.1", title="Intro\x1b[31m")),
        ["COM.1.1", "cannot be stored"],
    ),
    (
        "duplicate role code",
        "framework.json",
        spoiled(lambda d: d["roles"][3].update(code=d["roles"][1]["code"])),
        ["roles[3]: code", "already used by roles[1]"],
    ),
    (
        "duplicate role slug",
        "framework.json",
        spoiled(lambda d: d["roles"][3].update(slug=d["roles"][1]["slug"])),
        ["slug", "already used"],
    ),
    (
        "duplicate competence code",
        "framework.json",
        spoiled(lambda d: d["competences"][5].update(code=d["competences"][4]["code"])),
        ["already used by competences["],
    ),
    ("unknown level", "framework.json", spoiled(without_level_9_but_used), ["unknown level 9"]),
    ("unknown area", "framework.json", spoiled(role(4, areas=["no-such-area"])), ["no-such-area"]),
    ("cycle", "framework.json", spoiled(cycle), ["cycle"]),
    (
        "move to nowhere",
        "framework.json",
        spoiled(move_to_nowhere),
        ["unknown role 'no-such-role'"],
    ),
    (
        "duplicate move",
        "framework.json",
        spoiled(duplicate_move),
        ["already used by progressions[0]"],
    ),
    ("unknown requirement", "framework.json", spoiled(unknown_requirement), ["NO.SUCH.1"]),
    (
        "unknown proficiency",
        "framework.json",
        spoiled(lambda d: d["roles"][0]["competences"][0].update(proficiency="guru")),
        ["guru"],
    ),
    (
        "unknown requirement kind",
        "framework.json",
        spoiled(lambda d: d["roles"][0]["competences"][0].update(requirement="maybe")),
        ["maybe"],
    ),
    (
        "learning off-site",
        "framework.json",
        spoiled(learning(2, url="https://www.example.com/course")),
        ["learning[2]", "owner's own site"],
    ),
    (
        "learning levels backwards",
        "framework.json",
        spoiled(learning(3, suits_from=7, suits_to=3)),
        ["learning[3]", "levels it suits"],
    ),
    (
        "level norms backwards",
        "framework.json",
        spoiled(lambda d: d["levels"][4].update(requirements_min=90, requirements_max=10)),
        ["levels[4]", "lower figure"],
    ),
    ("title too long", "framework.json", spoiled(role(5, title="T" * 400)), ["title"]),
    (
        "code with a space",
        "framework.json",
        spoiled(competence("COM.1.2", code="COM 1.2")),
        ["COM 1.2"],
    ),
    (
        "code Moodle misreads",
        "framework.json",
        spoiled(competence("COM.1.3", code="1.10")),
        ["1.10"],
    ),
    (
        "backslash title",
        "framework.json",
        spoiled(competence("COM.1.4", title="Ends in \\")),
        ["backslash"],
    ),
    (
        "registration missing",
        "framework.json",
        spoiled(
            lambda d: next(r for r in d["roles"] if r["registered_profession"]).update(
                registration=""
            )
        ),
        ["registration"],
    ),
    (
        "three problems at once",
        "framework.json",
        spoiled(
            several(role(4, areas=["no-such-area"]), learning(1, title="A\x0bB"), move_to_nowhere)
        ),
        ["no-such-area", "learning[1]", "no-such-role"],
    ),
    (
        "xlsx not a zip",
        "framework.xlsx",
        raw(b"PK\x03\x04 this is not really a zip"),
        ["not an Excel workbook"],
    ),
    ("zip not a workbook", "framework.xlsx", a_plain_zip, ["not an Excel workbook"]),
    ("workbook missing a sheet", "framework.xlsx", workbook_without_sheet, ["learning"]),
    (
        "workbook unknown level",
        "framework.xlsx",
        a_workbook(role(3, level=42)),
        ["roles sheet", "42"],
    ),
    (
        "workbook control character",
        "framework.xlsx",
        a_workbook(role(3, purpose="Reads \u202ebackwards")),
        ["roles sheet", "cannot be stored"],
    ),
]


def test_the_corpus_is_at_least_forty_files():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize(
    ("name", "file_name", "make", "words"), CORPUS, ids=[case[0] for case in CORPUS]
)
def test_each_broken_file_is_refused_by_the_command_with_every_problem(
    name, file_name, make, words
):
    data = make()
    before, version = content_row_counts(), stored_version()
    with pytest.raises(CommandError) as refused:
        run_import_file(data, name=file_name)
    message = str(refused.value)
    assert refused.value.returncode != 0
    for word in words:
        assert word in message, (name, message[:500])
    assert "Traceback" not in message
    assert content_row_counts() == before
    assert stored_version() == version


@pytest.mark.parametrize(
    ("name", "file_name", "make", "words"), CORPUS, ids=[case[0] for case in CORPUS]
)
def test_each_broken_file_is_refused_by_the_admin_saying_the_same(
    staff_client, name, file_name, make, words
):
    data = make()
    before, version = content_row_counts(), stored_version()
    response = upload(staff_client, data, file_name)
    assert response.status_code in (200, 400), name
    page = " ".join(html.fromstring(response.content).text_content().split())
    for word in words:
        assert " ".join(word.split()) in page, (name, word)
    assert "Traceback" not in page
    assert content_row_counts() == before
    assert stored_version() == version
    assert not PendingImport.objects.exists()
