"""Imports that mean something: versions that rise when content changes and never name
two different files, and files that are not the framework refused with a message."""

import json

import pytest
from django.core.management import CommandError
from django.test import Client

from core.models import FrameworkVersion
from interchange import formats
from interchange.document import framework_document
from interchange.errors import ContentError
from interchange.importing import import_framework
from tests.measure import content_row_counts
from tests.test_import import exported, run_import, run_import_file

pytestmark = pytest.mark.django_db


def stored() -> tuple[int, str]:
    row = FrameworkVersion.objects.get(pk=1)
    return row.number, row.last_changed


def test_an_import_that_changes_content_rises_above_both_versions_and_again_changes_nothing():
    document = exported()
    current = stored()[0]
    # A file from elsewhere that claims an older version but changes a role's purpose.
    document["framework"]["version"] = max(current - 3, 0)
    document["roles"][0]["purpose"] += " It also covers weekend courts."
    run_import(document)
    assert stored()[0] == current + 1
    # The same file again: nothing changes, the version stays.
    before = content_row_counts()
    output = run_import(document)
    assert "nothing to change" in output
    assert stored()[0] == current + 1
    assert content_row_counts() == before
    # A file claiming a newer version that changes something goes above it.
    document["framework"]["version"] = current + 10
    document["roles"][0]["purpose"] += " And evening clinics."
    run_import(document)
    assert stored()[0] == current + 11


def test_two_exports_with_one_version_are_the_same_bytes_and_a_change_makes_a_new_version():
    first = formats.json_bytes(framework_document())
    second = formats.json_bytes(framework_document())
    assert first == second
    document = json.loads(first)
    document["roles"][0]["title"] += " (renamed)"
    import_framework(json.dumps(document).encode(), name="framework.json")
    third = formats.json_bytes(framework_document())
    assert json.loads(third)["framework"]["version"] != json.loads(first)["framework"]["version"]


def test_a_case_package_is_refused_saying_what_the_import_takes():
    case = Client().get("/export/case.json").content
    before = content_row_counts()
    with pytest.raises(CommandError) as refused:
        run_import_file(case, name="case.json")
    message = str(refused.value)
    assert "CASE package" in message and "framework.json or framework.xlsx" in message
    assert "Traceback" not in message
    assert content_row_counts() == before


@pytest.mark.parametrize(
    "data",
    [b'{"CFItems": []}', b'{"name": "Another site", "roles": []}', b"[1, 2, 3]", b'"text"'],
)
def test_another_sites_file_is_refused_saying_what_the_import_takes(data):
    with pytest.raises(ContentError) as refused:
        import_framework(data, name="other.json")
    assert "not a framework file from this site" in str(refused.value)


def test_a_number_thousands_of_digits_long_is_a_message_not_a_traceback():
    text = formats.json_bytes(framework_document()).decode()
    huge = "9" * 5000
    spoiled = text.replace('"position": 1,', f'"position": {huge},', 1)
    with pytest.raises(CommandError) as refused:
        run_import_file(spoiled.encode(), name="framework.json")
    assert "5000 digits long" in str(refused.value)


def test_a_version_past_what_the_database_holds_is_a_message():
    document = exported()
    document["framework"]["version"] = 10**12
    with pytest.raises(CommandError) as refused:
        run_import(document)
    assert "is not a version number" in str(refused.value)


def test_two_roles_with_one_code_are_refused_by_the_check_not_the_database():
    document = exported()
    document["roles"][3]["code"] = document["roles"][1]["code"]
    before = content_row_counts()
    with pytest.raises(CommandError) as refused:
        run_import(document)
    message = str(refused.value)
    assert "roles[3]: code" in message and "is already used by roles[1]" in message
    assert content_row_counts() == before


def test_every_problem_in_a_file_is_reported_at_once_and_nothing_changes():
    document = exported()
    # No role uses level 9, so the file can leave it out; then give it a role.
    document["levels"] = [level for level in document["levels"] if level["number"] != 9]
    document["roles"][2]["level"] = 9
    document["roles"][4]["areas"] = ["no-such-area"]
    document["learning"][1]["title"] = "A course\x0b with a vertical tab"
    before = content_row_counts()
    version = stored()
    with pytest.raises(CommandError) as refused:
        run_import(document)
    message = str(refused.value)
    assert "roles[2]: unknown level 9" in message
    assert "no-such-area" in message
    assert "learning[1]" in message and "cannot be stored" in message
    assert "Traceback" not in message
    assert content_row_counts() == before
    assert stored() == version


def test_the_report_of_a_very_broken_file_stops_at_a_stated_limit():
    document = exported()
    for role in document["roles"]:
        role["areas"] = ["no-such-area"]
    with pytest.raises(CommandError) as refused:
        run_import(document)
    message = str(refused.value)
    assert message.count("no-such-area") == 10
    assert f"… and {len(document['roles']) - 10} more problems." in message
