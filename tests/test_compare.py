"""Comparing two or three roles competence by competence."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape

from competences.models import Competence
from roles.models import Proficiency, RoleCompetence, RoleProfile
from tests.factories import grow_framework, make_competence, make_requirement, make_role
from tests.measure import count_queries

pytestmark = pytest.mark.django_db

COMPARE_URL = reverse("pathways:compare")

# Seed roles the content team has promised, with their levels.
SEED_ROLES = {
    "reconnect-peer-support-worker": 3,
    "reconnect-care-navigator": 4,
    "liaison-and-diversion-peer-support-worker": 3,
    "liaison-and-diversion-practitioner": 5,
}


def compare_url(*slugs) -> str:
    return f"{COMPARE_URL}?{urlencode([('roles', slug) for slug in slugs])}"


def seed_role(slug: str) -> RoleProfile:
    """The seed role with ``slug``, with requirements; anything missing is built.

    The seed content is being rewritten, so a promised role may not exist yet or may
    have no competences; the comparison still needs both.
    """
    role = RoleProfile.objects.filter(slug=slug).first() or make_role(
        level=SEED_ROLES[slug], slug=slug, title=slug.replace("-", " ").title()
    )
    if not role.requirements.exists():
        statements = list(Competence.objects.filter(kind="statement"))
        statements += [make_competence(parent=make_competence()) for _ in range(3)]
        offset = len(slug) % 3
        for n, statement in enumerate(statements[offset : offset + 6]):
            make_requirement(role, statement, proficiency=1 + (n + offset) % 4)
    return role


def needs(role) -> dict[str, int]:
    return dict(
        RoleCompetence.objects.filter(role=role).values_list("competence__code", "proficiency")
    )


def in_tree_order(codes) -> list[str]:
    return list(
        Competence.objects.filter(code__in=codes)
        .order_by("tree_id", "lft")
        .values_list("code", flat=True)
    )


def listed(html: str, list_id: str) -> list[str]:
    """The competence codes in the page's list with ``list_id``, in page order."""
    match = re.search(rf'<(ul|p)[^>]*id="{re.escape(list_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, list_id
    return re.findall(r'data-code="([^"]+)"', match.group(2))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("liaison-and-diversion-peer-support-worker", "liaison-and-diversion-practitioner"),
        ("reconnect-peer-support-worker", "reconnect-care-navigator"),
        ("reconnect-care-navigator", "liaison-and-diversion-practitioner"),
        ("liaison-and-diversion-practitioner", "reconnect-peer-support-worker"),
    ],
)
def test_compare_lists_are_the_set_differences_of_the_requirements(client, first, second):
    a, b = seed_role(first), seed_role(second)
    response = client.get(compare_url(a.slug, b.slug))
    assert response.status_code == 200
    html = response.content.decode()
    before, after = needs(a), needs(b)
    shared = before.keys() & after.keys()
    assert listed(html, "compare-shared") == in_tree_order(shared)
    assert listed(html, f"compare-only-{a.slug}") == in_tree_order(before.keys() - after.keys())
    assert listed(html, f"compare-only-{b.slug}") == in_tree_order(after.keys() - before.keys())
    rises = {code for code in shared if after[code] > before[code]}
    assert listed(html, "compare-rises-1") == in_tree_order(rises)
    summary = (
        f"Moving from {a.title} to {b.title} adds {len(after.keys() - before.keys())} competence"
    )
    assert escape(summary) in html


@pytest.fixture
def three_roles():
    """Three roles over six statements in two sections, with overlaps of every kind."""
    first_section, second_section = make_competence(), make_competence()
    s = [make_competence(parent=first_section) for _ in range(3)]
    s += [make_competence(parent=second_section) for _ in range(3)]
    a, b, c = make_role(level=3), make_role(level=4), make_role(level=5)
    plan = {
        a: {0: 1, 1: 2, 2: 2, 5: 1},
        b: {0: 2, 1: 2, 3: 3, 5: 1},
        c: {0: 4, 1: 3, 3: 3, 4: 2},
    }
    for role, wanted in plan.items():
        for index, proficiency in wanted.items():
            make_requirement(role, s[index], Proficiency(proficiency))
    return a, b, c, s


def test_three_roles_share_what_all_need_and_keep_what_only_one_needs(client, three_roles):
    a, b, c, s = three_roles
    html = client.get(compare_url(a.slug, b.slug, c.slug)).content.decode()
    assert listed(html, "compare-shared") == [s[0].code, s[1].code]
    assert listed(html, f"compare-only-{a.slug}") == [s[2].code]
    assert listed(html, f"compare-only-{b.slug}") == []
    assert listed(html, f"compare-only-{c.slug}") == [s[4].code]
    assert listed(html, "compare-rises-1") == [s[0].code]
    assert listed(html, "compare-rises-2") == [s[0].code, s[1].code]
    assert escape(f"Moving from {a.title} to {b.title} adds 1 competence and deepens 1.") in html
    assert escape(f"Moving from {b.title} to {c.title} adds 1 competence and deepens 2.") in html


def test_compare_table_has_a_column_per_role_grouped_by_section_in_tree_order(client, three_roles):
    a, b, c, s = three_roles
    html = client.get(compare_url(a.slug, b.slug, c.slug)).content.decode()
    tables = re.findall(r'<table class="nhsuk-table app-compare-table">(.*?)</table>', html, re.S)
    assert len(tables) == 2
    first_rows = re.findall(r'<span class="app-code">([^<]+)</span>', tables[0])
    assert first_rows == [s[0].code, s[1].code, s[2].code]
    for table in tables:
        heads = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)
        assert heads == ["Competence", a.title, b.title, c.title]
    # Each of the 6 rows has 3 cells; the plan gives 12 requirements, so 6 are not needed.
    assert html.count("Not needed</span>") == 6


def test_compare_with_no_roles_shows_just_the_form(client):
    response = client.get(COMPARE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="roles"') == 3
    assert 'method="get"' in html
    assert "Summary" not in html
    assert "nhsuk-error-summary" not in html


def test_compare_with_one_role_asks_for_another(client):
    role = RoleProfile.objects.first()
    response = client.get(compare_url(role.slug))
    assert response.status_code == 200
    assert (
        escape(f"Choose a second role to compare with {role.title}.") in response.content.decode()
    )


def test_blank_choices_are_skipped(client, three_roles):
    a, b, _c, _s = three_roles
    response = client.get(compare_url(a.slug, "", b.slug))
    assert response.status_code == 200
    assert 'id="compare-shared"' in response.content.decode()


@pytest.mark.parametrize(
    ("choose", "message"),
    [
        (lambda a, b, c, d: [a, "no-such-role"], "There is no role called “no-such-role”"),
        (lambda a, b, c, d: [a, b, c, d], "Choose up to three roles to compare. You chose 4."),
        (lambda a, b, c, d: [a, a], "more than once"),
        (lambda a, b, c, d: [a, b, a], "more than once"),
        (lambda a, b, c, d: ["<script>x</script>", b], "There is no role called"),
        (lambda a, b, c, d: ["x" * 500, b], "There is no role called"),
    ],
)
def test_bad_choices_get_a_clear_message_not_a_server_error(client, choose, message):
    slugs = list(RoleProfile.objects.values_list("slug", flat=True)[:4])
    while len(slugs) < 4:
        slugs.append(make_role().slug)
    response = client.get(compare_url(*choose(*slugs)))
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert escape(message) in html
    assert "<script>x" not in html


def test_compare_query_count_does_not_grow_with_the_data(client, three_roles):
    a, b, c, _s = three_roles
    url = compare_url(a.slug, b.slug, c.slug)
    before = count_queries(client, url)
    grow_framework(around=[a, b, c])
    assert RoleCompetence.objects.filter(role=a).count() > 10
    assert count_queries(client, url, warm=False) == before
