"""Pages that would list the whole framework stay the same size however large it grows.

The role list, an area's and a level's roles, the standards, the competence sections,
the career map and search show a fixed number of items a page, lead with how many there
are in all, and link to the rest. Here the framework is made ten and then twenty times
larger than the seed content: once a page is full it must stop growing, stay well under
150 KB, and every number it shows must match the database, counted here with plain SQL.
"""

import gzip
import posixpath
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import transaction
from django.test import Client

from competences.views import SECTIONS_PER_PAGE, STANDARDS_PER_PAGE
from framework.search import MOST_PAGES, MOST_RESULTS, PAGE_SIZE
from framework.views import OVERVIEW_SECTIONS, ROLE_MOVES_SHOWN
from pathways.career_map import MAP_ROLES_PER_CELL
from pathways.views import MOVES_PER_PAGE
from roles.models import Area, RoleProfile
from roles.views import ROLES_PER_PAGE
from tests.factories import grow_framework, make_competence, make_progression, make_role
from tests.helpers import sql
from tests.test_area_workforce import (
    LABELS,
    database_heat_map,
    database_section_totals,
    page_heat_map,
)
from workforce.workforce_views import ROLES_PER_PAGE as WORKFORCE_ROLES_PER_PAGE

pytestmark = pytest.mark.django_db

MOST_BYTES = 150 * 1024
# Once a page holds a full page of items, doubling the data may change only a few
# numbers and page links on it.
MOST_GROWTH_WHEN_FULL = 1.1
JUNK_PAGES = ["0", "-1", "abc", "²", "1e3", "2.5", "9" * 30, " 1", "", "%00", "1/"]


def sql_count(query: str, *params) -> int:
    return sql(query, *params)[0][0]


def first_area_slug() -> str:
    return sql("SELECT slug FROM roles_area ORDER BY position, name LIMIT 1")[0][0]


def listing_pages() -> dict[str, str]:
    area = first_area_slug()
    return {
        "overview": "/",
        "role list": "/roles/",
        "role list, one area": f"/roles/?area={area}",
        "area": f"/areas/{area}/",
        "level": "/levels/5/",
        "competence sections": "/competences/",
        "standard list": "/standards/",
        "career map": "/pathways/",
        "search, broad": "/search/?q=role",
        "search by band": "/search/?q=band+5",
        "area workforce": f"/areas/{area}/workforce/",
    }


def page_html(client, address: str, **params) -> str:
    response = client.get(address, params)
    assert response.status_code == 200, (address, params)
    return response.content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def number(shown: str) -> int:
    return int(shown.replace(",", ""))


def showing(html: str, noun: str) -> tuple[int, int, int]:
    """(first, last, total) from "Showing 1 to 50 of 2,121 <noun>"."""
    match = re.search(r"Showing (?:\w+ )?([\d,]+) to ([\d,]+) of ([\d,]+) " + noun, text(html))
    assert match, f"no 'Showing … of … {noun}'"
    return tuple(number(part) for part in match.groups())


def role_links_in_tables(html: str) -> list[str]:
    tables = re.findall(
        r'<table class="nhsuk-table-responsive app-table--roles">.*?</table>', html, re.S
    )
    return [slug for table in tables for slug in re.findall(r'<a href="/roles/([^/"]+)/">', table)]


def page_links(html: str) -> dict[str, str]:
    """{page number or "next"/"previous": address} from the pagination component."""
    nav = re.search(
        r'<nav class="nhsuk-pagination nhsuk-pagination--numbered".*?</nav>', html, re.S
    )
    if not nav:
        return {}
    links = {
        label: href.replace("&amp;", "&")
        for href, label in re.findall(
            r'<a class="nhsuk-pagination__link" href="([^"]+)"[^>]*>(\d+)</a>', nav.group(0)
        )
    }
    for name in ("next", "previous"):
        found = re.search(rf'<a href="([^"]+)" class="nhsuk-pagination__{name}"', nav.group(0))
        if found:
            links[name] = found.group(1).replace("&amp;", "&")
    return links


def every_page(client, address: str) -> list[str]:
    """Each page's HTML, from the first, following "Next" as a reader would."""
    pages = [page_html(client, address)]
    while "next" in page_links(pages[-1]):
        following = page_links(pages[-1])["next"]
        path = address.split("?")[0]
        pages.append(
            page_html(client, path + following if following.startswith("?") else following)
        )
        assert len(pages) < 200, "the pages never end"
    return pages


# --- On the seed content --------------------------------------------------------------


def test_a_junk_page_number_shows_the_first_page_and_never_fails(client):
    for name, address in listing_pages().items():
        first = client.get(address)
        for junk in JUNK_PAGES:
            separator = "&" if "?" in address else "?"
            response = client.get(f"{address}{separator}page={junk}")
            assert response.status_code == 200, (name, junk)
            assert response.content == first.content, (name, junk)


def test_a_page_past_the_last_is_not_found(client):
    for name, address in listing_pages().items():
        if name == "overview":
            continue
        separator = "&" if "?" in address else "?"
        assert client.get(f"{address}{separator}page=1").status_code == 200, name
        assert client.get(f"{address}{separator}page=999").status_code == 404, name


def test_the_published_framework_fits_on_one_page_of_each_list(client):
    """The seed content keeps its look: no pagination anywhere, every role on the map."""
    for name, address in listing_pages().items():
        if name.startswith("search"):
            continue
        assert page_links(page_html(client, address)) == {}, name
    assert '<svg class="app-career-map"' in page_html(client, "/pathways/")
    shown = role_links_in_tables(page_html(client, "/roles/"))
    assert sorted(shown) == sorted(row[0] for row in sql("SELECT slug FROM roles_roleprofile"))


def test_page_links_keep_the_filters_and_reach_every_matching_role_once(client):
    area = Area.objects.get(slug=first_area_slug())
    for _ in range(ROLES_PER_PAGE + 12):
        make_role(
            level=4,
            areas=[area],
            lived_experience_route=True,
            lived_experience_text="Welcomes people with lived experience.",
        )
    address = f"/roles/?area={area.slug}&lived=yes"
    pages = every_page(client, address)
    assert len(pages) >= 2
    for html in pages:
        links = page_links(html)
        assert links
        for href in links.values():
            assert f"area={area.slug}" in href and "lived=yes" in href, href
    shown = [slug for html in pages for slug in role_links_in_tables(html)]
    expected = sql(
        "SELECT r.slug FROM roles_roleprofile r JOIN roles_roleprofile_areas ra "
        "ON ra.roleprofile_id = r.id WHERE ra.area_id = %s AND r.lived_experience_route",
        area.pk,
    )
    assert sorted(shown) == sorted(row[0] for row in expected)
    assert showing(pages[0], "role profiles that match your filters") == (
        1,
        ROLES_PER_PAGE,
        len(expected),
    )


# --- On a framework ten and twenty times larger ----------------------------------------


@pytest.fixture(scope="module")
def grown(django_db_setup, django_db_blocker):
    """Each listing page's size on the seed content, then at ten and twenty times it.

    The growth stays in one transaction for the module's tests, rolled back at the end,
    so it is built once rather than for every test.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        client = Client()
        pages = listing_pages()
        sizes = {name: {} for name in pages}
        for scale, factor in [(1, 0), (10, 10), (20, 1)]:
            if factor:
                grow_framework(factor=factor)
            for name, address in pages.items():
                html = page_html(client, address)
                sizes[name][scale] = (len(html.encode()), bool(page_links(html)))
        yield sizes
        transaction.set_rollback(True)


def test_listing_pages_stop_growing_once_a_page_is_full(grown):
    """Every listing has more than one page at twenty times the seed content; a page
    already full at ten times grows no further, and none comes near 150 KB."""
    for name, by_scale in grown.items():
        (_one, _), (ten, full_at_ten), (twenty, full_at_twenty) = (by_scale[n] for n in (1, 10, 20))
        assert ten <= MOST_BYTES and twenty <= MOST_BYTES, (name, by_scale)
        if name not in ("overview", "competence sections"):
            assert full_at_twenty, f"{name} should need several pages by now"
        if full_at_ten:
            assert twenty <= ten * MOST_GROWTH_WHEN_FULL, (name, by_scale)


def test_the_role_list_shows_a_page_of_roles_and_the_true_totals(client, grown):
    total = sql_count("SELECT COUNT(*) FROM roles_roleprofile")
    html = page_html(client, "/roles/")
    assert showing(html, "role profiles") == (1, ROLES_PER_PAGE, total)
    assert len(role_links_in_tables(html)) == ROLES_PER_PAGE
    # The summary by level links to each level's roles, with the true count.
    per_level = dict(
        sql(
            "SELECT l.number, COUNT(r.id) FROM roles_level l JOIN roles_roleprofile r "
            "ON r.level_id = l.id GROUP BY l.number"
        )
    )
    summary = dict(
        re.findall(r'<a href="/roles/\?level=(\d+)">[^<]*</a> \((\d+) role profiles?\)', html)
    )
    assert {int(level): int(count) for level, count in summary.items()} == per_level
    last = page_html(client, "/roles/", page=str(-(-total // ROLES_PER_PAGE)))
    assert showing(last, "role profiles")[1:] == (total, total)


def test_an_area_and_a_level_show_a_page_of_roles_and_their_totals(client, grown):
    slug = first_area_slug()
    in_area = sql_count(
        "SELECT COUNT(*) FROM roles_roleprofile_areas ra JOIN roles_area a ON a.id = ra.area_id "
        "WHERE a.slug = %s",
        slug,
    )
    html = page_html(client, f"/areas/{slug}/")
    assert showing(html, "role profiles in this service") == (1, ROLES_PER_PAGE, in_area)
    assert len(role_links_in_tables(html)) == ROLES_PER_PAGE
    assert page_links(html)["next"] == "?page=2#roles"

    at_level = sql_count(
        "SELECT COUNT(*) FROM roles_roleprofile r JOIN roles_level l ON l.id = r.level_id "
        "WHERE l.number = 5"
    )
    html = page_html(client, "/levels/5/")
    assert showing(html, "role profiles at this level") == (1, ROLES_PER_PAGE, at_level)
    assert len(role_links_in_tables(html)) == ROLES_PER_PAGE


def test_standards_and_sections_come_a_page_at_a_time_with_their_totals(client, grown):
    standards = sql_count("SELECT COUNT(*) FROM competences_standard")
    html = page_html(client, "/standards/")
    assert showing(html, "standards") == (1, STANDARDS_PER_PAGE, standards)
    assert len(re.findall(r'<li><a href="/standards/', html)) == STANDARDS_PER_PAGE

    while sql_count("SELECT COUNT(*) FROM competences_competence WHERE parent_id IS NULL") <= (
        SECTIONS_PER_PAGE
    ):
        make_competence(title="Another section")
    sections = sql_count("SELECT COUNT(*) FROM competences_competence WHERE parent_id IS NULL")
    html = page_html(client, "/competences/")
    assert showing(html, "") == (1, SECTIONS_PER_PAGE, sections)
    assert html.count('class="nhsuk-card__heading nhsuk-heading-m"') == SECTIONS_PER_PAGE
    # A section's card still counts the competences beneath it.
    last_page = page_html(client, "/competences/", page=str(-(-sections // SECTIONS_PER_PAGE)))
    code, shown = re.findall(
        r'href="/competences/([^/]+)/">[^<]*</a></h2>.*?(\d+) competences?', last_page, re.S
    )[-1]
    assert int(shown) == sql_count(
        "SELECT COUNT(*) FROM competences_competence c JOIN competences_competence s "
        "ON s.tree_id = c.tree_id WHERE s.code = %s AND c.kind = 'statement'",
        code,
    )


def test_the_career_map_names_a_few_roles_a_cell_and_counts_the_rest(client, grown):
    html = page_html(client, "/pathways/")
    assert '<svg class="app-career-map"' not in html, "too many roles for one picture"
    table = re.search(r'<table class="nhsuk-table app-career-map__table">.*?</table>', html, re.S)
    cells = re.findall(r'<td class="nhsuk-table__cell">(.*?)</td>', table.group(0), re.S)
    assert cells
    for cell in cells:
        assert len(re.findall(r'class="app-career-map__role"', cell)) <= MAP_ROLES_PER_CELL
    per_cell = sql(
        "SELECT a.slug, l.number, COUNT(*) FROM roles_roleprofile_areas ra "
        "JOIN roles_area a ON a.id = ra.area_id "
        "JOIN roles_roleprofile r ON r.id = ra.roleprofile_id "
        "JOIN roles_level l ON l.id = r.level_id WHERE l.number BETWEEN 2 AND 8 "
        "GROUP BY a.slug, l.number"
    )
    more = {
        (slug, int(level)): int(count)
        for slug, level, count in re.findall(
            r'href="/roles/\?area=([^&]+)&amp;level=(\d)">and (\d+) more', html
        )
    }
    expected = {
        (slug, level): count - MAP_ROLES_PER_CELL
        for slug, level, count in per_cell
        if count > MAP_ROLES_PER_CELL
    }
    assert more == expected and expected
    # The roles a cell names are the first few by title.
    slug, level = next(iter(expected))
    first = [
        row[0]
        for row in sql(
            "SELECT r.slug FROM roles_roleprofile r JOIN roles_roleprofile_areas ra "
            "ON ra.roleprofile_id = r.id JOIN roles_area a ON a.id = ra.area_id "
            "JOIN roles_level l ON l.id = r.level_id WHERE a.slug = %s AND l.number = %s "
            "ORDER BY r.title, r.id LIMIT %s",
            slug,
            level,
            MAP_ROLES_PER_CELL,
        )
    ]
    for role in first:
        assert f'href="/roles/{role}/"' in table.group(0), role


def test_the_career_map_counts_every_move_and_lists_them_a_page_at_a_time(client, grown):
    up = sql_count("SELECT COUNT(*) FROM pathways_progression WHERE kind = 'vertical'")
    sideways = sql_count("SELECT COUNT(*) FROM pathways_progression WHERE kind = 'lateral'")
    total = up + sideways
    assert total > MOVES_PER_PAGE
    html = page_html(client, "/pathways/")
    assert f"{total:,} recorded moves: {up:,} up a level and {sideways:,} sideways" in text(html)
    assert showing(html, "") == (1, MOVES_PER_PAGE, total)
    listed = html[html.index('id="map-moves"') :]
    assert len(re.findall(r'class="nhsuk-tag nhsuk-tag--(?:blue|green)"', listed)) == MOVES_PER_PAGE
    assert page_links(html)["next"] == "?page=2#moves"


def test_a_broad_search_is_counted_in_full_but_offers_only_its_best_pages(client, grown):
    # Every grown competence is titled "Grown …"; nothing else in the framework says so.
    assert not sql_count(
        "SELECT COUNT(*) FROM competences_competence WHERE LOWER(title) NOT LIKE '%%grown%%' "
        "AND (LOWER(description) LIKE '%%grown%%' OR LOWER(knowledge) LIKE '%%grown%%' "
        "OR LOWER(skills) LIKE '%%grown%%')"
    )
    grown_count = sql_count(
        "SELECT COUNT(*) FROM competences_competence WHERE LOWER(title) LIKE '%%grown%%'"
    )
    assert grown_count > MOST_RESULTS
    html = page_html(client, "/search/", q="grown", kind="competences")
    assert f"{grown_count} results of this kind" in text(html)
    assert f"Only the best {MOST_RESULTS} are listed" in text(html)
    assert len(re.findall(r'class="app-search-results__item"', html)) == PAGE_SIZE
    assert client.get("/search/", {"q": "grown", "page": MOST_PAGES}).status_code == 200
    assert client.get("/search/", {"q": "grown", "page": MOST_PAGES + 1}).status_code == 404


def band_covers(band_text: str, band: int) -> bool:
    ends = [int(re.match(r"\d+", part).group()) for part in band_text.split("-") if part]
    return bool(ends) and min(ends) <= band <= max(ends)


def test_a_band_search_counts_every_role_at_that_band(client, grown):
    rows = sql(
        "SELECT r.indicative_band, l.indicative_band FROM roles_roleprofile r "
        "JOIN roles_level l ON l.id = r.level_id"
    )
    expected = sum(1 for own, level in rows if band_covers(own or level, 5))
    assert expected > PAGE_SIZE
    html = page_html(client, "/search/", q="band 5", kind="roles")
    assert f"{expected} results of this kind" in text(html)
    assert len(re.findall(r'class="app-search-results__item"', html)) == PAGE_SIZE


def test_the_overview_names_the_first_sections_and_links_to_them_all(client, grown):
    sections = sql("SELECT title FROM competences_competence WHERE parent_id IS NULL")
    assert len(sections) > OVERVIEW_SECTIONS
    html = page_html(client, "/")
    listed = re.search(r'<ul class="nhsuk-list app-section-list">(.*?)</ul>', html, re.S)[1]
    names = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', listed)
    assert len(names) == OVERVIEW_SECTIONS + 1
    assert set(names[:-1]) <= {title for (title,) in sections}
    assert names[-1] == "All competence sections"
    assert '<a href="/competences/">All competence sections</a>' in listed


def test_the_overview_weighs_under_100_kb_with_its_styles_and_scripts(client, grown):
    """HTML, CSS and JavaScript as a browser fetches them, gzip-compressed."""
    html = page_html(client, "/")
    assets = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html)
    scripts = re.findall(r'<script[^>]* src="/static/([^"]+)"', html)
    names = assets + scripts
    for script in scripts:
        # The modules a script imports, named relative to it.
        source = finders.find(script)
        for imported in re.findall(r'from\s+"(\.[^"]+)"', Path(source).read_text()):
            names.append(posixpath.normpath(posixpath.join(posixpath.dirname(script), imported)))
    files = []
    for name in names:
        found = finders.find(name)
        if not found:
            pytest.skip(f"front-end not installed ({name}): run `make install`")
        files.append(Path(found))
    assert assets and len(names) > len(assets) + len(scripts), names
    weight = len(gzip.compress(html.encode()))
    weight += sum(len(gzip.compress(path.read_bytes())) for path in files)
    assert weight < 100 * 1024, weight


# --- A role with more moves than its page lists ----------------------------------------


def card_titles(html: str, heading: str) -> list[str]:
    """The role titles on the move cards under the role page's ``heading`` column."""
    column = re.search(rf'<h3 class="nhsuk-heading-m">{heading}</h3>(.*?)<h3', html, re.S)
    assert column, heading
    return re.findall(
        r'<h4 class="nhsuk-card__heading[^"]*"><a href="[^"]+">([^<]+)</a>', column[1]
    )


def test_a_role_with_many_moves_lists_the_closest_and_links_to_the_rest(client):
    role = RoleProfile.objects.filter(level__number=4, requirements__isnull=False).first()
    for n in range(ROLE_MOVES_SHOWN + 5):
        make_progression(role, make_role(level=5, title=f"Grown higher role {n:02}"))
    for n in range(ROLE_MOVES_SHOWN + 2):
        make_progression(role, make_role(level=4, title=f"Grown sideways role {n:02}"), "lateral")
    for n in range(ROLE_MOVES_SHOWN + 1):
        make_progression(make_role(level=3, title=f"Grown earlier role {n:02}"), role)
    up, sideways, into = (
        sql_count(
            "SELECT COUNT(*) FROM pathways_progression p JOIN roles_roleprofile t "
            f"ON t.id = p.{end}_role_id JOIN roles_level l ON l.id = t.level_id "
            f"WHERE p.{start}_role_id = %s AND l.number {level}",
            role.pk,
        )
        for start, end, level in (
            ("from", "to", "> 4"),
            ("from", "to", "= 4"),
            ("to", "from", "> 0"),
        )
    )
    html = page_html(client, role.get_absolute_url())

    assert len(card_titles(html, "Up a level")) == ROLE_MOVES_SHOWN
    assert len(card_titles(html, "Sideways into another service")) == ROLE_MOVES_SHOWN
    said = text(html)
    assert f"And {up - ROLE_MOVES_SHOWN} more, listed on the career map." in said
    assert f"And {sideways - ROLE_MOVES_SHOWN} more, listed on the career map." in said
    assert f"And {into - ROLE_MOVES_SHOWN} more role" in said
    # Only some moves are listed, so there is no picture claiming to show them all.
    assert "Picture of this role’s moves" not in html

    link = re.search(r'<a href="(/pathways/\?from=[^"]+)">See every move', html)
    assert link, "no link to the career map's list of this role's moves"
    response = client.get(link[1].replace("&amp;", "&"))
    assert response.status_code == 302
    address, fragment = response["Location"].split("#")
    assert fragment == f"from-{role.slug}"
    on_map = page_html(client, address)
    group = re.search(
        rf'<li class="app-career-map__from" id="{fragment}">(.*?)</li>\s*</ul>', on_map, re.S
    )
    assert group, "the map page linked to does not list this role's moves"
    assert re.search(r"Grown (higher|sideways) role \d\d", group[1])


def test_the_moves_from_a_role_are_found_on_a_later_page_of_the_map(client):
    """When earlier roles' moves fill the first pages, the link leads to the page where
    this role's moves begin."""
    lowest = make_role(level=2, title="AAA first role")
    for n in range(MOVES_PER_PAGE + 10):
        make_progression(lowest, make_role(level=3, title=f"Grown next role {n:03}"))
    role = RoleProfile.objects.filter(moves_out__isnull=False, level__number=5).first()
    before = sql_count(
        "SELECT COUNT(*) FROM pathways_progression p JOIN roles_roleprofile r "
        "ON r.id = p.from_role_id JOIN roles_level l ON l.id = r.level_id "
        "WHERE l.number < 5 OR (l.number = 5 AND (r.title < %s OR (r.title = %s AND r.id < %s)))",
        role.title,
        role.title,
        role.pk,
    )
    response = client.get("/pathways/", {"from": role.slug})
    assert (
        response["Location"] == f"/pathways/?page={before // MOVES_PER_PAGE + 1}#from-{role.slug}"
    )
    assert before >= MOVES_PER_PAGE
    assert f'id="from-{role.slug}"' in page_html(client, response["Location"].split("#")[0])


def test_the_moves_from_an_unknown_role_are_not_found(client):
    assert client.get("/pathways/", {"from": "no-such-role"}).status_code == 404


def test_the_workforce_view_shows_a_page_of_roles_and_counts_every_role(client, grown):
    slug = first_area_slug()
    in_area = sql(
        "SELECT r.slug, l.number FROM roles_roleprofile r "
        "JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id "
        "JOIN roles_area a ON a.id = ra.area_id JOIN roles_level l ON l.id = r.level_id "
        "WHERE a.slug = %s",
        slug,
    )
    address = f"/areas/{slug}/workforce/"
    pages = every_page(client, address)
    assert len(pages) == -(-len(in_area) // WORKFORCE_ROLES_PER_PAGE) > 2
    assert showing(pages[0], "role profiles in this service") == (
        1,
        WORKFORCE_ROLES_PER_PAGE,
        len(in_area),
    )
    # Every role of the service is listed once across the pages, highest level first.
    listed = []
    for html in pages:
        table = re.search(r'app-table--workforce-roles">.*?</table>', html, re.S).group(0)
        listed += re.findall(r'<a href="/roles/([^/"]+)/">', table)
    assert sorted(listed) == sorted(role for role, _level in in_area)
    level_of = dict(in_area)
    assert [level_of[role] for role in listed] == sorted(level_of.values(), reverse=True)
    # The summary by level counts every role in the service, not just a page of them.
    per_level = {}
    for _role, level in in_area:
        per_level[level] = per_level.get(level, 0) + 1
    summary = re.findall(
        rf'<a href="/roles/\?area={slug}&amp;level=(\d+)">[^<]*</a> \((\d+) role profiles?\)',
        pages[0],
    )
    assert {int(level): int(count) for level, count in summary} == per_level

    # The heat-map on the second page shows that page's roles and the sections they
    # need, with the service's totals.
    expected = database_heat_map(slug)
    cells, role_totals, section_totals, overall = page_heat_map(client, slug, page=2)
    columns = sorted({role for role, _section in cells})
    assert columns == sorted(listed[WORKFORCE_ROLES_PER_PAGE : 2 * WORKFORCE_ROLES_PER_PAGE])
    assert {section for _role, section in cells} == {
        section for role, section in expected if role in columns
    }
    for key, shown in cells.items():
        deepest, count = expected.get(key, (None, 0))
        assert shown == (f"{LABELS[deepest]} · {count}" if deepest else "Not needed"), key
    all_sections = database_section_totals(slug)
    assert section_totals == {code: all_sections[code] for code in section_totals}
    assert overall == sum(all_sections.values())
    assert role_totals == {
        role: sum(count for (who, _s), (_d, count) in expected.items() if who == role)
        for role in columns
    }
