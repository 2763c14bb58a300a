"""What only changes with the content is kept per content generation: pages made from
kept parts are the same as pages made afresh, cost fewer queries, and show an edit on
the very next request."""

from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from interchange.versioning import GENERATION_KEY
from pathways.models import Progression
from roles.models import RoleCompetence, RoleProfile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def content_cache(settings):
    """The content cache on, with a generation of this test's own at each end, so that
    nothing kept from one test's (rolled back) content is served to another."""
    settings.CONTENT_CACHE = True
    cache.delete(GENERATION_KEY)
    yield
    cache.delete(GENERATION_KEY)


def fetch(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode(), len(queries)


def role_with_moves() -> RoleProfile:
    move = (
        Progression.objects.filter(from_role__requirements__isnull=False)
        .select_related("from_role")
        .first()
    )
    return move.from_role


def compare_address(*roles) -> str:
    return "/pathways/compare/?" + urlencode([("roles", role.slug) for role in roles])


def addresses() -> dict[str, str]:
    role = role_with_moves()
    others = RoleProfile.objects.exclude(pk=role.pk).filter(requirements__isnull=False)
    return {
        "role": role.get_absolute_url(),
        "compare": compare_address(role, *others.distinct()[:2]),
    }


@pytest.mark.parametrize("page", ["role", "compare"])
def test_a_page_from_kept_parts_is_the_page_made_afresh_with_fewer_queries(client, settings, page):
    address = addresses()[page]
    settings.CONTENT_CACHE = False
    afresh, afresh_queries = fetch(client, address)
    settings.CONTENT_CACHE = True
    first, _first_queries = fetch(client, address)
    kept, kept_queries = fetch(client, address)
    assert first == afresh
    assert kept == afresh
    assert kept_queries < afresh_queries


def test_an_edit_shows_on_the_next_request(client, django_capture_on_commit_callbacks):
    role = role_with_moves()
    other = RoleProfile.objects.exclude(pk=role.pk).filter(requirements__isnull=False).first()
    pages = [role.get_absolute_url(), compare_address(role, other)]
    for address in pages:
        fetch(client, address)
        fetch(client, address)
    need = RoleCompetence.objects.filter(role=role).select_related("competence").first()
    with django_capture_on_commit_callbacks(execute=True):
        need.competence.title = "A competence retitled by an editor"
        need.competence.save()
    for address in pages:
        html, _queries = fetch(client, address)
        assert "A competence retitled by an editor" in html, address


def test_each_choice_of_roles_is_kept_apart_in_the_order_chosen(client):
    first, second = RoleProfile.objects.filter(requirements__isnull=False).distinct()[:2]
    forwards, _queries = fetch(client, compare_address(first, second))
    backwards, _queries = fetch(client, compare_address(second, first))
    assert escape(f"Moving from {first.title} to {second.title}") in forwards
    assert escape(f"Moving from {second.title} to {first.title}") in backwards
    assert escape(f"Moving from {first.title} to {second.title}") not in backwards
