"""The proficiency page says what each depth means, and every proficiency shown links to it."""

import re

import pytest
from django.urls import reverse

from competences.models import Competence, Standard
from roles.models import Proficiency, RoleProfile

pytestmark = pytest.mark.django_db

ANCHORS = {
    "Awareness": "awareness",
    "Working": "working",
    "Proficient": "proficient",
    "Expert": "expert",
}


def proficiency_links(html: str) -> list[tuple[str, str]]:
    """(address, visible label) for every link to the proficiency page."""
    return [
        (href, re.sub(r"<span[^>]*>.*?</span>", "", label).strip())
        for href, label in re.findall(r'<a[^>]*href="(/proficiency/[^"]*)"[^>]*>(.*?)</a>', html)
    ]


def assert_tags_link_to_their_definitions(html: str, expected: int) -> None:
    links = [link for link in proficiency_links(html) if link[1] in ANCHORS]
    assert len(links) >= expected
    for href, label in links:
        assert href == f"/proficiency/#{ANCHORS[label]}", (href, label)


def test_the_page_defines_each_depth_with_examples_from_the_services(client):
    response = client.get("/proficiency/")
    assert response.status_code == 200
    html = response.content.decode()
    for label, anchor in ANCHORS.items():
        heading = re.search(rf'<h2[^>]*id="{anchor}"[^>]*>(.*?)</h2>', html)
        assert heading and label in heading.group(1)
    for service in ("Liaison and Diversion", "court", "MHTR", "RECONNECT"):
        assert service in html
    # The definitions come in order, shallowest first.
    positions = [html.index(f'id="{anchor}"') for anchor in ANCHORS.values()]
    assert positions == sorted(positions)


def test_the_footer_links_to_the_page(client):
    assert 'href="/proficiency/"' in client.get("/").content.decode()


def test_role_page_proficiency_tags_link_to_their_definitions(client):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    html = client.get(role.get_absolute_url()).content.decode()
    assert_tags_link_to_their_definitions(html, role.requirements.count())
    assert "what this proficiency means" in html


def test_competence_page_proficiency_tags_link_to_their_definitions(client):
    statement = Competence.objects.filter(requirements__isnull=False).first()
    html = client.get(statement.get_absolute_url()).content.decode()
    assert_tags_link_to_their_definitions(html, statement.requirements.count())


def test_compare_page_proficiencies_link_to_their_definitions(client):
    roles = list(RoleProfile.objects.filter(areas__slug__isnull=False).order_by("level__number"))
    low, high = roles[0], roles[-1]
    html = client.get(reverse("pathways:compare"), {"roles": [low.slug, high.slug]}).content
    assert_tags_link_to_their_definitions(html.decode(), 2)


def test_standard_page_proficiencies_link_to_their_definitions(client):
    standard = Standard.objects.filter(competences__requirements__isnull=False).first()
    html = client.get(standard.get_absolute_url()).content.decode()
    assert_tags_link_to_their_definitions(html, 1)


def test_every_depth_has_a_definition():
    from roles.proficiency import definitions

    assert set(definitions()) == set(Proficiency.values)
    assert all(len(text) > 40 for text in definitions().values())
