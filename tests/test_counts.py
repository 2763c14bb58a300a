"""Every count a page shows matches the database, counted here with plain SQL rather than
the queries the views use (the overview once said "(1 competence)" for every section)."""

import re

import pytest

from competences.models import Competence, Standard
from roles.models import Area, Level
from tests.helpers import sql

pytestmark = pytest.mark.django_db


# A role linked from a table cell, whatever else the cell holds before the link.
ROLE_IN_TABLE = r'<td[^>]*>(?:(?!</td>).)*?<a href="/roles/([^/]+)/">'


def statements_per_section() -> dict[str, int]:
    """Statements beneath each top-level section, by section code."""
    return dict(
        sql(
            "SELECT s.code, COUNT(c.id) FROM competences_competence s "
            "LEFT JOIN competences_competence c ON c.tree_id = s.tree_id AND c.kind = 'statement' "
            "WHERE s.parent_id IS NULL GROUP BY s.code"
        )
    )


def statements_beneath(node_id: int) -> int:
    return sql(
        "SELECT COUNT(c.id) FROM competences_competence n JOIN competences_competence c "
        "ON c.tree_id = n.tree_id AND c.lft > n.lft AND c.rght < n.rght "
        "WHERE n.id = %s AND c.kind = 'statement'",
        node_id,
    )[0][0]


def text(html: str) -> str:
    """Page text with tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def shown_after_links(html: str, count_word: str) -> dict[str, int]:
    """{link address: number} for each link followed by "(N <count_word>...)"."""
    pattern = (
        r'<a [^>]*href="([^"]+)"[^>]*>(?:(?!</a>).)*</a>\s*(?:<span[^>]*>)?\s*\((\d+) ' + count_word
    )
    return {href: int(number) for href, number in re.findall(pattern, html, re.S)}


def test_overview_counts_match_the_database(client):
    html = client.get("/").content.decode()
    page = text(html)

    roles = sql("SELECT COUNT(*) FROM roles_roleprofile")[0][0]
    assert f"{roles} competence-based role profiles" in page

    expected_sections = statements_per_section()
    assert len(set(expected_sections.values())) > 1, "sections differ in size"
    shown = shown_after_links(html, "competence")
    for section in Competence.objects.filter(parent__isnull=True):
        assert shown[section.get_absolute_url()] == expected_sections[section.code], section.code

    standards = sql("SELECT COUNT(*) FROM competences_standard")[0][0]
    assert f"{standards} National Occupational Standards underpin them" in page

    per_area = dict(
        sql(
            "SELECT a.slug, COUNT(r.roleprofile_id) FROM roles_area a "
            "LEFT JOIN roles_roleprofile_areas r ON r.area_id = a.id GROUP BY a.slug"
        )
    )
    for area in Area.objects.all():
        card = re.search(
            re.escape(f'href="{area.get_absolute_url()}"') + r".*?(\d+) role profiles?", html, re.S
        )
        assert int(card.group(1)) == per_area[area.slug], area.slug

    per_level = dict(
        sql(
            "SELECT l.number, COUNT(r.id) FROM roles_level l "
            "LEFT JOIN roles_roleprofile r ON r.level_id = l.id GROUP BY l.number"
        )
    )
    shown_levels = [level for level in Level.objects.all() if level.get_absolute_url() in html]
    assert len(shown_levels) >= 7
    for level in shown_levels:
        rung = re.search(
            re.escape(f'href="{level.get_absolute_url()}"') + r".*?(\d+) roles?\b", html, re.S
        )
        assert int(rung.group(1)) == per_level[level.number], level.number


def test_section_list_counts_match_the_database(client):
    html = client.get("/competences/").content.decode()
    expected = statements_per_section()
    for section in Competence.objects.filter(parent__isnull=True):
        card = re.search(
            re.escape(f'href="{section.get_absolute_url()}"') + r".*?(\d+) competences?", html, re.S
        )
        assert int(card.group(1)) == expected[section.code], section.code


def test_section_page_counts_its_parts_and_each_roles_needs(client):
    for section in Competence.objects.filter(parent__isnull=True):
        html = client.get(section.get_absolute_url()).content.decode()
        parts = Competence.objects.filter(parent=section).exclude(kind="statement")
        shown = shown_after_links(html, "competence")
        for part in parts:
            assert shown[part.get_absolute_url()] == statements_beneath(part.pk), part.code

        needs = dict(
            sql(
                "SELECT r.slug, COUNT(*) FROM roles_rolecompetence rc "
                "JOIN roles_roleprofile r ON r.id = rc.role_id "
                "JOIN competences_competence c ON c.id = rc.competence_id "
                "WHERE c.tree_id = %s GROUP BY r.slug",
                section.tree_id,
            )
        )
        rows = re.findall(
            r'<a href="/roles/([^/]+)/">[^<]*</a></td>\s*<td[^>]*>\d+</td>\s*<td[^>]*>(\d+)</td>',
            html,
        )
        assert {slug: int(n) for slug, n in rows} == needs, section.code


def test_area_and_level_pages_list_every_role_once(client):
    for area in Area.objects.all():
        html = client.get(area.get_absolute_url()).content.decode()
        listed = re.findall(ROLE_IN_TABLE, html, re.S)
        expected = [
            slug
            for (slug,) in sql(
                "SELECT r.slug FROM roles_roleprofile r JOIN roles_roleprofile_areas ra "
                "ON ra.roleprofile_id = r.id JOIN roles_area a ON a.id = ra.area_id "
                "WHERE a.slug = %s",
                area.slug,
            )
        ]
        assert sorted(listed) == sorted(expected), area.slug
    for level in Level.objects.all():
        html = client.get(level.get_absolute_url()).content.decode()
        listed = re.findall(ROLE_IN_TABLE, html, re.S)
        expected = [
            slug
            for (slug,) in sql(
                "SELECT r.slug FROM roles_roleprofile r JOIN roles_level l ON l.id = r.level_id "
                "WHERE l.number = %s",
                level.number,
            )
        ]
        assert sorted(listed) == sorted(expected), level.number


def test_standard_page_lists_every_competence_and_role_that_uses_it(client):
    for standard in Standard.objects.all():
        html = client.get(standard.get_absolute_url()).content.decode()
        main = html[html.index("<main") :]
        competences = {
            code
            for (code,) in sql(
                "SELECT c.code FROM competences_competence c "
                "JOIN competences_competence_standards cs ON cs.competence_id = c.id "
                "WHERE cs.standard_id = %s",
                standard.pk,
            )
        }
        linked = set(re.findall(r'<a href="/competences/([^/]+)/"><span class="app-code">', main))
        assert linked == competences, standard.code
        roles = {
            slug
            for (slug,) in sql(
                "SELECT DISTINCT r.slug FROM roles_roleprofile r "
                "JOIN roles_rolecompetence rc ON rc.role_id = r.id "
                "JOIN competences_competence_standards cs ON cs.competence_id = rc.competence_id "
                "WHERE cs.standard_id = %s",
                standard.pk,
            )
        }
        assert set(re.findall(r'<a href="/roles/([^/]+)/">', main)) == roles, standard.code
        summary = text(main)
        plural = "s" if len(competences) != 1 else ""
        assert f"{len(competences)} competence{plural}" in summary, standard.code
        if roles:
            plural = "s" if len(roles) != 1 else ""
            assert f"needed by {len(roles)} role profile{plural}" in summary, standard.code


def test_role_summary_counts_match_the_database(client):
    from roles.models import RoleProfile

    for role in RoleProfile.objects.all():
        total, essential, sections = sql(
            "SELECT COUNT(*), SUM(CASE WHEN rc.requirement = 'essential' THEN 1 ELSE 0 END), "
            "COUNT(DISTINCT c.tree_id) FROM roles_rolecompetence rc "
            "JOIN competences_competence c ON c.id = rc.competence_id WHERE rc.role_id = %s",
            role.pk,
        )[0]
        page = text(client.get(role.get_absolute_url()).content.decode())
        assert f"{total} competences in {sections} sections" in page, role.slug
        assert f"{essential} essential, {total - essential} desirable" in page, role.slug
        # Each section appears once as an expander, not again in a second table.
        assert page.count("competences, ") + page.count("competence, ") == sections, role.slug
