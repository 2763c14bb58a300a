"""Every public page's parameters, given junk, answer with a page or a message, never a
server error, and never echo markup unescaped. Runs on SQLite and on PostgreSQL, where
a NUL byte that reaches a query raises an error."""

import pytest

from roles.models import RoleProfile

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
