"""Every public page's parameters, given junk, answer with a page or a message, never a
server error, and never echo markup unescaped. Runs on SQLite and on PostgreSQL, where
a NUL byte that reaches a query raises an error."""

import time

import pytest

from core.log_filters import scrub
from roles.models import RoleProfile
from tests.helpers import sql

pytestmark = pytest.mark.django_db

JUNK = ["\x00", "a\x00b", "\x01\x1f", "<script>alert(1)</script>", "'; DROP TABLE x;--", "x" * 3000]
ROLE = "liaison-and-diversion-practitioner"
ASSESSMENT = f"/pathways/self-assessment/{ROLE}/"
PAGES = {
    "/search/": ["q", "kind", "page"],
    "/roles/": ["area", "level", "q"],
    "/pathways/compare/": ["roles"],
    ASSESSMENT: ["from", "c-COM.1.1", "before"],
    ASSESSMENT + "sections/1/": ["from", "c-COM.1.1", "before"],
    ASSESSMENT + "check/": ["from", "c-COM.1.1", "before"],
    ASSESSMENT + "result/": ["from", "c-COM.1.1", "format", "before"],
    f"/roles/{ROLE}/job-description/": ["employer", "service", "location", "desirable", "format"],
    "/pathways/skill-mix/": ["area", f"wte-{ROLE}"],
    "/areas/reconnect/workforce/": ["format"],
}


@pytest.mark.parametrize("path", list(PAGES))
def test_junk_in_any_parameter_never_breaks_a_page(client, path):
    assert RoleProfile.objects.filter(slug=ROLE).exists()
    for name in PAGES[path]:
        for value in JUNK:
            response = client.get(path, {name: value})
            assert response.status_code < 500, (path, name, value[:10])
            if response["Content-Type"].startswith("text/html"):
                body = response.content.decode()
                assert "\x00" not in body, (path, name)
                assert "<script>alert(1)</script>" not in body, (path, name)


@pytest.mark.parametrize("name", ["add", "others", "mix", f"wte-{ROLE}"])
def test_junk_in_a_planner_mix_never_breaks_it(client, name):
    """The planner reads these only once a service is chosen."""
    for value in JUNK + ["-1", "0", "9" * 5000]:
        response = client.get(
            "/pathways/skill-mix/", {"area": "liaison-and-diversion", name: value}
        )
        assert response.status_code in (200, 400), (name, value[:10])
        body = response.content.decode()
        assert "\x00" not in body and "<script>alert(1)</script>" not in body, name


@pytest.mark.parametrize(
    "path",
    [
        "/roles/%00/",
        "/areas/%00/",
        "/areas/%00/workforce/",
        "/competences/%00/",
        "/standards/%00/",
        "/roles/a%00b/job-description/",
        "/pathways/self-assessment/%00/",
    ],
)
def test_junk_in_an_address_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_nul_in_a_number_is_removed_before_the_planner_reads_it(client):
    response = client.get(
        "/pathways/skill-mix/", {"area": "court-healthcare", f"wte-{ROLE}": "1\x00"}
    )
    assert response.status_code < 500
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize("path", ["/pathways/team/", ASSESSMENT + "earlier/"])
def test_pages_with_an_upload_form_answer_head_as_they_answer_get(client, path):
    assert client.get(path).status_code == 200
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""


def test_a_very_long_address_costs_no_more_than_its_length(client):
    """Every 404 is logged, and the filter that keeps answers out of logs once took time
    growing with the square of an address's length: this one took tens of seconds."""
    long_path = ASSESSMENT.replace(ROLE, "a-" * 30_000)
    started = time.monotonic()
    response = client.get(long_path, {"from": "kept-out-of-logs"})
    assert response.status_code == 404
    assert time.monotonic() - started < 2

    line = f"GET {long_path}?from=kept-out-of-logs HTTP/1.1"
    assert scrub(line) == f"GET {long_path}?[answers removed] HTTP/1.1"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/roles/area/abc/history/",
        "/admin/roles/area/%00/history/",
        "/admin/pathways/progression/%3Cscript%3E/history/",
        "/admin/competences/standard/1/history/abc/",
        "/admin/competences/standard/abc/history/1/",
        "/admin/competences/competence/%7F/history/%7F/",
    ],
)
def test_an_admin_history_address_naming_no_item_is_not_found(staff_client, path):
    assert staff_client.get(path).status_code == 404


@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
def test_the_role_picker_pages_through_every_role_once_in_level_and_title_order(staff_client):
    expected = [
        title
        for (title,) in sql(
            "SELECT r.title FROM roles_roleprofile r JOIN roles_level l ON l.id = r.level_id"
            " ORDER BY l.number, r.title"
        )
    ]
    listed, page = [], 1
    while True:
        query = {"app_label": "pathways", "model_name": "progression", "field_name": "from_role"}
        response = staff_client.get("/admin/autocomplete/", {**query, "term": "", "page": page})
        assert response.status_code == 200
        listed += [item["text"] for item in response.json()["results"]]
        if not response.json()["pagination"]["more"]:
            break
        page += 1
    assert page > 1
    assert listed == [str(title) for title in expected]
