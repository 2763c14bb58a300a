"""The career map pictures are readable: boxes are links, titles fit, no line crosses a box."""

import re

import pytest
from django.urls import reverse

from pathways.diagram_layout import BOX_WIDTH, TEXT_PADDING, text_width
from roles.models import RoleProfile

pytestmark = pytest.mark.django_db

NUMBER = r"-?\d+(?:\.\d+)?"


def svg_of(html: str, css_class: str = "app-career-map") -> str:
    start = html.index(f'<svg class="{css_class}" ')
    return html[start : html.index("</svg>", start)]


def boxes(svg: str) -> list[dict]:
    """Every role box: its rectangle, its link (if any) and its lines of text."""
    found = []
    pattern = (
        r'<(a|g) class="app-career-map__box[^"]*"(?: href="([^"]+)")?>\s*'
        rf'<rect x="({NUMBER})" y="({NUMBER})" width="({NUMBER})" height="({NUMBER})"'
        r"[^>]*/>\s*<text[^>]*>(.*?)</text>"
    )
    for tag, href, x, y, width, height, text in re.findall(pattern, svg, re.S):
        found.append(
            {
                "tag": tag,
                "href": href,
                "rect": (float(x), float(y), float(x) + float(width), float(y) + float(height)),
                "lines": re.findall(r"<tspan[^>]*>([^<]*)</tspan>", text),
            }
        )
    return found


def segments(svg: str) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    found = []
    for path in re.findall(r'<path class="app-career-map__move" d="([^"]+)"', svg):
        points = [(float(x), float(y)) for x, y in re.findall(rf"({NUMBER}),({NUMBER})", path)]
        assert len(points) >= 2, path
        found += list(zip(points, points[1:], strict=False))
    return found


def crosses(segment, rect) -> bool:
    """Whether a horizontal or vertical segment passes through a box's inside."""
    (x1, y1), (x2, y2) = segment
    left, top, right, bottom = rect
    assert x1 == x2 or y1 == y2, f"not a right-angled segment: {segment}"
    low_x, high_x, low_y, high_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    return (
        low_x < right - 0.5 and high_x > left + 0.5 and low_y < bottom - 0.5 and high_y > top + 0.5
    )


def check_picture(svg: str) -> list[dict]:
    drawn = boxes(svg)
    assert drawn, "the picture has boxes"
    for box in drawn:
        left, _top, right, _bottom = box["rect"]
        text = " ".join(box["lines"])
        assert "…" not in text, f"{text} is cut off"
        for line in box["lines"]:
            assert text_width(line) <= right - left - 2 * TEXT_PADDING + 0.01, line
    for segment in segments(svg):
        for box in drawn:
            assert not crosses(segment, box["rect"]), (segment, box["lines"])
    return drawn


def test_the_career_map_boxes_are_links_with_whole_titles_and_no_line_crosses_one(client):
    html = client.get(reverse("pathways:map")).content.decode()
    drawn = check_picture(svg_of(html))
    assert all(box["tag"] == "a" for box in drawn), "every box on the map is a link"
    roles = {role.get_absolute_url(): role.title for role in RoleProfile.objects.all()}
    assert {box["href"] for box in drawn} == set(roles)
    for box in drawn:
        assert " ".join(box["lines"]) == roles[box["href"]]


def test_the_career_map_draws_every_move_at_right_angles(client):
    html = client.get(reverse("pathways:map")).content.decode()
    svg = svg_of(html)
    from pathways.models import Progression

    assert svg.count('class="app-career-map__move"') == Progression.objects.count()
    assert segments(svg), "the moves are drawn"


@pytest.mark.parametrize(
    "slug",
    [
        "liaison-and-diversion-practitioner",
        "liaison-and-diversion-assistant-practitioner",
        "reconnect-care-navigator",
        "liaison-and-diversion-consultant-practitioner",
    ],
)
def test_a_role_page_pictures_its_own_moves(client, slug):
    role = RoleProfile.objects.get(slug=slug)
    html = client.get(role.get_absolute_url()).content.decode()
    drawn = check_picture(svg_of(html, "app-career-map app-career-map--small"))
    current = [box for box in drawn if box["tag"] == "g"]
    assert [" ".join(box["lines"]) for box in current] == [role.title]
    neighbours = {move.to_role for move in role.moves_out.all()}
    neighbours |= {move.from_role for move in role.moves_in.all()}
    links = {box["href"] for box in drawn if box["tag"] == "a"}
    assert links == {other.get_absolute_url() for other in neighbours}
    moves = role.moves_out.count() + role.moves_in.count()
    assert html.count('class="app-career-map__move"') == moves


def test_estimated_text_width_is_generous_for_capitals():
    assert text_width("RECONNECT") > text_width("reconnect")
    assert text_width("Liaison and Diversion") < BOX_WIDTH


def test_pictures_are_the_same_on_every_request(client):
    """Ties between lines are broken by the moves' order, never by where objects happen
    to sit in memory, so a page is byte-for-byte the same each time (and cacheable)."""
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    for address, css_class in [
        (reverse("pathways:map"), "app-career-map"),
        (role.get_absolute_url(), "app-career-map app-career-map--small"),
    ]:
        pictures = {svg_of(client.get(address).content.decode(), css_class) for _ in range(4)}
        assert len(pictures) == 1, address
