"""The workforce view: each area's roles by level and the section-by-role heat-map, and
the CSV and Excel downloads that must say exactly what the page and the database say."""

import csv
import io
from collections import defaultdict

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html

from roles.models import RoleProfile
from tests.helpers import sql

pytestmark = pytest.mark.django_db

AREAS = ["court-healthcare", "liaison-and-diversion", "reconnect"]
LABELS = {1: "Awareness", 2: "Working", 3: "Proficient", 4: "Expert"}


def database_heat_map(area: str) -> dict[tuple[str, str], tuple[int, int]]:
    """{(role slug, section code): (deepest proficiency, competences needed)} straight from
    the requirement rows, sections found as the root of each competence's tree."""
    rows = sql(
        """
        SELECT r.slug, s.code, MAX(rc.proficiency), COUNT(*)
        FROM roles_rolecompetence rc
        JOIN roles_roleprofile r ON r.id = rc.role_id
        JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id
        JOIN roles_area a ON a.id = ra.area_id
        JOIN competences_competence c ON c.id = rc.competence_id
        JOIN competences_competence s ON s.tree_id = c.tree_id AND s.parent_id IS NULL
        WHERE a.slug = %s
        GROUP BY r.slug, s.code
        """,
        area,
    )
    return {(slug, section): (deepest, count) for slug, section, deepest, count in rows}


def database_section_totals(area: str) -> dict[str, int]:
    rows = sql(
        """
        SELECT s.code, COUNT(DISTINCT rc.competence_id)
        FROM roles_rolecompetence rc
        JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = rc.role_id
        JOIN roles_area a ON a.id = ra.area_id
        JOIN competences_competence c ON c.id = rc.competence_id
        JOIN competences_competence s ON s.tree_id = c.tree_id AND s.parent_id IS NULL
        WHERE a.slug = %s
        GROUP BY s.code
        """,
        area,
    )
    return dict(rows)


def area_role_slugs(area: str) -> list[str]:
    return [
        row[0]
        for row in sql(
            """
            SELECT r.slug FROM roles_roleprofile r
            JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id
            JOIN roles_area a ON a.id = ra.area_id
            WHERE a.slug = %s
            """,
            area,
        )
    ]


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def slug_of(href: str) -> str:
    return href.rstrip("/").rsplit("/", 1)[-1]


def page_heat_map(client, area: str, page: int = 1):
    """(cells {(role slug, section code): text}, role totals, section totals, overall
    total) as shown on one page of the workforce view."""
    response = client.get(f"/areas/{area}/workforce/", {"page": page} if page > 1 else {})
    assert response.status_code == 200
    tree = html.fromstring(response.content)
    table = tree.xpath("//table[contains(@class, 'app-heat-map__table')]")[0]
    roles = [slug_of(link.get("href")) for link in table.xpath("./thead//th/a")]
    cells, section_totals = {}, {}
    for row in table.xpath("./tbody/tr"):
        section = slug_of(row.xpath("./th/a")[0].get("href"))
        values = [text_of(cell) for cell in row.xpath("./td")]
        for role, value in zip(roles, values[:-1], strict=True):
            cells[(role, section)] = value.replace("– ", "").replace("–", "").strip()
        section_totals[section] = int(values[-1])
    footer = [int(text_of(cell)) for cell in table.xpath("./tfoot/tr/td")]
    role_totals = dict(zip(roles, footer[:-1], strict=True))
    return cells, role_totals, section_totals, footer[-1]


@pytest.mark.parametrize("area", AREAS)
def test_heat_map_shows_each_roles_deepest_proficiency_and_count_in_words(client, area):
    expected = database_heat_map(area)
    cells, role_totals, section_totals, overall = page_heat_map(client, area)
    assert sorted({role for role, _ in cells}) == sorted(area_role_slugs(area))
    for key, text in cells.items():
        if key in expected:
            deepest, count = expected[key]
            assert text == f"{LABELS[deepest]} · {count}", key
        else:
            assert text == "Not needed", key
    per_role = defaultdict(int)
    for (role, _section), (_deepest, count) in expected.items():
        per_role[role] += count
    assert role_totals == dict(per_role)
    assert section_totals == database_section_totals(area)
    assert (
        overall
        == sql(
            "SELECT COUNT(DISTINCT rc.competence_id) FROM roles_rolecompetence rc "
            "JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = rc.role_id "
            "JOIN roles_area a ON a.id = ra.area_id WHERE a.slug = %s",
            area,
        )[0][0]
    )


def test_the_summary_lists_roles_by_level_before_the_heat_map(client):
    response = client.get("/areas/court-healthcare/workforce/")
    page = response.content.decode()
    assert page.index("Roles by level") < page.index("Competence sections by role")
    tree = html.fromstring(response.content)
    rows = tree.xpath("//table[contains(@class, 'app-table--workforce-roles')]/tbody/tr")
    shown = [slug_of(row.xpath(".//a")[1].get("href")) for row in rows]
    expected = [
        slug
        for (slug,) in sql(
            "SELECT r.slug FROM roles_roleprofile r "
            "JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id "
            "JOIN roles_area a ON a.id = ra.area_id JOIN roles_level l ON l.id = r.level_id "
            "WHERE a.slug = %s ORDER BY l.number DESC, r.title",
            "court-healthcare",
        )
    ]
    assert shown == expected
    # The heat-map scrolls inside its own labelled region on a phone.
    region = tree.xpath("//div[@role='region' and contains(@class, 'app-scroll-region')]")[0]
    assert region.get("tabindex") == "0"
    assert tree.get_element_by_id(region.get("aria-labelledby")).tag == "caption"


@pytest.mark.parametrize("area", AREAS)
def test_csv_holds_the_same_cells_as_the_page_and_the_database(client, area):
    response = client.get(f"/areas/{area}/workforce/workforce.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Section code", "Section"]
    cells, *_ = page_heat_map(client, area)
    expected = database_heat_map(area)
    from_csv = {}
    for section, _title, _role, code, _level, number, label, count in body:
        slug = RoleProfile.objects.get(code=code).slug
        from_csv[(slug, section)] = (number, label, count)
    assert set(from_csv) == set(cells)
    for key, (number, label, count) in from_csv.items():
        if key in expected:
            assert (int(number), int(count)) == expected[key]
            assert cells[key] == f"{label} · {count}"
        else:
            assert (number, label, count) == ("", "Not needed", "0")


def test_workbook_has_a_sheet_per_view_and_the_heat_map_laid_out_as_on_the_page(client):
    area = "liaison-and-diversion"
    response = client.get(f"/areas/{area}/workforce/workforce.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["About", "Roles by level", "Heat map", "Section totals"]
    for sheet in book.worksheets:
        assert sheet["A1"].font.bold
    assert book["Roles by level"].freeze_panes == "A2"
    assert book["Section totals"].freeze_panes == "A2"

    # Sections down, roles across, every cell in the page's words: the header row and
    # the sections' column stay in view while the grid scrolls, and print on each page.
    sheet = book["Heat map"]
    assert sheet.freeze_panes == "B2"
    assert sheet.print_title_cols == "$A:$A"
    grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, *body, totals = grid
    titles = dict(sql("SELECT title, slug FROM roles_roleprofile"))
    roles = []
    for heading in header[1:-1]:
        *title, level = heading.split("\n")
        role = titles[" ".join(title)]
        roles.append(role)
        assert level == f"Level {RoleProfile.objects.get(slug=role).level.number}"
    assert sorted(roles) == sorted(area_role_slugs(area))
    assert header[0] == "Section" and header[-1] == "Needed by the service"
    assert sheet["B1"].alignment.wrap_text, "a role's name runs over lines"
    cells, role_totals, section_totals, overall = page_heat_map(client, area)
    sections = dict(sql("SELECT title, code FROM competences_competence WHERE parent_id IS NULL"))
    assert len(body) == len(section_totals)
    for title, *values, needed in body:
        section = sections[title]
        for role, value in zip(roles, values, strict=True):
            assert value == cells[(role, section)], (role, section)
        assert needed == section_totals[section]
    assert totals == ["Competences needed", *(role_totals[role] for role in roles), overall]

    roles = list(book["Roles by level"].iter_rows(values_only=True))[1:]
    needed = dict(
        sql(
            "SELECT r.code, COUNT(*) FROM roles_rolecompetence rc "
            "JOIN roles_roleprofile r ON r.id = rc.role_id "
            "JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id "
            "JOIN roles_area a ON a.id = ra.area_id WHERE a.slug = %s GROUP BY r.code",
            area,
        )
    )
    assert {row[3]: row[4] for row in roles} == needed
    totals = list(book["Section totals"].iter_rows(values_only=True))[1:]
    assert {row[0]: row[2] for row in totals} == database_section_totals(area)


def test_a_role_title_written_as_a_formula_comes_out_as_text(client):
    role = RoleProfile.objects.filter(areas__slug="court-healthcare").first()
    role.title = '=HYPERLINK("http://example.com","Click")'
    role.save()
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/areas/court-healthcare/workforce/workforce.csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    titles = {row[2] for row in rows[1:]}
    assert "'" + role.title in titles
    assert role.title not in titles
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/areas/court-healthcare/workforce/workforce.xlsx").content)
    )
    cells = [cell for row in book["Roles by level"].iter_rows() for cell in row]
    formula = [cell for cell in cells if str(cell.value).lstrip("'").startswith("=")]
    assert formula and all(cell.data_type == "s" and cell.value.startswith("'") for cell in formula)


@pytest.mark.parametrize("suffix", ["", "workforce.csv", "workforce.xlsx"])
def test_an_unknown_area_is_not_found(client, suffix):
    assert client.get(f"/areas/nowhere/workforce/{suffix}").status_code == 404


def test_the_workforce_pages_write_nothing(client):
    with CaptureQueriesContext(connection) as queries:
        for suffix in ["", "workforce.csv", "workforce.xlsx"]:
            assert client.get(f"/areas/reconnect/workforce/{suffix}").status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_area_page_and_overview_lead_to_the_workforce_tools(client):
    area_page = client.get("/areas/court-healthcare/").content.decode()
    assert 'href="/areas/court-healthcare/workforce/"' in area_page
    assert 'href="/pathways/skill-mix/?area=court-healthcare"' in area_page
    overview = client.get("/").content.decode()
    assert 'href="/pathways/skill-mix/"' in overview
    assert 'href="/areas/court-healthcare/workforce/"' in overview
