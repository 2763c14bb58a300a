"""Public pages answer GET and HEAD only; other methods get 405, not the page."""

import pytest

from roles.models import RoleProfile

pytestmark = pytest.mark.django_db

ROLE = "liaison-and-diversion-practitioner"
PAGES = [
    "/",
    "/roles/",
    f"/roles/{ROLE}/",
    "/areas/reconnect/",
    "/levels/5/",
    "/competences/",
    "/competences/COM/",
    "/standards/",
    "/standards/SFHGEN97/",
    "/search/?q=risk",
    "/about/",
    "/proficiency/",
    "/pathways/",
    "/pathways/compare/",
    f"/pathways/self-assessment/{ROLE}/",
    f"/pathways/self-assessment/{ROLE}/result/",
    f"/roles/{ROLE}/job-description/",
    "/areas/reconnect/workforce/",
    "/pathways/skill-mix/",
    "/healthz",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options", "trace"])
def test_other_methods_are_not_allowed(client, path, method):
    assert RoleProfile.objects.filter(slug=ROLE).exists()
    response = client.generic(method.upper(), path)
    assert response.status_code == 405, (method, path)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    assert "Content-Security-Policy" in response


@pytest.mark.parametrize("path", PAGES)
def test_get_and_head_still_answer(client, path):
    assert client.get(path).status_code == 200
    assert client.head(path).status_code == 200


@pytest.mark.parametrize("path", ["/pathways/team/", f"/pathways/self-assessment/{ROLE}/earlier/"])
def test_upload_pages_take_their_own_form_and_nothing_else(client, path):
    assert client.post(path, {}).status_code != 405
    response = client.put(path)
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}
