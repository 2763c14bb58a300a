"""Managers and commissioners find their tools from every role and area page."""

import pytest

from roles.models import Area, RoleProfile

pytestmark = pytest.mark.django_db


def test_every_role_page_leads_to_the_tools_for_its_areas(client):
    for role in RoleProfile.objects.prefetch_related("areas"):
        page = client.get(role.get_absolute_url()).content.decode()
        assert f'href="/roles/{role.slug}/job-description/"' in page, role.slug
        assert 'href="/pathways/team/"' in page, role.slug
        for area in role.areas.all():
            assert f'href="/areas/{area.slug}/workforce/"' in page, (role.slug, area.slug)
            assert f'href="/pathways/skill-mix/?area={area.slug}"' in page, (role.slug, area.slug)


def test_every_area_page_leads_to_its_workforce_and_planner(client):
    for area in Area.objects.all():
        page = client.get(area.get_absolute_url()).content.decode()
        assert f'href="/areas/{area.slug}/workforce/"' in page, area.slug
        assert "/pathways/skill-mix/?area=" + area.slug in page, area.slug


def test_the_overview_route_for_managers_leads_to_every_tool(client):
    page = client.get("/").content.decode()
    assert 'href="/pathways/skill-mix/' in page
    assert 'href="/pathways/team/"' in page
    for area in Area.objects.all():
        assert f'href="/areas/{area.slug}/workforce/"' in page, area.slug
