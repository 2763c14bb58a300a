"""The skill-mix planner: a mix of roles and whole-time equivalents (WTE) in the address,
checked against the area's competences, with a Word annex and an Excel workbook."""

import io
from collections import defaultdict
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

import docx
import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html

from competences.models import Competence
from roles.models import RoleProfile
from tests.factories import grow_framework
from tests.helpers import sql
from workforce.documents import longest_word_cm
from workforce.skill_mix import LIST_MOST, POSTS_NAMED, whole_percentages
from workforce.skill_mix_choice import MIX_MOST, OTHERS_PER_PAGE

pytestmark = pytest.mark.django_db

LABELS = {1: "Awareness", 2: "Working", 3: "Proficient", 4: "Expert"}
COURT = "court-healthcare"


def area_requirements(area: str) -> list[tuple[str, str, int]]:
    """(role slug, competence code, proficiency) for every role in the area."""
    return sql(
        """
        SELECT r.slug, c.code, rc.proficiency
        FROM roles_rolecompetence rc
        JOIN roles_roleprofile r ON r.id = rc.role_id
        JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id
        JOIN roles_area a ON a.id = ra.area_id
        JOIN competences_competence c ON c.id = rc.competence_id
        WHERE a.slug = %s
        """,
        area,
    )


def area_roles(area: str) -> dict[str, int]:
    """{role slug: level number} for the area."""
    return dict(
        sql(
            "SELECT r.slug, l.number FROM roles_roleprofile r "
            "JOIN roles_level l ON l.id = r.level_id "
            "JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id "
            "JOIN roles_area a ON a.id = ra.area_id WHERE a.slug = %s",
            area,
        )
    )


def expected_plan(area: str, mix: dict[str, Decimal]):
    """Set arithmetic over the requirement rows: covered {code: deepest}, uncovered and
    single-post codes."""
    needs = defaultdict(dict)
    for role, code, proficiency in area_requirements(area):
        needs[code][role] = proficiency
    everything = set(needs)
    chosen = {role for role, wte in mix.items() if wte > 0}
    covered = {
        code: max(depth for role, depth in roles.items() if role in chosen)
        for code, roles in needs.items()
        if chosen & set(roles)
    }
    single = {
        code
        for code, roles in needs.items()
        if len(chosen & set(roles)) == 1 and mix[(chosen & set(roles)).pop()] <= 1
    }
    return covered, everything - set(covered), single


def default_mix(area: str) -> dict[str, Decimal]:
    return {
        slug: Decimal("0.5") if level >= 7 else Decimal(1)
        for slug, level in area_roles(area).items()
    }


def address(area: str, mix: dict[str, Decimal] | None, path: str = "") -> str:
    params = [("area", area)]
    if mix is not None:
        params += [(f"wte-{slug}", str(wte)) for slug, wte in mix.items()]
    return f"/pathways/skill-mix/{path}?{urlencode(params)}"


def codes_in(tree, table_id: str) -> list[str]:
    return [
        " ".join(span.text_content().split())
        for span in tree.xpath(f"//table[@id='{table_id}']//span[@class='app-code']")
    ]


def mixes():
    """Several mixes over two areas: the default, an empty one, one with a zero and a
    larger post, and a lone senior post."""
    court = area_roles(COURT)
    slugs = sorted(court, key=court.get)
    lnd = area_roles("liaison-and-diversion")
    lnd_slugs = sorted(lnd, key=lnd.get)
    return [
        (COURT, None),
        (COURT, dict.fromkeys(slugs, Decimal(0))),
        (
            COURT,
            {slugs[0]: Decimal("2.5"), slugs[1]: Decimal(0), slugs[2]: Decimal(1)}
            | dict.fromkeys(slugs[3:], Decimal(0)),
        ),
        (COURT, {slug: Decimal("1.5") if slug == slugs[-1] else Decimal(0) for slug in slugs}),
        (
            "liaison-and-diversion",
            {slug: Decimal("0.5") for slug in lnd_slugs[::2]}
            | {slug: Decimal(0) for slug in lnd_slugs[1::2]},
        ),
    ]


@pytest.mark.parametrize("case", range(5))
def test_covered_uncovered_and_single_post_sets_follow_the_database(client, case):
    area, mix = mixes()[case]
    response = client.get(address(area, mix) + "&show=covered")
    assert response.status_code == 200
    full_mix = default_mix(area) if mix is None else mix
    covered, uncovered, single = expected_plan(area, full_mix)
    tree = html.fromstring(response.content)
    assert sorted(codes_in(tree, "uncovered-table")) == sorted(uncovered)
    assert sorted(codes_in(tree, "single-post-table")) == sorted(single)
    shown_covered = codes_in(tree, "covered-table")
    assert sorted(shown_covered) == sorted(covered)
    depths = [
        " ".join(cell.text_content().split())
        for cell in tree.xpath("//table[@id='covered-table']/tbody/tr/td[3]")
    ]
    for code, depth in zip(shown_covered, depths, strict=True):
        assert depth.endswith(LABELS[covered[code]]), code
    # Each row names its competence's section, found here from the tree itself.
    for table_id in ("uncovered-table", "single-post-table", "covered-table"):
        sections = [
            " ".join(cell.text_content().split())
            for cell in tree.xpath(f"//table[@id='{table_id}']/tbody/tr/td[1]")
        ]
        for code, section in zip(codes_in(tree, table_id), sections, strict=True):
            assert section == "Section " + Competence.objects.get(code=code).get_root().title
    page = response.content.decode()
    assert f"The mix covers {len(covered)} of them and leaves {len(uncovered)} uncovered." in page


def test_the_level_table_sums_wte_by_level(client):
    area, mix = mixes()[2]
    tree = html.fromstring(client.get(address(area, mix)).content)
    rows = tree.xpath("//table[contains(@class, 'app-level-mix')]/tbody/tr")
    shown = {
        int(row.xpath("./th")[0].text_content().split(":")[0]): Decimal(
            row.xpath("./td")[0].text_content().strip()
        )
        for row in rows
    }
    levels = area_roles(area)
    expected = defaultdict(Decimal)
    for slug, wte in mix.items():
        if wte:
            expected[levels[slug]] += wte
    # Only the levels the mix has posts at.
    assert shown == dict(expected)
    assert len(shown) < len(set(levels.values()))
    chart = tree.xpath("//svg[contains(@class, 'app-bar-chart')]")[0]
    assert chart.get("role") == "img"
    assert chart.xpath("./title")[0].text == "Whole-time equivalents at each level"
    bars = [text.text for text in chart.xpath("./text")]
    for level, wte in expected.items():
        assert f"Level {level}" in bars
        assert format(wte.normalize(), "f") in bars


@pytest.mark.parametrize("levels", [7, 6])
def test_level_shares_add_up_to_100_percent_on_the_page_and_in_the_downloads(client, levels):
    # One WTE at each of 7 levels is 14.29% a level: rounded alone, 98% in all; at each
    # of 6 levels, 16.67% a level: 102% in all.
    area = "liaison-and-diversion"
    roles = area_roles(area)
    lowest = {}
    for slug, level in sorted(roles.items(), key=lambda item: (item[1], item[0])):
        lowest.setdefault(level, slug)
    chosen = [lowest[level] for level in sorted(lowest)[:levels]]
    assert len(chosen) == levels
    mix = {slug: Decimal(1) if slug in chosen else Decimal(0) for slug in roles}
    assert levels * round(100 / levels) != 100
    # The largest remainders get the points left over, the lower level first on a tie.
    expected = [100 // levels + (1 if at < 100 % levels else 0) for at in range(levels)]

    tree = html.fromstring(client.get(address(area, mix)).content)
    rows = tree.xpath("//table[contains(@class, 'app-level-mix')]/tbody/tr")
    shown = [row.xpath("./td")[1].text_content().strip() for row in rows]
    assert shown == [f"{percent}%" for percent in expected]

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(address(area, mix, "skill-mix.xlsx")).content)
    )
    sheet = list(book["Level mix"].iter_rows(values_only=True))
    assert [row[sheet[0].index("Share of the mix (%)")] for row in sheet[1:]] == expected

    document = docx.Document(io.BytesIO(client.get(address(area, mix, "annex.docx")).content))
    level_table = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert [row[-1] for row in level_table[1:]] == [f"{percent}%" for percent in expected]


def test_shares_of_a_mix_with_no_wte_are_all_0():
    assert whole_percentages([Decimal(0), Decimal(0)]) == [0, 0]
    assert whole_percentages([Decimal("0.5"), Decimal(0), Decimal("1.5")]) == [25, 0, 75]
    assert whole_percentages([Decimal(1)] * 3) == [34, 33, 33]


def test_the_default_mix_is_one_wte_below_level_7_and_a_half_above(client):
    response = client.get(address(COURT, None))
    tree = html.fromstring(response.content)
    for slug, wte in default_mix(COURT).items():
        assert tree.get_element_by_id(f"wte-{slug}").get("value") == format(wte.normalize(), "f")
    assert "1 WTE of each role at levels 2 to 6, and 0.5 WTE" in response.content.decode()


def test_the_annex_holds_the_mix_the_level_table_and_the_uncovered_competences(client):
    area, mix = mixes()[2]
    response = client.get(address(area, mix, "annex.docx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Workforce annex: Healthcare in Criminal Court Settings" in text
    titles = dict(sql("SELECT slug, title FROM roles_roleprofile"))
    mix_table = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert mix_table[0] == ["Role", "Level", "Whole-time equivalents"]
    chosen = {titles[slug]: format(wte.normalize(), "f") for slug, wte in mix.items() if wte > 0}
    assert {row[0]: row[2] for row in mix_table[1:-1]} == chosen
    assert mix_table[-1][0] == "Total"
    level_table = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert level_table[0][0] == "Career framework level"
    _covered, uncovered, _single = expected_plan(area, mix)
    assert uncovered
    uncovered_table = [[cell.text for cell in row.cells] for row in document.tables[2].rows]
    assert uncovered_table[0] == ["Section", "Code", "Competence"]
    assert sorted(row[1] for row in uncovered_table[1:]) == sorted(uncovered)
    assert f"Source: {settings.PUBLIC_URL}/pathways/skill-mix/?area=court-healthcare" in text


def test_no_heading_in_the_annex_breaks_in_the_middle_of_a_word(client):
    area, mix = mixes()[2]
    document = docx.Document(io.BytesIO(client.get(address(area, mix, "annex.docx")).content))
    assert len(document.tables) == 5, "every table the annex can hold"
    too_narrow = {}
    for table in document.tables:
        for column, cell in zip(table.columns, table.rows[0].cells, strict=True):
            # LibreOffice reads the table's grid, Word each cell's own width: both count.
            width = min(column.width, cell.width).cm
            if width < longest_word_cm(cell.text):
                too_narrow[cell.text] = (round(width, 2), round(longest_word_cm(cell.text), 2))
    assert too_narrow == {}


def test_the_workbook_has_the_mix_levels_and_coverage_with_frozen_headers(client):
    area, mix = mixes()[3]
    response = client.get(address(area, mix, "skill-mix.xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["About", "Skill mix", "Level mix", "Coverage"]
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)
    covered, uncovered, single = expected_plan(area, mix)
    rows = list(book["Coverage"].iter_rows(values_only=True))
    header = rows[0]
    status = {row[1]: row[header.index("Coverage")] for row in rows[1:]}
    assert {code for code, value in status.items() if value == "Not covered"} == uncovered
    assert {code for code, value in status.items() if value == "Single post only"} == single
    numbers = {row[1]: row[header.index("Deepest proficiency (number)")] for row in rows[1:]}
    labels = {row[1]: row[header.index("Deepest proficiency")] for row in rows[1:]}
    for code, deepest in covered.items():
        assert numbers[code] == deepest and labels[code] == LABELS[deepest]
    wte = {row[0]: row[3] for row in list(book["Skill mix"].iter_rows(values_only=True))[1:]}
    titles = dict(sql("SELECT slug, title FROM roles_roleprofile"))
    # The sheet holds the mix: the roles with some WTE.
    assert wte == {titles[slug]: float(value) for slug, value in mix.items() if value}


def test_a_role_title_written_as_a_formula_comes_out_of_the_workbook_as_text(client):
    role = RoleProfile.objects.filter(areas__slug=COURT).first()
    role.title = "=1+2"
    role.save()
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(address(COURT, None, "skill-mix.xlsx")).content)
    )
    titles = [row[0] for row in book["Skill mix"].iter_rows(values_only=True)]
    assert "'=1+2" in titles and "=1+2" not in titles


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "must be a number"),
        ("-1", "must be 0 or more"),
        ("1000", "must be 99.9 or less"),
        ("0.25", "one decimal place"),
        ("NaN", "must be a number"),
    ],
)
def test_a_bad_wte_is_explained_and_kept_in_the_form(client, value, message):
    slug = next(iter(area_roles(COURT)))
    response = client.get(address(COURT, {slug: value}))
    assert response.status_code == 400
    tree = html.fromstring(response.content)
    summary = tree.xpath("//div[contains(@class, 'nhsuk-error-summary')]")[0]
    assert message in summary.text_content()
    assert summary.xpath(".//a")[0].get("href") == f"#wte-{slug}"
    field = tree.get_element_by_id(f"wte-{slug}")
    assert field.get("value") == value.replace("\x00", "")
    assert "nhsuk-input--error" in field.get("class")
    # No plan and no downloads for a mix that could not be read.
    assert not tree.xpath("//*[@id='results']")
    for path in ["annex.docx", "skill-mix.xlsx"]:
        assert client.get(address(COURT, {slug: value}, path)).status_code == 404


def test_an_unknown_area_or_role_is_explained(client):
    response = client.get("/pathways/skill-mix/?area=nowhere")
    assert response.status_code == 400
    assert "There is no service area called “nowhere”" in response.content.decode()
    response = client.get(address(COURT, {"no-such-role": Decimal(1)}))
    assert response.status_code == 400
    assert "There is no role “no-such-role” in this service" in response.content.decode()
    # A NUL is removed before the page reads the address: no area chosen yet.
    response = client.get("/pathways/skill-mix/?area=%00")
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()


def test_the_planner_stores_nothing_and_keeps_the_mix_out_of_caches(client):
    area, mix = mixes()[2]
    with CaptureQueriesContext(connection) as queries:
        for path in ["", "annex.docx", "skill-mix.xlsx"]:
            response = client.get(address(area, mix, path))
            assert response.status_code == 200
            assert "no-store" in response["Cache-Control"]
            assert response["Referrer-Policy"] == "no-referrer"
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_the_planner_starts_by_asking_for_a_service(client):
    response = client.get("/pathways/skill-mix/")
    assert response.status_code == 200
    tree = html.fromstring(response.content)
    options = [option.get("value") for option in tree.xpath("//select[@name='area']/option")]
    assert COURT in options
    assert not tree.xpath("//*[@id='results']")


def test_a_large_service_lists_a_bounded_number_and_the_workbook_holds_every_one(client):
    """Once a service needs more competences than a list shows, the page lists the first
    ones in framework order, says how many there are in all, and the workbook has them."""
    seed_roles = set(area_roles(COURT))
    grow_framework(factor=3)
    in_framework_order = [
        code for (code,) in sql("SELECT code FROM competences_competence ORDER BY tree_id, lft")
    ]
    # Every role at its default, then only the published roles (the grown ones left out).
    everyone = default_mix(COURT)
    published = {slug: wte if slug in seed_roles else Decimal(0) for slug, wte in everyone.items()}
    covered = expected_plan(COURT, everyone)[0]
    uncovered = expected_plan(COURT, published)[1]
    for mix, table_id, expected in [
        (everyone, "covered-table", covered),
        (published, "uncovered-table", uncovered),
    ]:
        assert len(expected) > LIST_MOST
        response = client.get(address(COURT, mix) + "&show=covered")
        assert response.status_code == 200
        tree = html.fromstring(response.content)
        shown = codes_in(tree, table_id)
        assert shown == [code for code in in_framework_order if code in expected][:LIST_MOST]
        page = " ".join(tree.text_content().split())
        assert f"The table lists the first {LIST_MOST} of {len(expected)}, in framework order." in (
            page
        )
        if mix is everyone:
            # The summary names the first roles of the mix and counts the rest.
            summary = " ".join(
                tree.xpath("//ul[contains(@class, 'app-mix-summary')]/li")[0].text_content().split()
            )
            chosen = [slug for slug, wte in mix.items() if wte > 0]
            assert summary.startswith(f"{len(chosen)} roles,")
            assert summary.count("; ") == POSTS_NAMED
            assert summary.endswith(f"; and {len(chosen) - POSTS_NAMED} more roles.")
        workbook = tree.xpath("//p[@class='app-list-more']/a/@href")
        assert len(workbook) == 1 and workbook[0].startswith("/pathways/skill-mix/skill-mix.xlsx?")
        in_mix = {slug: wte for slug, wte in mix.items() if wte}
        assert sorted(parse_qsl(urlsplit(workbook[0]).query)) == sorted(
            parse_qsl(urlsplit(address(COURT, in_mix)).query)
        )
        book = openpyxl.load_workbook(io.BytesIO(client.get(workbook[0]).content))
        header, *rows = book["Coverage"].iter_rows(values_only=True)
        status = {row[1]: row[header.index("Coverage")] for row in rows}
        not_covered = {code for code, value in status.items() if value == "Not covered"}
        if table_id == "covered-table":
            assert set(status) - not_covered == set(expected)
        else:
            assert not_covered == set(expected)


def test_covered_competences_are_counted_by_depth_and_listed_on_request(client):
    area, mix = mixes()[2]
    covered, _uncovered, _single = expected_plan(area, mix)
    tree = html.fromstring(client.get(address(area, mix)).content)
    assert not tree.xpath("//table[@id='covered-table']"), "counted, not listed"
    counts = [
        " ".join(item.text_content().split())
        for item in tree.xpath("//h3[@id='covered']/following-sibling::ul[1]/li")
    ]
    by_depth = {
        label: sum(1 for depth in covered.values() if LABELS[depth] == label)
        for label in LABELS.values()
    }
    assert counts == [
        f"Deepest at {label}: {by_depth[label]}" for label in reversed(LABELS.values())
    ]
    link = tree.xpath("//a[starts-with(normalize-space(), 'List the')]")[0]
    assert normalize(link.text_content()) == (
        f"List the {len(covered)} covered competences, their depth and the roles that need each"
    )
    listed = html.fromstring(client.get(link.get("href")).content)
    assert sorted(codes_in(listed, "covered-table")) == sorted(covered)
    # Updating the mix from the list keeps it open; hiding it goes back to the counts.
    form = listed.xpath("//form[.//input[@name='area' and @type='hidden']]")[0]
    assert form.xpath(".//input[@name='show']/@value") == ["covered"]
    hide = listed.xpath("//a[normalize-space()='Hide the list of covered competences']")[0]
    assert not html.fromstring(client.get(hide.get("href")).content).xpath(
        "//table[@id='covered-table']"
    )


def normalize(text: str) -> str:
    return " ".join(text.split())


def test_the_starting_mix_keeps_its_short_address_when_listing_what_it_covers(client):
    tree = html.fromstring(client.get(address(COURT, None)).content)
    link = tree.xpath("//a[starts-with(normalize-space(), 'List the')]")[0]
    assert link.get("href") == f"/pathways/skill-mix/?area={COURT}&show=covered#covered"
    listed = html.fromstring(client.get(link.get("href")).content)
    covered = expected_plan(COURT, default_mix(COURT))[0]
    assert sorted(codes_in(listed, "covered-table")) == sorted(covered)


def form_mix(tree) -> dict[str, str]:
    """{role slug: value} for every WTE input in the planner's form."""
    return {
        field.get("name")[len("wte-") :]: field.get("value")
        for field in tree.xpath("//form//input[starts-with(@name, 'wte-')]")
    }


def add_buttons(tree) -> dict[str, str]:
    """{role slug: the button's whole accessible text} for each Add button."""
    return {
        button.get("value"): normalize(button.text_content())
        for button in tree.xpath("//form//button[@name='add']")
    }


def test_a_role_set_to_0_leaves_the_form_and_can_be_added_back(client):
    levels = area_roles(COURT)
    slugs = sorted(levels, key=levels.get)
    titles = dict(sql("SELECT slug, title FROM roles_roleprofile"))
    typed = {slugs[0]: Decimal("2.5"), slugs[1]: Decimal(0)} | dict.fromkeys(slugs[2:], 1)
    tree = html.fromstring(client.get(address(COURT, typed)).content)
    assert set(form_mix(tree)) == set(slugs) - {slugs[1]}
    assert add_buttons(tree) == {slugs[1]: f"Add {titles[slugs[1]]}"}
    button = tree.xpath("//button[@name='add']")[0]
    assert button.get("formaction") == f"/pathways/skill-mix/#wte-{slugs[1]}"
    # The button sends what is typed in the form along with the role to add.
    response = client.get(address(COURT, typed) + f"&add={slugs[1]}")
    assert response.status_code == 200
    tree = html.fromstring(response.content)
    starting = default_mix(COURT)[slugs[1]]
    assert form_mix(tree) == {
        slug: format(Decimal(wte).normalize(), "f")
        for slug, wte in (typed | {slugs[1]: starting}).items()
    }
    assert add_buttons(tree) == {}
    # The download links carry the mix with the added role.
    annex = tree.xpath("//a[contains(@href, 'annex.docx')]/@href")[0]
    assert dict(parse_qsl(urlsplit(annex).query))[f"wte-{slugs[1]}"] == format(starting, "f")
    # Adding a role already in the mix, or one the service lacks, says so or does nothing.
    again = client.get(address(COURT, typed) + f"&add={slugs[0]}")
    assert form_mix(html.fromstring(again.content))[slugs[0]] == "2.5"
    missing = client.get(address(COURT, typed) + "&add=nobody")
    assert missing.status_code == 400
    assert "There is no role “nobody” in this service to add" in missing.content.decode()


def test_an_empty_mix_stays_empty_and_can_start_again_from_one_role(client):
    zero = dict.fromkeys(area_roles(COURT), Decimal(0))
    tree = html.fromstring(client.get(address(COURT, zero)).content)
    assert form_mix(tree) == {}
    assert tree.xpath("//form//input[@name='mix']/@value") == ["none"]
    assert "The mix has no posts" in tree.text_content()
    assert set(add_buttons(tree)) == set(zero)
    # Its own address and its downloads keep it empty: not the starting mix.
    workbook = tree.xpath("//a[contains(@href, 'skill-mix.xlsx')]/@href")[0]
    assert parse_qsl(urlsplit(workbook).query) == [("area", COURT), ("mix", "none")]
    book = openpyxl.load_workbook(io.BytesIO(client.get(workbook).content))
    assert len(list(book["Skill mix"].iter_rows(values_only=True))) == 1  # the header only
    empty = html.fromstring(client.get(f"/pathways/skill-mix/?area={COURT}&mix=none").content)
    assert form_mix(empty) == {}
    # Adding from the empty mix gives a mix of that one role.
    slug = next(iter(zero))
    one = html.fromstring(
        client.get(f"/pathways/skill-mix/?area={COURT}&mix=none&add={slug}").content
    )
    assert list(form_mix(one)) == [slug]


def test_a_service_with_more_roles_than_a_mix_holds_keeps_the_form_bounded(client):
    grow_framework(factor=10)
    levels = area_roles(COURT)
    assert len(levels) > MIX_MOST
    ordered = [
        slug
        for (slug,) in sql(
            "SELECT r.slug FROM roles_roleprofile r JOIN roles_level l ON l.id = r.level_id "
            "JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id "
            "JOIN roles_area a ON a.id = ra.area_id WHERE a.slug = %s "
            "ORDER BY l.number, r.title",
            COURT,
        )
    ]
    response = client.get(address(COURT, None))
    tree = html.fromstring(response.content)
    starting = form_mix(tree)
    assert len(starting) == MIX_MOST
    # Every level of the service is in the starting mix, at its starting WTE.
    assert {levels[slug] for slug in starting} == set(levels.values())
    assert all(value == ("0.5" if levels[slug] >= 7 else "1") for slug, value in starting.items())
    others = [slug for slug in ordered if slug not in starting]
    text = normalize(tree.text_content())
    assert f"The service’s {len(others)} other roles are listed below." in text
    # The starting mix is full: the other roles are listed, a page at a time, with no
    # Add buttons until a role is taken out.
    assert f"The mix holds {MIX_MOST} roles, as many as it can." in text
    assert add_buttons(tree) == {}
    listed = tree.xpath("//table[contains(@class, 'app-add-roles')]/tbody/tr/td[1]")
    titles = dict(sql("SELECT slug, title FROM roles_roleprofile"))
    assert [cell.text_content() for cell in listed] == [
        titles[slug] for slug in others[:OTHERS_PER_PAGE]
    ]
    full = {slug: Decimal(value) for slug, value in starting.items()}
    over = client.get(address(COURT, full) + f"&add={others[0]}")
    assert over.status_code == 400
    assert f"A mix can hold at most {MIX_MOST} roles, and this one has {MIX_MOST + 1}." in (
        normalize(over.content.decode())
    )
    # With one role taken out, the others can be added; the form's "More roles" button
    # sends the next page of them.
    out = next(iter(starting))
    mix = full | {out: Decimal(0)}
    tree = html.fromstring(client.get(address(COURT, mix)).content)
    others = [slug for slug in ordered if slug not in starting or slug == out]
    assert f"The service has {len(others)} roles that are not in the mix." in normalize(
        tree.text_content()
    )
    assert list(add_buttons(tree)) == others[:OTHERS_PER_PAGE]
    more = tree.xpath("//button[@name='others']")
    assert [button.text_content() for button in more] == ["More roles"]
    second = html.fromstring(
        client.get(address(COURT, mix) + f"&others={more[0].get('value')}").content
    )
    assert list(add_buttons(second)) == others[OTHERS_PER_PAGE : 2 * OTHERS_PER_PAGE]
    assert "Previous roles" in second.text_content()
    # However many roles the service has, the form holds at most a mix and a page of
    # roles to add.
    assert len(tree.xpath("//form//input | //form//button")) <= MIX_MOST + OTHERS_PER_PAGE + 6
