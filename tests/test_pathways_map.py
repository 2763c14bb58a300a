"""The career map and the compared moves on a role's page."""

import re
from collections import Counter

import pytest
from django.urls import reverse
from django.utils.html import escape

from pathways.models import Progression
from pathways.moves import role_moves_compared
from roles.models import Area, Proficiency, RoleCompetence, RoleProfile
from tests.factories import (
    grow_framework,
    make_competence,
    make_progression,
    make_requirement,
    make_role,
)
from tests.measure import count_queries

pytestmark = pytest.mark.django_db

MAP_URL = reverse("pathways:map")


def table_html(html: str, css_class: str) -> str:
    match = re.search(rf'<table class="[^"]*{css_class}[^"]*">(.*?)</table>', html, re.S)
    assert match, css_class
    return match.group(1)


def map_svg(html: str) -> str:
    start = html.index('<svg class="app-career-map" ')
    return html[start : html.index("</svg>", start)]


def role_links(html: str) -> list[str]:
    return re.findall(r'href="/roles/([^/"]+)/"', html)


# --- The map ---------------------------------------------------------------------------


def test_map_table_links_every_role_once_per_area(client):
    make_role(level=4, areas=list(Area.objects.all()[:2]))  # a role in two areas
    response = client.get(MAP_URL)
    assert response.status_code == 200
    links = Counter(role_links(table_html(response.content.decode(), "app-career-map__table")))
    roles = RoleProfile.objects.filter(level__number__range=(2, 8)).prefetch_related("areas")
    assert set(links) == {role.slug for role in roles}
    for role in roles:
        assert links[role.slug] == len(role.areas.all()), role.slug


def test_map_contains_every_seed_role_exactly_once(client):
    response = client.get(MAP_URL)
    links = Counter(role_links(table_html(response.content.decode(), "app-career-map__table")))
    expected = set(RoleProfile.objects.values_list("slug", flat=True))
    assert expected, "the seed content has roles"
    assert set(links) == expected
    assert set(links.values()) == {1}


def test_map_rows_run_from_level_8_down_to_level_2(client):
    html = client.get(MAP_URL).content.decode()
    levels = re.findall(r'<th scope="row"[^>]*><a href="/levels/(\d)/"', html)
    assert levels == ["8", "7", "6", "5", "4", "3", "2"]


def test_map_lists_every_move_under_the_role_it_starts_from(client):
    low, high = make_role(level=2), make_role(level=3)
    make_progression(low, high, "vertical", note="Needs a Level 3 qualification.")
    make_progression(low, make_role(level=2), "lateral", note="Same work, another service.")
    html = client.get(MAP_URL).content.decode()
    listing = html[html.index('id="map-moves"') :]
    groups = re.split(r'<li class="app-career-map__from" id="from-[^"]+">', listing)[1:]
    found = {}
    for group in groups:
        heading = re.search(r"<h4[^>]*>(.*?)</h4>", group, re.S).group(1)
        moves = re.findall(r'</strong>\s*<a href="/roles/([^/"]+)/"', group)
        found[heading] = set(moves)
    expected = {}
    for move in Progression.objects.select_related("from_role__level", "to_role"):
        heading = escape(f"From {move.from_role.title} (level {move.from_role.level.number})")
        expected.setdefault(heading, set()).add(move.to_role.slug)
    assert found == expected
    assert "Needs a Level 3 qualification." in listing
    assert ">Up</strong>" in listing and ">Sideways</strong>" in listing


def test_map_picture_is_described_by_the_list_and_obeys_the_content_policy(client):
    make_progression(make_role(level=5), make_role(level=6), "vertical")
    html = client.get(MAP_URL).content.decode()
    svg = map_svg(html)
    assert 'role="group"' in svg, "a group, not an image, so its links stay reachable"
    assert re.search(r"<title[^>]*>[^<]+</title>", svg)
    assert 'aria-describedby="map-moves"' in svg
    assert 'id="map-moves"' in html
    # A strict Content-Security-Policy: no inline styles or scripts anywhere on the page.
    assert "style=" not in html
    assert "<style" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_map_picture_draws_a_line_for_each_move_and_a_box_for_each_role(client):
    html = client.get(MAP_URL).content.decode()
    svg = map_svg(html)
    on_map = RoleProfile.objects.filter(level__number__range=(2, 8))
    moves = Progression.objects.filter(from_role__in=on_map, to_role__in=on_map)
    assert svg.count("marker-end=") == moves.count()
    assert svg.count('rx="4"') == sum(role.areas.count() for role in on_map)


def test_map_query_count_does_not_grow_with_the_data(client):
    before = count_queries(client, MAP_URL)
    grow_framework()
    assert count_queries(client, MAP_URL, warm=False) == before


# --- Moves on a role's page ------------------------------------------------------------


@pytest.fixture
def role_with_moves():
    """A level 4 role with three moves: one close, one further, one sideways."""
    section = make_competence()
    statements = [make_competence(parent=section) for _ in range(6)]
    start = make_role(level=4)
    for statement in statements[:3]:
        make_requirement(start, statement, Proficiency.WORKING)
    close, far, side = make_role(level=5), make_role(level=5), make_role(level=4)
    # close: shares all three, adds one, deepens one.
    make_requirement(close, statements[0], Proficiency.PROFICIENT)
    make_requirement(close, statements[1], Proficiency.WORKING)
    make_requirement(close, statements[2], Proficiency.AWARENESS)
    make_requirement(close, statements[3], Proficiency.WORKING)
    # far: shares one, adds three, deepens none.
    make_requirement(far, statements[0], Proficiency.WORKING)
    for statement in statements[3:]:
        make_requirement(far, statement, Proficiency.WORKING)
    # side: shares two, adds none.
    make_requirement(side, statements[0], Proficiency.WORKING)
    make_requirement(side, statements[1], Proficiency.EXPERT)
    make_progression(start, far, "vertical")
    make_progression(start, close, "vertical")
    make_progression(start, side, "lateral")
    return start, close, far, side


def expected_numbers(start, end) -> tuple[int, int, int]:
    """Shared, added and deepened, worked out straight from the requirement rows."""

    def needs(role):
        return dict(
            RoleCompetence.objects.filter(role=role).values_list("competence", "proficiency")
        )

    before, after = needs(start), needs(end)
    shared = before.keys() & after.keys()
    deepened = {pk for pk in shared if after[pk] > before[pk]}
    return len(shared), len(after.keys() - before.keys()), len(deepened)


def test_role_moves_carry_numbers_from_the_requirements_closest_first(role_with_moves):
    start, close, far, side = role_with_moves
    moves = role_moves_compared(start)
    assert [move.to_role for move in moves["up"]] == [close, far]
    assert [move.to_role for move in moves["sideways"]] == [side]
    for move in moves["up"] + moves["sideways"]:
        numbers = (move.comparison.shared, move.comparison.added, move.comparison.deepened)
        assert numbers == expected_numbers(start, move.to_role)
    assert moves["into"] == []


def test_role_page_explains_each_move(client, role_with_moves):
    start, close, far, side = role_with_moves
    html = client.get(start.get_absolute_url()).content.decode()
    assert "Shares 3 competences with this role; the move adds 1 competence and deepens 1." in html
    assert "Shares 1 competence with this role; the move adds 3 competences and deepens 0." in html
    assert html.index(close.title) < html.index(far.title)
    compare = reverse("pathways:compare")
    assert f"{compare}?roles={start.slug}&amp;roles={close.slug}" in html


def test_role_page_shows_the_seed_moves(client):
    move = Progression.objects.select_related("from_role", "to_role").first()
    assert move is not None, "the seed content has moves"
    html = client.get(move.from_role.get_absolute_url()).content.decode()
    assert move.to_role.get_absolute_url() in html
    assert "Shares " in html


def test_role_page_query_count_does_not_grow_with_its_moves(client, role_with_moves):
    start = role_with_moves[0]
    url = start.get_absolute_url()
    before = count_queries(client, url)
    grow_framework(around=[start])
    assert Progression.objects.filter(from_role=start).count() > 10
    assert count_queries(client, url, warm=False) == before


def test_the_map_of_an_empty_framework_is_a_page_not_an_error(client):
    from tests.test_import import empty_the_database

    empty_the_database()
    response = client.get("/pathways/")
    assert response.status_code == 200
