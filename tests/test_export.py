"""Open data at /export/: what the page lists, what each download holds, and that the
files stay the same until the content changes."""

import csv
import io
import json
import math
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from competences.models import Competence
from roles.models import RoleProfile
from tests.factories import grow_framework
from tests.helpers import sql

pytestmark = pytest.mark.django_db

CSV_TABLES = {
    "areas": "roles_area",
    "levels": "roles_level",
    "standards": "competences_standard",
    "competences": "competences_competence",
    "learning": "competences_learningopportunity",
    "roles": "roles_roleprofile",
    "role_competences": "roles_rolecompetence",
    "progressions": "pathways_progression",
    "progression_drops": "pathways_progressiondrop",
}
WHOLE_FRAMEWORK_FILES = [
    "framework.json",
    "framework.schema.json",
    "framework.xlsx",
    "case.json",
    "case-role-profiles.json",
    "moodle.csv",
]
DOWNLOADS = [f"/export/{name}" for name in WHOLE_FRAMEWORK_FILES] + [
    f"/export/csv/{name}.csv" for name in ["about", *CSV_TABLES]
]
DEPTHS = {"awareness": 1, "working": 2, "proficient": 3, "expert": 4}


@pytest.fixture(scope="module", autouse=True)
def fresh_cache():
    # Test transactions roll back without raising the version, so files kept by an
    # earlier module could describe content it had changed.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def changes_content():
    """For a test that changes the content: whatever it kept is thrown away afterwards,
    since its changes roll back without the version going back with them."""
    yield
    cache.clear()


@pytest.fixture(scope="module")
def download(django_db_setup, django_db_blocker):
    """``download(address)``: the response to a GET of ``address`` with the seed content,
    fetched once for the module and shared by the tests that only read it, so each file
    is built once rather than once per test."""
    client = Client()
    responses = {}

    def fetch(address: str):
        if address not in responses:
            with django_db_blocker.unblock():
                response = client.get(address)
            assert response.status_code == 200, address
            responses[address] = response
        return responses[address]

    return fetch


@pytest.fixture(scope="module")
def built_again(download, django_db_blocker):
    """{address: response} for every download, fetched again after the cache is cleared,
    so each file is built a second time from the same content as ``download``'s."""
    for address in DOWNLOADS:
        download(address)
    client = Client()
    with django_db_blocker.unblock():
        cache.clear()  # build every file again rather than serve the kept copy
        return {address: client.get(address) for address in DOWNLOADS}


def count(table: str) -> int:
    return sql(f"SELECT COUNT(*) FROM {table}")[0][0]


def stored_version() -> tuple[int, str | None]:
    rows = sql("SELECT number, last_changed FROM core_frameworkversion")
    if not rows:
        return 0, None
    number, last_changed = rows[0]
    return number, str(last_changed) if last_changed else None


def downloaded_json(client, address: str) -> dict:
    response = client.get(address)
    assert response.status_code == 200
    return json.loads(response.content)


def shared_json(download, address: str) -> dict:
    """The JSON at ``address`` as ``download`` fetched it; a copy, so no test sees
    another's changes to it."""
    return json.loads(download(address).content)


# What the JSON holds --------------------------------------------------------------------


def test_the_json_holds_every_row_of_every_table(download):
    document = shared_json(download, "/export/framework.json")
    for name in ("areas", "levels", "standards", "competences", "learning", "roles"):
        assert len(document[name]) == count(CSV_TABLES[name]), name
    assert len(document["progressions"]) == count("pathways_progression")
    assert sum(len(role["competences"]) for role in document["roles"]) == count(
        "roles_rolecompetence"
    )
    assert sum(len(role["areas"]) for role in document["roles"]) == count("roles_roleprofile_areas")
    assert sum(len(item["standards"]) for item in document["competences"]) == count(
        "competences_competence_standards"
    )
    assert sum(len(course["competences"]) for course in document["learning"]) == count(
        "competences_learningopportunity_competences"
    )
    assert sum(len(move["drops"]) for move in document["progressions"]) == count(
        "pathways_progressiondrop"
    )


def test_the_json_lists_the_tree_in_order_and_each_requirement_as_stored(download):
    document = shared_json(download, "/export/framework.json")
    codes = [
        code for (code,) in sql("SELECT code FROM competences_competence ORDER BY tree_id, lft")
    ]
    assert [item["code"] for item in document["competences"]] == codes
    stored = set(
        sql(
            "SELECT r.slug, c.code, rc.proficiency, rc.requirement FROM roles_rolecompetence rc "
            "JOIN roles_roleprofile r ON r.id = rc.role_id "
            "JOIN competences_competence c ON c.id = rc.competence_id"
        )
    )
    exported = {
        (role["slug"], need["code"], DEPTHS[need["proficiency"]], need["requirement"])
        for role in document["roles"]
        for need in role["competences"]
    }
    assert exported == stored


def test_the_json_sorts_text_by_code_point_whatever_the_database_collation(download):
    document = shared_json(download, "/export/framework.json")

    def in_order(items, *fields):
        keys = [tuple(item[name] for name in fields) for item in items]
        return keys == sorted(keys)

    assert in_order(document["areas"], "position", "slug")
    assert in_order(document["levels"], "number")
    assert in_order(document["standards"], "reference")
    assert in_order(document["learning"], "title")
    assert in_order(document["roles"], "level", "title")
    assert in_order(document["progressions"], "from", "to")
    assert all(item["standards"] == sorted(item["standards"]) for item in document["competences"])


def test_the_json_states_version_last_change_and_licence(download):
    document = shared_json(download, "/export/framework.json")
    number, last_changed = stored_version()
    assert document["framework"]["version"] == number
    assert document["framework"]["last_changed"] == last_changed
    assert document["framework"]["licence"] == settings.FRAMEWORK_LICENCE
    assert document["framework"]["edition"] == settings.FRAMEWORK_EDITION


def test_the_downloaded_schema_validates_the_downloaded_json(download):
    import jsonschema

    schema = shared_json(download, "/export/framework.schema.json")
    document = shared_json(download, "/export/framework.json")
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


# CSV and the workbook ---------------------------------------------------------------------


@pytest.mark.parametrize(("entity", "table"), CSV_TABLES.items())
def test_each_csv_has_a_row_for_every_row_of_its_table(download, entity, table):
    response = download(f"/export/csv/{entity}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) - 1 == count(table)


def test_the_about_csv_states_version_last_change_and_licence(download):
    response = download("/export/csv/about.csv")
    about = {
        row["field"]: row["value"]
        for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    }
    number, last_changed = stored_version()
    assert about["version"] == str(number)
    assert about["last_changed"] == (last_changed or "")
    assert about["licence"] == settings.FRAMEWORK_LICENCE["name"]
    assert about["licence_url"] == settings.FRAMEWORK_LICENCE["url"]


def test_the_workbook_has_a_row_for_every_role_and_requirement(download):
    response = download("/export/framework.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book["roles"].max_row - 1 == count("roles_roleprofile")
    assert book["role_competences"].max_row - 1 == count("roles_rolecompetence")
    about = {row[0].value: row[1].value for row in book["about"].iter_rows(min_row=2)}
    assert about["version"] == stored_version()[0]


def test_an_unknown_csv_is_not_found(client):
    assert client.get("/export/csv/passwords.csv").status_code == 404
    assert client.get("/export/csv/roles.xlsx").status_code == 404


# Stable bytes and the version --------------------------------------------------------------


@pytest.mark.parametrize("address", DOWNLOADS)
def test_two_exports_of_unchanged_content_are_byte_identical(download, built_again, address):
    assert built_again[address].content == download(address).content


@pytest.mark.parametrize("name", WHOLE_FRAMEWORK_FILES)
def test_downloads_are_attachments_named_with_the_version(download, name):
    response = download(f"/export/{name}")
    number, _last_changed = stored_version()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f"-v{number}" in disposition


def test_a_content_change_raises_the_version_on_the_page_and_in_the_files(
    client, django_capture_on_commit_callbacks, changes_content
):
    before, _last_changed = stored_version()
    assert f"Version {before} of" in client.get("/export/").text
    role = RoleProfile.objects.order_by("title").first()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            role.title = "Renamed in the admin"
            role.save()

    assert stored_version()[0] == before + 1
    page = client.get("/export/").text
    assert f"Version {before + 1} of" in page
    today = timezone.localdate()
    assert f'<time datetime="{today:%Y-%m-%d}">{today.day} {today:%B %Y}</time>' in page
    document = downloaded_json(client, "/export/framework.json")
    assert document["framework"]["version"] == before + 1
    assert document["framework"]["last_changed"] == today.isoformat()
    assert "Renamed in the admin" in [item["title"] for item in document["roles"]]
    assert f"-v{before + 1}." in client.get("/export/framework.xlsx")["Content-Disposition"]


# The list page -----------------------------------------------------------------------------


def page_rows(html: str) -> dict[str, str]:
    """{download address: the text of its table row}."""
    rows = {}
    for row in re.findall(r"<tr class=\"nhsuk-table__row\"[^>]*>(.*?)</tr>", html, re.S):
        link = re.search(r'<a href="(/export/[^"]+)" download>', row)
        if link:
            rows[link.group(1)] = re.sub(r"<[^>]+>", " ", row)
    return rows


def test_the_page_lists_every_download_with_its_real_size_and_licence(client, download):
    page = client.get("/export/")
    assert page.status_code == 200
    rows = page_rows(page.text)
    expected = DOWNLOADS
    assert sorted(rows) == sorted(expected)
    for address, text in rows.items():
        size = len(download(address).content)
        assert f"{math.ceil(size / 1024):,} KB" in text, address
        assert settings.FRAMEWORK_LICENCE["name"] in text
    assert page.text.count(f'href="{settings.FRAMEWORK_LICENCE["url"]}"') >= len(expected)


def test_the_page_states_version_last_change_licence_and_links_the_schema(client):
    page = client.get("/export/").text
    number, last_changed = stored_version()
    assert f"Version {number} of the {settings.FRAMEWORK_EDITION} edition" in page
    if last_changed:
        assert f'<time datetime="{last_changed}">' in page
    assert 'href="/export/framework.schema.json">JSON Schema</a>' in page
    assert settings.FRAMEWORK_LICENCE["url"] in page


def test_the_page_is_linked_from_every_page_footer(client):
    assert 'href="/export/"' in client.get("/about/").text


# One role or one competence ----------------------------------------------------------------


def test_a_role_json_holds_the_role_as_the_framework_document_does(client, download):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    response = client.get(f"/export/roles/{role.slug}.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("inline; ")
    item = json.loads(response.content)
    whole = shared_json(download, "/export/framework.json")
    assert item["framework"] == whole["framework"]
    assert item["role"] == next(entry for entry in whole["roles"] if entry["slug"] == role.slug)
    titles = sql(
        "SELECT c.code, c.title FROM roles_rolecompetence rc "
        "JOIN competences_competence c ON c.id = rc.competence_id "
        "WHERE rc.role_id = %s ORDER BY c.tree_id, c.lft",
        role.pk,
    )
    assert [(entry["code"], entry["title"]) for entry in item["competences"]] == titles


def test_a_competence_json_holds_its_children_standards_and_the_roles_that_need_it(
    client, download
):
    statement = (
        Competence.objects.filter(kind="statement", standards__isnull=False)
        .filter(requirements__isnull=False)
        .first()
    )
    item = downloaded_json(client, f"/export/competences/{statement.code}.json")
    whole = shared_json(download, "/export/framework.json")
    assert item["competence"] == next(
        entry for entry in whole["competences"] if entry["code"] == statement.code
    )
    assert [standard["reference"] for standard in item["standards"]] == item["competence"][
        "standards"
    ]
    needed_by = sql(
        "SELECT r.slug, rc.proficiency, rc.requirement FROM roles_rolecompetence rc "
        "JOIN roles_roleprofile r ON r.id = rc.role_id WHERE rc.competence_id = %s",
        statement.pk,
    )
    assert sorted(
        (role["slug"], DEPTHS[role["proficiency"]], role["requirement"]) for role in item["roles"]
    ) == sorted(needed_by)

    section = statement.get_root()
    item = downloaded_json(client, f"/export/competences/{section.code}.json")
    children = sql(
        "SELECT code FROM competences_competence WHERE parent_id = %s ORDER BY lft", section.pk
    )
    assert [child["code"] for child in item["children"]] == [code for (code,) in children]
    assert item["competence"]["parent"] is None


@pytest.mark.parametrize(
    "address",
    [
        "/export/roles/no-such-role.json",
        "/export/competences/NO.SUCH.CODE.json",
        "/export/competences/..json",
        "/export/roles/.json",
    ],
)
def test_json_for_something_that_does_not_exist_is_not_found(client, address):
    assert client.get(address).status_code == 404


def test_role_and_competence_pages_link_to_their_own_json(client):
    role = RoleProfile.objects.first()
    assert f'href="/export/roles/{role.slug}.json"' in client.get(role.get_absolute_url()).text
    statement = Competence.objects.filter(kind="statement").first()
    page = client.get(statement.get_absolute_url()).text
    assert f'href="/export/competences/{statement.code}.json"' in page


# Queries -----------------------------------------------------------------------------------


def queries_to_build(client, address: str) -> int:
    """Queries one GET of ``address`` makes with nothing kept from earlier requests."""
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(context)


def test_export_queries_do_not_grow_when_the_framework_is_ten_times_larger(client, changes_content):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    statement = Competence.objects.filter(kind="statement", requirements__isnull=False).first()
    addresses = [
        "/export/",
        "/export/framework.json",
        "/export/csv/roles.csv",
        "/export/moodle.csv",
        "/export/case.json",
        f"/export/roles/{role.slug}.json",
        f"/export/competences/{statement.code}.json",
    ]
    before = {address: queries_to_build(client, address) for address in addresses}
    roles_before = count("roles_roleprofile")
    grow_framework(around=[role])
    assert count("roles_roleprofile") >= 10 * roles_before
    after = {address: queries_to_build(client, address) for address in addresses}
    assert after == before
    # One read of each of the twelve content tables and one of their history (the CASE
    # packages' dates), and two of the version: to find the kept files, and again with the
    # content they are built from. (The list page also shows the version in its footer.)
    assert before["/export/framework.json"] <= 12 + 1 + 2, before


def test_a_kept_export_is_served_from_the_cache_with_one_query(client):
    client.get("/export/")
    with CaptureQueriesContext(connection) as context:
        response = client.get("/export/framework.xlsx")
    assert response.status_code == 200
    # The one query reads the content version, which names the kept file.
    assert len(context) == 1


def test_csv_files_open_in_excel_with_their_accents_and_moodles_file_stays_plain(client, download):
    """Excel on Windows reads a CSV as UTF-8 only when it starts with the byte-order mark;
    Moodle's import reads its file as it is, so that one carries no mark."""
    from roles.models import RoleProfile

    role = RoleProfile.objects.first()
    spreadsheets = [
        download("/export/csv/roles.csv").content,
        client.get(
            reverse("pathways:self-assessment-result", args=[role.slug]), {"format": "csv"}
        ).content,
        client.get("/areas/court-healthcare/workforce/workforce.csv").content,
    ]
    for content in spreadsheets:
        assert content.startswith(b"\xef\xbb\xbf")
        assert "\ufeff" not in content.decode("utf-8-sig")
    moodle = download("/export/moodle.csv").content
    assert not moodle.startswith(b"\xef\xbb\xbf")
