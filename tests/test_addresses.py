"""Stable addresses and plain language: near-miss addresses redirect to the canonical page,
and the About page speaks to the public rather than to developers."""

import re

import pytest

from competences.models import Competence, Standard
from roles.models import RoleProfile

pytestmark = pytest.mark.django_db


def test_a_role_code_in_the_address_redirects_to_the_role(client):
    for role in RoleProfile.objects.all():
        for code in (role.code, role.code.lower()):
            response = client.get(f"/roles/{code}/")
            assert response.status_code == 301, code
            assert response["Location"] == role.get_absolute_url()


def test_a_role_slug_in_capitals_redirects_and_keeps_the_query(client):
    role = RoleProfile.objects.first()
    response = client.get(f"/roles/{role.slug.upper()}/?from=here")
    assert response.status_code == 301
    assert response["Location"] == role.get_absolute_url() + "?from=here"


def test_lower_case_competence_and_standard_codes_redirect(client):
    for node in Competence.objects.all()[:40]:
        response = client.get(f"/competences/{node.code.lower()}/")
        if node.code == node.code.lower():
            assert response.status_code == 200
        else:
            assert response.status_code == 301, node.code
            assert response["Location"] == node.get_absolute_url()
    for standard in Standard.objects.all():
        response = client.get(f"/standards/{standard.reference.lower()}/")
        if standard.reference != standard.reference.lower():
            assert response.status_code == 301, standard.reference
            assert response["Location"] == standard.get_absolute_url()


def test_a_redirect_lands_on_a_page_that_exists(client):
    node = Competence.objects.filter(kind="statement").first()
    response = client.get(f"/competences/{node.code.lower()}/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(node.get_absolute_url(), 301)]


@pytest.mark.parametrize(
    "address",
    [
        "/roles/NO-SUCH-ROLE/",
        "/competences/zz.9.9/",
        "/standards/nosuch99/",
        "/competences/COM%00/",
        "/standards/SFHGEN97%00x/",
        "/competences/%E2%9C%93/",
    ],
)
def test_addresses_that_match_nothing_are_not_found(client, address):
    assert client.get(address).status_code == 404


def test_about_page_speaks_to_the_public(client):
    html = client.get("/about/").content.decode()
    main = re.sub(r"<[^>]+>", " ", html[html.index("<main") : html.index("</main>")])
    for developer_word in ["fixture", "load_framework", "command", "seed file", "YAML", "Django"]:
        assert developer_word.lower() not in main.lower(), developer_word
    assert "How the content is kept up to date" in main


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "x" * 500, "<b>", "é"])
@pytest.mark.parametrize("step", ["", "sections/1/", "check/", "result/"])
def test_a_current_role_that_cannot_exist_is_a_message_not_an_error(client, value, step):
    """On PostgreSQL a NUL byte in ?from= used to reach the database and give a 500."""
    role = RoleProfile.objects.first()
    response = client.get(f"/pathways/self-assessment/{role.slug}/{step}", {"from": value})
    assert response.status_code in (200, 400)
    assert "\x00" not in response.content.decode()


def test_a_level_number_with_leading_zeros_redirects(client):
    response = client.get("/levels/05/?x=1")
    assert response.status_code == 301
    assert response["Location"] == "/levels/5/?x=1"
    assert client.get("/levels/5/").status_code == 200


def test_an_area_slug_in_capitals_redirects(client):
    from roles.models import Area

    area = Area.objects.first()
    response = client.get(f"/areas/{area.slug.upper()}/")
    assert response.status_code == 301
    assert response["Location"] == area.get_absolute_url()
    assert client.get("/areas/no-such-area/").status_code == 404
