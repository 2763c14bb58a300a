"""What only changes with the content is kept per content generation: pages made from
kept parts are the same as pages made afresh, cost fewer queries, and show an edit on
the very next request."""

import pickle
import zlib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from competences.models import Competence, Standard
from pathways.models import Progression
from roles.models import RoleCompetence, RoleProfile
from tests.factories import make_standard

pytestmark = pytest.mark.django_db


def fetch_afresh(client, settings, address):
    """The page made from scratch: whole-page and content caches both off."""
    caches_on, page_cache_on = settings.CACHES, settings.PAGE_CACHE
    settings.CACHES = caches_on | {
        "content": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    }
    settings.PAGE_CACHE = False
    try:
        return fetch(client, address)
    finally:
        settings.CACHES, settings.PAGE_CACHE = caches_on, page_cache_on


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
    statement = Competence.objects.filter(kind="statement", requirements__isnull=False).first()
    standard = Standard.objects.filter(competences__isnull=False).first()
    codes = list(role.requirements.values_list("competence__code", flat=True))
    answers = urlencode([(f"c-{code}", "partly") for code in codes[::2]])
    return {
        "overview": "/",
        "role": role.get_absolute_url(),
        "compare": compare_address(role, *others.distinct()[:2]),
        "statement": statement.get_absolute_url(),
        "standard": standard.get_absolute_url(),
        "proficiency": "/proficiency/",
        "self-assessment start": f"/pathways/self-assessment/{role.slug}/",
        "self-assessment form": f"/pathways/self-assessment/{role.slug}/sections/1/?{answers}",
        "self-assessment check": f"/pathways/self-assessment/{role.slug}/check/?{answers}",
        "self-assessment result": f"/pathways/self-assessment/{role.slug}/result/?{answers}",
        "job description": f"/roles/{role.slug}/job-description/?employer=Trust",
        "area workforce": f"/areas/{role.areas.first().slug}/workforce/",
        "what has changed": "/changes/",
        "career map": "/pathways/",
        "search": "/search/?q=risk",
        "skill-mix planner": f"/pathways/skill-mix/?area={role.areas.first().slug}",
        "role list": "/roles/",
        "role list, filtered": f"/roles/?area={role.areas.first().slug}&lived=yes",
        "area": role.areas.first().get_absolute_url(),
        "competence sections": "/competences/",
        "skill-mix planner, covered listed": (
            f"/pathways/skill-mix/?area={role.areas.first().slug}&show=covered"
        ),
        "changes on a day": f"/changes/{timezone.localdate().isoformat()}/",
        "skill-mix planner, own mix": own_mix(role),
    }


def own_mix(role: RoleProfile) -> str:
    """The planner with a mix of one's own: 1.5 WTE of each role in the role's first
    area, the covered competences listed."""
    area = role.areas.first()
    mix = [(f"wte-{other.slug}", "1.5") for other in area.roles.all()]
    return "/pathways/skill-mix/?" + urlencode([("area", area.slug), ("show", "covered"), *mix])


@pytest.mark.parametrize(
    "page",
    [
        "overview",
        "role",
        "compare",
        "statement",
        "standard",
        "proficiency",
        "self-assessment start",
        "self-assessment form",
        "self-assessment check",
        "self-assessment result",
        "job description",
        "area workforce",
        "what has changed",
        "changes on a day",
        "career map",
        "search",
        "skill-mix planner",
        "skill-mix planner, covered listed",
        "skill-mix planner, own mix",
        "role list",
        "role list, filtered",
        "area",
        "competence sections",
    ],
)
def test_a_page_from_kept_parts_is_the_page_made_afresh_with_fewer_queries(client, settings, page):
    address = addresses()[page]
    afresh, afresh_queries = fetch_afresh(client, settings, address)
    first, _first_queries = fetch(client, address)
    kept, kept_queries = fetch(client, address)
    assert first == afresh
    assert kept == afresh
    # A page kept whole costs one query, the read of the content version.
    assert kept_queries < afresh_queries or kept_queries == 1


def test_an_edit_shows_on_the_next_request(client, django_capture_on_commit_callbacks):
    role = role_with_moves()
    other = RoleProfile.objects.exclude(pk=role.pk).filter(requirements__isnull=False).first()
    pages = [
        role.get_absolute_url(),
        compare_address(role, other),
        # The planner's starting mix, its covered competences listed.
        f"/pathways/skill-mix/?area={role.areas.first().slug}&show=covered",
        own_mix(role),
    ]
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


def test_the_change_log_shows_an_edit_on_the_next_request(
    client, settings, django_capture_on_commit_callbacks
):
    pages = ["/changes/", f"/changes/{timezone.localdate().isoformat()}/"]
    before = {}
    for address in pages:
        fetch(client, address)
        before[address], _queries = fetch(client, address)
    with django_capture_on_commit_callbacks(execute=True):
        make_standard(title="A standard added by an editor")
    for address in pages:
        shown, _queries = fetch(client, address)
        afresh, _queries = fetch_afresh(client, settings, address)
        assert shown == afresh, address
        assert shown != before[address], address


def test_a_retitled_role_shows_on_the_career_map_next_time(
    client, django_capture_on_commit_callbacks
):
    fetch(client, "/pathways/")
    role = role_with_moves()
    with django_capture_on_commit_callbacks(execute=True):
        role.title = "A role retitled by an editor"
        role.save()
    html, _queries = fetch(client, "/pathways/")
    assert "A role retitled by an editor" in html


def test_a_search_finds_an_edit_on_the_next_request(client, django_capture_on_commit_callbacks):
    address = "/search/?q=quokka"
    before, _queries = fetch(client, address)
    assert "Quokka liaison worker" not in before
    role = role_with_moves()
    with django_capture_on_commit_callbacks(execute=True):
        role.title = "Quokka liaison worker"
        role.save()
    after, _queries = fetch(client, address)
    assert "Quokka liaison worker" in after


def test_each_choice_of_roles_is_kept_apart_in_the_order_chosen(client):
    first, second = RoleProfile.objects.filter(requirements__isnull=False).distinct()[:2]
    forwards, _queries = fetch(client, compare_address(first, second))
    backwards, _queries = fetch(client, compare_address(second, first))
    assert escape(f"Moving from {first.title} to {second.title}") in forwards
    assert escape(f"Moving from {second.title} to {first.title}") in backwards
    assert escape(f"Moving from {first.title} to {second.title}") not in backwards


def test_nothing_a_person_entered_is_kept(client, settings):
    """Only the content is kept: never a manager's words or a person's answers."""
    if not settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        pytest.skip("reads the kept entries from the file cache's folder")
    role = role_with_moves()
    words = "Northbridge Unique Employer Trust"
    html, _queries = fetch(
        client, f"/roles/{role.slug}/job-description/?" + urlencode({"employer": words})
    )
    assert escape(words) in html
    kept = []
    for path in Path(settings.CACHES["default"]["LOCATION"]).glob("*.djcache"):
        with path.open("rb") as entry:
            pickle.load(entry)  # when it expires; the value follows, compressed
            kept.append(zlib.decompress(entry.read()))
    needed = role.requirements.values_list("competence__title", flat=True).first()
    assert any(needed.encode() in value for value in kept), "the content parts are kept"
    assert not any(words.encode() in value for value in kept)


def test_the_role_lists_show_a_retitled_role_on_the_next_request(
    client, django_capture_on_commit_callbacks
):
    role = role_with_moves()
    area = role.areas.first()
    pages = ["/roles/", area.get_absolute_url(), f"/roles/?area={area.slug}", own_mix(role)]
    for address in pages:
        fetch(client, address)
        fetch(client, address)
    with django_capture_on_commit_callbacks(execute=True):
        role.title = "A role retitled by an editor"
        role.save()
    for address in pages:
        html, _queries = fetch(client, address)
        assert "A role retitled by an editor" in html, address
