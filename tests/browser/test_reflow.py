"""At 320 CSS pixels wide no page scrolls sideways (WCAG 2.2 reflow), script on or off."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from competences.models import Competence, Standard
from roles.models import Area, RoleProfile
from tests.browser.pages import team_record_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 640}

# Each of the elements chosen, by its text, whose box runs past the right or left edge of
# what shows it: its scroll region if it is in one, else the window.
OUT_OF_SIGHT = """selector => [...document.querySelectorAll(selector)].flatMap(element => {
  const box = element.getBoundingClientRect();
  const region = element.closest("[role=region]");
  const edges = region ? region.getBoundingClientRect() : {left: 0, right: innerWidth};
  const out = box.left < edges.left - 0.5 || box.right > edges.right + 0.5
    || element.scrollWidth > element.clientWidth;
  return out ? [element.innerText.trim().slice(0, 40)] : [];
})"""


def every_page_type() -> list[str]:
    longest = max(RoleProfile.objects.all(), key=lambda role: role.requirements.count())
    section = Competence.objects.filter(kind="section").first()
    subsection = Competence.objects.filter(kind="subsection").first() or section
    three = RoleProfile.objects.filter(areas__slug="liaison-and-diversion").order_by(
        "level__number"
    )[2:5]
    compare = reverse("pathways:compare") + "?" + "&".join(f"roles={r.slug}" for r in three)
    assessment = reverse("pathways:self-assessment", args=[longest.slug])
    return [
        "/",
        Area.objects.first().get_absolute_url(),
        "/levels/4/",
        "/roles/",
        longest.get_absolute_url(),
        "/competences/",
        section.get_absolute_url(),
        subsection.get_absolute_url(),
        Competence.objects.filter(kind="statement").first().get_absolute_url(),
        "/standards/",
        max(Standard.objects.all(), key=lambda s: s.competences.count()).get_absolute_url(),
        reverse("pathways:map"),
        compare,
        assessment,
        reverse("pathways:self-assessment-section", args=[longest.slug, 1]),
        reverse("pathways:self-assessment-result", args=[longest.slug]),
        reverse("workforce:job-description", args=[longest.slug])
        + "?employer=Northshire+Health+NHS+Foundation+Trust&location=Castlegate",
        "/areas/liaison-and-diversion/workforce/",
        reverse("workforce:skill-mix") + "?area=liaison-and-diversion",
        reverse("workforce:skill-mix") + "?area=liaison-and-diversion&mix=none",
        reverse("workforce:team"),
        reverse("workforce:team-records"),
        reverse("workforce:team-region"),
        reverse("workforce:skill-mix-questions") + "?area=liaison-and-diversion",
        reverse("workforce:development-record", args=[longest.slug]),
        reverse("ways_in:start"),
        reverse("ways_in:lived-experience"),
        "/search/?q=risk",
        "/about/",
        "/accessibility/",
        "/export/",
        "/changes/",
        "/no-such-page/",
    ]


def wide_pages(page, site) -> dict[str, int]:
    page.set_viewport_size(NARROW)
    wide = {}
    for address in every_page_type():
        response = page.goto(site + address)
        assert response.status < 500, address
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            wide[address] = width
    return wide


def test_no_page_scrolls_sideways_at_320_pixels_without_javascript(site, page):
    assert wide_pages(page, site) == {}


def test_no_page_scrolls_sideways_at_320_pixels_with_javascript(site, scripted_page):
    assert wide_pages(scripted_page, site) == {}


def test_wide_pictures_and_tables_scroll_inside_a_labelled_region(site, page):
    page.set_viewport_size(NARROW)
    page.goto(site + reverse("pathways:map"))
    region = page.get_by_role("region", name="Career map picture")
    assert region.get_attribute("tabindex") == "0", "keyboard users can scroll it"
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_team_needs_show_every_cell_at_320_pixels(site, page, tmp_path):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    codes = sorted(role.requirements.values_list("competence__code", flat=True))
    files = []
    # Counts of 3 and of "fewer than 3", the longest a count can be.
    for number, gaps in enumerate(
        [{codes[0]: "not-yet"}, {codes[0]: "partly", codes[1]: "partly"}]
    ):
        answers = {f"c-{code}": gaps.get(code, "confident") for code in codes}
        address = reverse("pathways:self-assessment-result", args=[role.slug])
        response = page.request.get(site + address + "?" + urlencode({**answers, "format": "csv"}))
        path = tmp_path / f"person-{number}.csv"
        path.write_bytes(response.body())
        files.extend([str(path)] * (2 if number == 0 else 1))
    page.set_viewport_size(NARROW)
    page.goto(site + reverse("workforce:team"))
    page.set_input_files("#team-files", files)
    with page.expect_navigation():
        page.get_by_role("button", name="Show the team’s needs").click()
    assert {"3", "fewer than 3"} <= set(page.locator(".app-team-count").all_inner_texts())
    cells = "#results tbody th, #results tbody td"
    assert page.locator(cells).count() > 6
    assert page.evaluate(OUT_OF_SIGHT, cells) == []


def test_team_records_show_every_cell_at_320_pixels(site, page, tmp_path):
    files = []
    for upload in team_record_files():
        path = tmp_path / upload.name
        path.write_bytes(upload.read())
        files.append(str(path))
    page.set_viewport_size(NARROW)
    page.goto(site + reverse("workforce:team-records"))
    page.set_input_files("#records-files", files)
    with page.expect_navigation():
        page.get_by_role("button", name="Show the team’s development").click()
    # The longest texts a count can have are among them.
    shown = set(page.locator(".app-team-count").all_inner_texts())
    assert {"4", "fewer than 3", "not shown"} <= shown
    cells = "#results tbody th, #results tbody td, #results li"
    assert page.locator(cells).count() > 10
    assert page.evaluate(OUT_OF_SIGHT, cells) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_heat_map_caption_stays_in_sight_at_320_pixels(site, page):
    page.set_viewport_size(NARROW)
    page.goto(site + "/areas/liaison-and-diversion/workforce/")
    region = page.get_by_role("region", name="Deepest proficiency", exact=False)
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table scrolls"
    assert page.evaluate(OUT_OF_SIGHT, "#heat-map-caption") == []
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert page.evaluate(OUT_OF_SIGHT, "#heat-map-caption") == [], "scrolled to the end"
