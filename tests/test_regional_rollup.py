"""Providers' summaries and the regional roll-up: the team page's anonymous summary for
the commissioner, checked against its published schema, and the page that adds many
summaries up, with small numbers hidden by each provider and again for the region.

The summaries are made the way a provider makes them: real gap files from the
self-assessment, posted to the team page with "Download a summary for your
commissioner". Every expected figure is worked out here, with plain loops over those
gap files and plain SQL over the framework, never with the code under test: first each
provider's counts with the small ones hidden, then the region's sums of what the
providers' files give."""

import copy
import csv
import io
import json
import logging
from collections import Counter, defaultdict
from typing import NamedTuple

import jsonschema
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from core.provenance import untranslated_status_statement
from pathways.development_record import DevelopmentRecord, RecordItem, record_json
from tests.helpers import sql

pytestmark = pytest.mark.django_db

TEAM = "/pathways/team/"
URL = "/pathways/team/region/"
NOT_SHOWN = "not shown"

# The roles the plan's people hold: two services, two levels in each.
ROLES = {
    "A": "liaison-and-diversion-practitioner",  # level 5, Liaison and Diversion
    "B": "liaison-and-diversion-support-time-and-recovery-worker",  # level 3
    "C": "court-healthcare-practitioner",  # level 5, court healthcare
    "D": "court-healthcare-support-worker",  # level 3
}


class Provider(NamedTuple):
    """One provider team: the service chosen ("" to let the site work it out), the
    region chosen ("" for not given), and each person's role and gaps, the gaps as
    places in the list of competences every plan role needs."""

    service: str
    region: str
    people: list[tuple[str, set[int]]]


LD, COURTS = "liaison-and-diversion", "court-healthcare"
# Twelve providers. Between them: counts shown and hidden at both levels, teams of 1
# and 2 people, a team with no gaps at all, teams of one level and of mixed levels (so
# some learning numbers are given and some are not), several regions and none.
PLAN = [
    Provider(
        "", "london", [("A", {0, 1, 2}), ("A", {0, 1}), ("A", {0}), ("B", {0, 3}), ("B", set())]
    ),
    Provider(LD, "london", [("A", {0, 1}), ("A", {0, 1}), ("A", {1, 2}), ("B", {1})]),
    Provider(COURTS, "london", [("C", {0, 4}), ("C", {0, 4}), ("D", {0, 4, 5})]),
    Provider("", "london", [("A", {5}), ("A", {5})]),
    Provider("", "south-east", [("B", {0, 1, 2}), ("B", {0, 1, 2}), ("B", {0, 1, 2}), ("B", {3})]),
    Provider(
        "",
        "south-east",
        [("D", {2}), ("D", {2}), ("C", {2}), ("C", {3}), ("C", {3}), ("C", {3})],
    ),
    Provider(LD, "", [("A", {0}), ("A", {0}), ("A", {0}), ("A", {0}), ("A", set())]),
    Provider(LD, "north-west", [("A", set()), ("A", set()), ("A", set())]),
    Provider("", "london", [("B", {4}), ("B", {4}), ("A", {4}), ("A", {4})]),
    Provider(COURTS, "london", [("D", {1})]),
    Provider("", "south-west", [("A", {1, 3}), ("A", {1, 3}), ("A", {1, 3}), ("A", {3})]),
    Provider("", "london", [("A", {0, 1}), ("B", {0, 1}), ("A", {0}), ("B", {1})]),
]
SMALL_TEAMS = [3, 9]  # teams of 2 and 1 people: every count in their files is hidden


def role_codes(slug: str) -> list[str]:
    return [
        code
        for (code,) in sql(
            "SELECT c.code FROM roles_rolecompetence rc "
            "JOIN competences_competence c ON c.id = rc.competence_id "
            "JOIN roles_roleprofile r ON r.id = rc.role_id WHERE r.slug = %s ORDER BY c.code",
            slug,
        )
    ]


def gap_file(client, slug: str, gaps: set[str]) -> bytes:
    """The real gap CSV of someone in role ``slug`` with ``gaps``, confident in the rest."""
    query = {f"c-{code}": "not-yet" if code in gaps else "confident" for code in role_codes(slug)}
    response = client.get(
        reverse("pathways:self-assessment-result", args=[slug]), {**query, "format": "csv"}
    )
    assert response.status_code == 200
    return response.content


def uploads(files: list[bytes], names=None, kind="application/json") -> list[SimpleUploadedFile]:
    names = names or [f"summary-{number}.json" for number in range(len(files))]
    return [
        SimpleUploadedFile(name, data, content_type=kind)
        for name, data in zip(names, files, strict=True)
    ]


def make_summary(client, gap_files: list[bytes], *, service="", region="", **fields):
    return client.post(
        TEAM,
        {
            "files": uploads(gap_files, [f"gaps-{n}.csv" for n in range(len(gap_files))]),
            "format": "json",
            "service": service,
            "region": region,
            **fields,
        },
    )


@pytest.fixture(scope="module")
def shared_codes(django_db_setup, django_db_blocker) -> list[str]:
    """The first six competences every plan role needs, in code order."""
    with django_db_blocker.unblock():
        common = set.intersection(*(set(role_codes(slug)) for slug in ROLES.values()))
    assert len(common) >= 6
    return sorted(common)[:6]


@pytest.fixture(scope="module")
def providers(shared_codes, django_db_setup, django_db_blocker) -> list[dict]:
    """Each plan provider's gap files and the summary the team page made from them.

    Built once for the module: the tests only upload them, and the seed content they
    come from does not change."""
    client = Client()
    made = {}
    built = []
    with django_db_blocker.unblock():
        for number, provider in enumerate(PLAN):
            files = []
            for role, places in provider.people:
                key = (role, frozenset(places))
                if key not in made:
                    gaps = {shared_codes[place] for place in places}
                    made[key] = gap_file(client, ROLES[role], gaps)
                files.append(made[key])
            response = make_summary(client, files, service=provider.service, region=provider.region)
            assert response.status_code == 200, (number, response.content[:500])
            assert response["Content-Type"] == "application/json"
            built.append({"gap_files": files, "summary": response.content})
    return built


# --- What the test expects, worked out from the gap files ----------------------------


def people_in(gap_files: list[bytes]) -> list[tuple[str, set[str]]]:
    """(role slug or "", codes) for each person, read straight from the CSV text."""
    people = []
    for content in gap_files:
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        people.append((rows[0]["role"] if rows else "", {row["code"] for row in rows}))
    return people


@pytest.fixture(scope="module")
def framework(django_db_setup, django_db_blocker) -> dict:
    """Levels, services, learning links, sections and the framework's order, by SQL."""
    with django_db_blocker.unblock():
        levels = dict(
            sql(
                "SELECT r.slug, l.number FROM roles_roleprofile r "
                "JOIN roles_level l ON l.id = r.level_id"
            )
        )
        links = sql(
            "SELECT l.title, c.code, l.suits_from, l.suits_to "
            "FROM competences_learningopportunity l "
            "JOIN competences_learningopportunity_competences lc "
            "ON lc.learningopportunity_id = l.id "
            "JOIN competences_competence c ON c.id = lc.competence_id"
        )
        competences = sql(
            "SELECT c.code, c.title, s.title, c.tree_id, c.lft FROM competences_competence c "
            "JOIN competences_competence s ON s.tree_id = c.tree_id AND s.parent_id IS NULL"
        )
        version = sql("SELECT number FROM core_frameworkversion")[0][0]
        services = dict(sql("SELECT slug, name FROM roles_area"))
    learning = defaultdict(lambda: {"codes": set()})
    for title, code, low, high in links:
        learning[title]["codes"].add(code)
        learning[title]["range"] = (low, high)
    return {
        "levels": levels,
        "learning": dict(learning),
        "section": {code: section for code, _title, section, _tree, _lft in competences},
        "title": {code: title for code, title, _section, _tree, _lft in competences},
        "place": {code: (tree, lft) for code, _title, _section, tree, lft in competences},
        "version": version,
        "services": services,
    }


def hidden(count: int) -> int | None:
    return count if count >= 3 else None


def expected_summary(gap_files: list[bytes], framework) -> dict:
    """What a provider's file should say: {"people", "gaps": {code: n}, "learning":
    {title: n}}, each n None when hidden."""
    people = people_in(gap_files)
    counts = Counter(code for _role, codes in people for code in codes)
    learning = {}
    for title, item in framework["learning"].items():
        low, high = item["range"]
        parts = {}
        for code in item["codes"] & set(counts):
            part = sum(
                1
                for role, codes in people
                if code in codes and low <= framework["levels"][role] <= high
            )
            if part:
                parts[code] = part
        if not parts:
            continue
        given = all(part == counts[code] and counts[code] >= 3 for code, part in parts.items())
        learning[title] = sum(parts.values()) if given else None
    return {
        "people": hidden(len(people)),
        "gaps": {code: hidden(count) for code, count in counts.items()},
        "learning": learning,
    }


class Figure(NamedTuple):
    value: int
    providers: int
    people: int
    not_given: int
    not_given_providers: int


def add_up(parts: list[tuple[int, int | None]], teams: list[int | None]) -> Figure:
    """(provider, number or None) pairs added up as the region does: numbers summed,
    Nones counted apart."""
    known = {provider for provider, value in parts if value is not None}
    return Figure(
        value=sum(value for _provider, value in parts if value is not None),
        providers=len(known),
        people=sum(teams[provider] for provider in known),
        not_given=sum(1 for _provider, value in parts if value is None),
        not_given_providers=len({provider for provider, value in parts if value is None}),
    )


def expected_region(expected: list[dict], framework) -> dict:
    """{"sections": {title: Figure}, "competences": {code: Figure}, "learning": {title:
    Figure}, "people": Figure, "order": [codes as the page lists them]}."""
    teams = [summary["people"] for summary in expected]
    competences = defaultdict(list)
    sections = defaultdict(list)
    learning = defaultdict(list)
    for provider, summary in enumerate(expected):
        for code, count in summary["gaps"].items():
            competences[code].append((provider, count))
            sections[framework["section"][code]].append((provider, count))
        for title, count in summary["learning"].items():
            learning[title].append((provider, count))
    figures = {code: add_up(parts, teams) for code, parts in competences.items()}
    order = sorted(
        figures,
        key=lambda code: (
            (-(figures[code].value if figures[code].providers else 0),) + framework["place"][code]
        ),
    )
    return {
        "sections": {title: add_up(parts, teams) for title, parts in sections.items()},
        "competences": figures,
        "learning": {title: add_up(parts, teams) for title, parts in learning.items()},
        "people": add_up(list(enumerate(teams)), teams),
        "order": order,
    }


def shown(figure: Figure) -> str:
    """The figure as the page shows it: a number only if it comes from 3 or more people."""
    return str(figure.value) if figure.providers and figure.value >= 3 else NOT_SHOWN


def plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many % count


def source(figure: Figure, kind: str) -> str:
    """Where the figure comes from, in the page's words."""
    parts = []
    if figure.providers:
        parts.append(
            f"From 1 provider, with {figure.people} people in its team."
            if figure.providers == 1
            else f"From {figure.providers} providers, with {figure.people} people in their teams."
        )
    if figure.not_given and kind == "competence":
        parts.append(
            plural(
                figure.not_given,
                "Not included: 1 provider with fewer than 3.",
                "Not included: %d providers with fewer than 3 each.",
            )
        )
    elif figure.not_given and kind == "section":
        counts = plural(figure.not_given, "1 count of fewer than 3", "%d counts of fewer than 3")
        parts.append(
            f"Not included: {counts}, "
            + plural(figure.not_given_providers, "from 1 provider.", "from %d providers.")
        )
    elif figure.not_given:
        parts.append(
            plural(
                figure.not_given,
                "Not included: 1 provider whose summary does not give this number.",
                "Not included: %d providers whose summaries do not give this number.",
            )
        )
    return " ".join(parts)


@pytest.fixture(scope="module")
def expected(providers, framework) -> list[dict]:
    return [expected_summary(provider["gap_files"], framework) for provider in providers]


@pytest.fixture(scope="module")
def summaries(providers) -> list[bytes]:
    return [provider["summary"] for provider in providers]


# --- Reading the page and the workbook -----------------------------------------------


def table(tree, table_id: str, key: str) -> dict[str, tuple[str, str]]:
    """{row key: (count as shown, where it comes from)} for one results table."""
    rows = tree.xpath(f'//table[@id="{table_id}"]/tbody/tr')
    return {
        row.get(key): (
            row.xpath('.//*[contains(@class, "app-team-count")]')[0].text_content(),
            row.xpath('.//*[contains(@class, "app-region-source")]')[0].text_content(),
        )
        for row in rows
    }


def row_keys(tree, table_id: str, key: str) -> list[str]:
    return [row.get(key) for row in tree.xpath(f'//table[@id="{table_id}"]/tbody/tr')]


def refused_on_page(tree) -> list[str]:
    return [li.text_content() for li in tree.xpath('//li[@class="app-region-refused"]')]


def errors(response) -> str:
    tree = html.fromstring(response.content.decode())
    return " ".join(tree.xpath('//div[@class="nhsuk-error-summary"]//li//text()'))


def post(client, files, format="page"):
    return client.post(URL, {"files": files, "format": format})


def sheet_rows(sheet, key: str) -> dict[str, dict]:
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return {row[header.index(key)]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def sheet_figure(row: dict, heading: str) -> tuple[str, Figure]:
    """A figure from a workbook row, with the count as the page would show it."""
    value, note = row[heading], row[f"{heading}: count not shown"]
    assert (value is None) == (note is not None), "a figure is a number or a note, never both"
    assert value is None or isinstance(value, int)
    return (
        note if value is None else str(value),
        Figure(
            value=value or 0,
            providers=row["Providers whose numbers it adds up"],
            people=row["People in those providers’ teams"],
            not_given=row["Numbers not included"],
            not_given_providers=row["Providers those come from"],
        ),
    )


def without_hidden_value(figure: Figure) -> Figure:
    """A figure as a workbook can state it: its value blank when it is not shown."""
    return figure._replace(value=figure.value if shown(figure) != NOT_SHOWN else 0)


# --- The provider's summary ----------------------------------------------------------


def test_the_plan_covers_shown_and_hidden_figures_at_both_levels(expected, framework):
    assert len(PLAN) >= 10
    region = expected_region(expected, framework)
    for kind in ("competences", "sections", "learning"):
        figures = region[kind].values()
        assert any(shown(figure) != NOT_SHOWN for figure in figures), kind
        assert any(figure.not_given for figure in figures), kind
    assert any(shown(figure) == NOT_SHOWN for figure in region["competences"].values())
    assert any(shown(figure) == NOT_SHOWN for figure in region["learning"].values())
    given = [value for summary in expected for value in summary["learning"].values()]
    assert None in given and any(given), "some learning numbers are given, some are not"
    assert [summary["people"] for summary in expected].count(None) == len(SMALL_TEAMS)


def test_each_summary_holds_the_teams_counts_with_small_ones_hidden(providers, expected, framework):
    for number, (provider, want) in enumerate(zip(providers, expected, strict=True)):
        document = json.loads(provider["summary"])
        assert document["format"] == "non-custodial-framework/provider-summary"
        assert document["version"] == 1
        assert document["framework"] == {
            "version": framework["version"],
            "status": untranslated_status_statement(),
        }
        assert document["region"] == (PLAN[number].region or None)
        assert document["people"] == want["people"], number
        assert {gap["code"]: gap["people"] for gap in document["gaps"]} == want["gaps"], number
        assert {item["title"]: item["gaps"] for item in document["learning"]} == want["learning"], (
            number
        )
        for gap in document["gaps"]:
            assert gap["title"] == framework["title"][gap["code"]]
            assert gap["section"] == framework["section"][gap["code"]]


def test_a_summary_holds_no_number_below_3_and_nothing_that_names_anyone(providers):
    role_titles = [title for (title,) in sql("SELECT title FROM roles_roleprofile")]
    for provider in providers:
        document = json.loads(provider["summary"])
        counts = [document["people"]]
        counts += [gap["people"] for gap in document["gaps"]]
        counts += [item["gaps"] for item in document["learning"]]
        assert all(count is None or count >= 3 for count in counts)
        text = provider["summary"].decode()
        assert "gaps-0.csv" not in text, "no file names"
        for slug in ROLES.values():
            assert slug not in text, "no roles"
        for title in role_titles:
            assert f'"{title}"' not in text, "no role titles"


def test_the_service_is_the_one_chosen_or_the_one_all_the_roles_share(providers, framework):
    for number, provider in enumerate(providers):
        plan = PLAN[number]
        worked_out = COURTS if all(role in "CD" for role, _gaps in plan.people) else LD
        slug = plan.service or worked_out
        service = json.loads(provider["summary"])["service"]
        assert service == {"slug": slug, "name": framework["services"][slug]}


def test_a_mixed_team_or_one_without_gaps_is_asked_to_choose_the_service(
    client, providers, shared_codes
):
    mixed = [providers[0]["gap_files"][0], providers[2]["gap_files"][0]]
    response = make_summary(client, mixed, region="london")
    assert response.status_code == 400
    assert "Your team’s roles do not all belong to one service" in errors(response)
    tree = html.fromstring(response.content.decode())
    assert tree.get_element_by_id("error-summary-title").text_content() == (
        "There is a problem with the summary"
    )
    assert tree.xpath('//a[@href="#team-service"]'), "the message leads to the service"
    assert tree.xpath('//select[@id="team-region"]/option[@selected]/@value') == ["london"]
    no_gaps = providers[7]["gap_files"]
    response = make_summary(client, no_gaps)
    assert response.status_code == 400
    assert "Nobody in the team has a gap" in errors(response)
    response = make_summary(client, mixed, service=COURTS)
    assert response.status_code == 200
    assert json.loads(response.content)["service"]["slug"] == COURTS
    response = make_summary(client, mixed, service="nowhere")
    assert response.status_code == 400
    assert "Choose the service and region from the lists" in errors(response)


def test_exact_numbers_never_reach_the_summary(client, providers):
    exact = make_summary(client, providers[1]["gap_files"], service=LD, region="london", exact="1")
    assert exact.content == providers[1]["summary"]


def test_the_team_page_offers_the_summary_and_keeps_the_choices(client, providers):
    page = html.fromstring(client.get(TEAM).content.decode())
    assert page.xpath('//button[@name="format"][@value="json"]')[0].text_content() == (
        "Download a summary for your commissioner"
    )
    text = page.text_content()
    assert "Any count that comes from fewer than 3 people is left out" in text
    assert "may be commissioned in groupings that differ from NHS England’s seven regions" in text
    assert page.xpath(f'//a[@href="{URL}"]')
    files = uploads(providers[2]["gap_files"], ["a.csv", "b.csv", "c.csv"], "text/csv")
    response = client.post(
        TEAM, {"files": files, "format": "page", "service": COURTS, "region": "south-west"}
    )
    tree = html.fromstring(response.content.decode())
    assert tree.xpath('//select[@id="team-service"]/option[@selected]/@value') == [COURTS]
    assert tree.xpath('//select[@id="team-region"]/option[@selected]/@value') == ["south-west"]


def test_every_summary_fits_the_published_schema(client, summaries):
    response = client.get(reverse("interchange:summary-schema"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for data in summaries:
        validator.validate(json.loads(data))
    export = html.fromstring(client.get("/export/").content.decode())
    assert export.xpath('//a[@href="/export/provider-summary.schema.json"]')


# --- The regional page ---------------------------------------------------------------


def test_the_empty_page_says_what_it_is(client):
    response = client.get(URL)
    assert response.status_code == 200
    text = html.fromstring(response.content.decode()).text_content()
    assert "They are not a survey of the region" in text
    assert "A figure that comes from fewer than 3 people is never shown as a number" in text
    assert (
        "East of England; London; Midlands; North East and Yorkshire; North West; "
        "South East; South West."
    ) in text
    assert "Health and justice services may be commissioned in groupings that differ" in text
    assert 'id="results"' not in response.content.decode()
    assert 'type="file" multiple' in response.content.decode()


def test_every_figure_on_the_page_is_the_providers_added_up(client, summaries, expected, framework):
    response = post(client, uploads(summaries))
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    region = expected_region(expected, framework)
    assert table(tree, "region-competences-table", "data-code") == {
        code: (shown(figure), source(figure, "competence"))
        for code, figure in region["competences"].items()
    }
    assert table(tree, "region-sections-table", "data-section") == {
        title: (shown(figure), source(figure, "section"))
        for title, figure in region["sections"].items()
    }
    assert table(tree, "region-learning-table", "data-learning") == {
        title: (shown(figure), source(figure, "learning"))
        for title, figure in region["learning"].items()
    }
    people = region["people"]
    assert tree.get_element_by_id("region-people").text_content() == (
        f"People in their teams: {people.value}. "
        f"Not included: {people.not_given} providers with fewer than 3 people each."
    )
    assert tree.get_element_by_id("region-files").text_content() == (
        f"From {len(PLAN)} providers’ summaries."
    )
    assert row_keys(tree, "region-competences-table", "data-code") == region["order"]
    sections = row_keys(tree, "region-sections-table", "data-section")
    first_place = {}
    for code, (tree_id, _lft) in framework["place"].items():
        first_place.setdefault(framework["section"][code], tree_id)
    assert sections == sorted(sections, key=first_place.get)


def test_the_page_names_the_regions_and_services_and_warns_when_mixed(client, summaries):
    tree = html.fromstring(post(client, uploads(summaries)).content.decode())
    regions = Counter(provider.region for provider in PLAN)
    assert tree.get_element_by_id("region-regions").text_content() == (
        f"Regions: London ({regions['london']}); North West (1); South East (2); "
        "South West (1); Region not given (1)."
    )
    services = tree.get_element_by_id("region-services").text_content()
    assert services.startswith("Services: Healthcare in Criminal Court Settings (")
    assert "More than one region" in tree.get_element_by_id("mixed-regions").text_content()
    london = [
        data for data, provider in zip(summaries, PLAN, strict=True) if provider.region == "london"
    ]
    tree = html.fromstring(post(client, uploads(london)).content.decode())
    assert not tree.xpath('//*[@id="mixed-regions"]')
    assert tree.get_element_by_id("region-regions").text_content() == (
        f"Regions: London ({len(london)})."
    )


def test_the_excel_download_holds_the_same_figures(client, summaries, expected, framework):
    response = post(client, uploads(summaries), format="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="regional-training-needs.xlsx"'
    assert "no-store" in response["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["About", "Summary", "By section", "By competence", "Learning"]
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Status"] == untranslated_status_statement()
    assert about["Version"] == framework["version"]
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    region = expected_region(expected, framework)
    assert summary["Summaries read"] == len(PLAN)
    assert summary["People in the providers’ teams"] == region["people"].value
    assert summary["Providers with fewer than 3 people"] == region["people"].not_given
    assert "not a survey of the region" in summary["Where the figures come from"]
    assert "never shown as a number" in summary["Small numbers"]
    assert "Health and justice services" in summary["Regions: check first"]
    for sheet, key, heading, kind in (
        ("By competence", "Code", "People with this gap", "competences"),
        ("By section", "Section", "Gaps in the section", "sections"),
        ("Learning", "Learning", "Gaps it addresses", "learning"),
    ):
        rows = sheet_rows(book[sheet], key)
        assert {name: sheet_figure(row, heading) for name, row in rows.items()} == {
            name: (shown(figure), without_hidden_value(figure))
            for name, figure in region[kind].items()
        }, sheet
    codes = [row[0] for row in book["By competence"].iter_rows(min_row=2, values_only=True)]
    assert codes == region["order"]


def test_a_count_from_fewer_than_3_people_is_never_shown_as_a_number(client, summaries, expected):
    small = [summaries[number] for number in SMALL_TEAMS]
    response = post(client, uploads(small))
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    counts = [node.text_content() for node in tree.xpath('//*[contains(@class, "app-team-count")]')]
    assert len(counts) > 3
    assert set(counts) == {NOT_SHOWN}
    book = openpyxl.load_workbook(io.BytesIO(post(client, uploads(small), "xlsx").content))
    for name in ("By section", "By competence", "Learning"):
        rows = list(book[name].iter_rows(values_only=True))
        count_at = 3 if name == "By competence" else (2 if name == "Learning" else 1)
        assert rows[1:], name
        for row in rows[1:]:
            assert row[count_at] is None and row[count_at + 1] == NOT_SHOWN, (name, row)
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["People in the providers’ teams"] is None


def test_every_number_shown_comes_from_3_or_more_people(client, summaries, providers):
    """Whatever is uploaded, a number on the page is a sum of people counts of 3 or more."""
    tree = html.fromstring(post(client, uploads(summaries)).content.decode())
    true_counts = Counter()
    for provider in providers:
        for _role, codes in people_in(provider["gap_files"]):
            true_counts.update(codes)
    for code, (count, _source) in table(tree, "region-competences-table", "data-code").items():
        if count != NOT_SHOWN:
            assert int(count) >= 3 and int(count) <= true_counts[code]


@pytest.fixture
def bad_files(client, providers, summaries) -> dict[str, bytes]:
    """Files a commissioner might choose by mistake, each to be refused by name."""
    record = record_json(
        DevelopmentRecord(role_slug=ROLES["A"], items=[RecordItem(code="COM.1.1")])
    )
    framework_json = client.get("/export/framework.json")
    role_json = client.get(f"/export/roles/{ROLES['A']}.json")
    assert framework_json.status_code == role_json.status_code == 200
    changed = summaries[0].replace(b"provider-summary", b"provider-summary-2")
    document = json.loads(summaries[0])
    document["people"] = 2
    edited = json.dumps(document).encode()
    return {
        "gaps.csv": providers[0]["gap_files"][0],
        "record.json": record,
        "framework.json": framework_json.content,
        "role.json": role_json.content,
        "empty.json": b"",
        "latin1.json": '{"format": "café"}'.encode("latin-1"),
        "huge.json": summaries[0] + b" " * 210_000,
        "changed.json": changed,
        "edited.json": edited,
    }


BAD_MESSAGES = {
    "gaps.csv": "“gaps.csv” is not a provider summary: it is not JSON.",
    "record.json": "“record.json” is a person’s development record, not a provider summary.",
    # The whole framework's data is larger than any summary can be.
    "framework.json": "“framework.json” is ",
    "role.json": "“role.json” is not a provider summary from this site.",
    "empty.json": "“empty.json” is empty.",
    "latin1.json": "“latin1.json” is not a provider summary: it is not UTF-8 text.",
    "huge.json": "“huge.json” is 2",  # …xx KB, which is over the 200 KB limit for one file
    "changed.json": "“changed.json” is not a provider summary from this site.",
    "edited.json": ("“edited.json” has been changed and cannot be read: the problem is at people."),
}


def test_bad_files_are_refused_by_name_and_the_rest_are_counted(
    client, summaries, bad_files, expected, framework
):
    good = uploads(summaries)
    bad = uploads(list(bad_files.values()), list(bad_files))
    response = post(client, [*good[:4], *bad, *good[4:]])
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    messages = refused_on_page(tree)
    assert len(messages) == len(bad_files)
    for (name, want), message in zip(BAD_MESSAGES.items(), messages, strict=True):
        assert message.startswith(want), (name, message)
    for number in (2, 6):
        assert "KB, which is over the 200 KB limit for one file" in messages[number]
    assert not any("summary-" in message for message in messages), "good files are not named"
    region = expected_region(expected, framework)
    assert table(tree, "region-competences-table", "data-code") == {
        code: (shown(figure), source(figure, "competence"))
        for code, figure in region["competences"].items()
    }
    assert not tree.xpath('//div[@class="nhsuk-error-summary"]'), "the result is shown"
    book = openpyxl.load_workbook(
        io.BytesIO(
            post(
                client,
                [*uploads(summaries), *uploads(list(bad_files.values()), list(bad_files))],
                "xlsx",
            ).content
        )
    )
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Files not used"] == len(bad_files)
    listed = [row[0] for row in book["Files not counted"].iter_rows(min_row=2, values_only=True)]
    assert listed == messages


def test_every_file_refused_is_a_400_with_each_message(client, bad_files):
    response = post(client, uploads(list(bad_files.values()), list(bad_files)))
    assert response.status_code == 400
    listed = errors(response)
    for want in BAD_MESSAGES.values():
        assert want in listed
    assert "which is over the 200 KB limit for one file" in listed
    assert 'id="results"' not in response.content.decode()
    response = post(client, uploads([bad_files["gaps.csv"]], ["gaps.csv"]), format="xlsx")
    assert response.status_code == 400, "no workbook of nothing"
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "change",
    [
        lambda document: document.update(region="wales"),
        lambda document: document["service"].update(slug="prison-healthcare"),
        lambda document: document.update(people="12"),
        lambda document: document.update(people=1_000_000),
        lambda document: document.update(people=None),
        lambda document: document.update(made_on="2026-02-30"),
        lambda document: document.update(extra=True),
        lambda document: document["gaps"].append(copy.deepcopy(document["gaps"][0])),
        lambda document: document["gaps"][0].update(people=10_000),
        lambda document: document.update(version=2),
        lambda document: document.update(gaps={}),
        lambda document: document["learning"].append({"title": "", "gaps": None}),
    ],
)
def test_a_summary_changed_by_hand_is_refused_never_a_500(client, summaries, change):
    document = json.loads(summaries[0])
    change(document)
    response = post(client, uploads([json.dumps(document).encode()], ["edited.json"]))
    assert response.status_code == 400
    assert "“edited.json”" in errors(response)


def test_no_file_or_too_many_files_is_a_400(client, summaries):
    response = client.post(URL, {"format": "page"})
    assert response.status_code == 400
    assert "Choose at least one provider summary file" in errors(response)
    response = post(client, uploads([summaries[0]] * 51))
    assert response.status_code == 400
    assert "You chose 51 files. Upload up to 50 at a time." in errors(response)


def test_the_same_file_twice_counts_once_and_says_so(client, summaries, expected, framework):
    files = uploads(
        [*summaries, summaries[0]], [*(f"s-{n}.json" for n in range(len(summaries))), "copy.json"]
    )
    tree = html.fromstring(post(client, files).content.decode())
    repeated = [li.text_content() for li in tree.xpath('//li[@class="app-region-repeated"]')]
    assert repeated == ["“copy.json” is the same file as “s-0.json”, so it was counted once."]
    region = expected_region(expected, framework)
    assert table(tree, "region-sections-table", "data-section") == {
        title: (shown(figure), source(figure, "section"))
        for title, figure in region["sections"].items()
    }


def row_counts() -> dict[str, int]:
    """Rows in every table of the database, counted with plain SQL."""
    counts = {}
    with connection.cursor() as cursor:
        for name in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def test_nothing_is_stored_or_logged_and_the_answers_stay_out_of_caches(
    client, summaries, providers, caplog
):
    caplog.set_level(logging.DEBUG)
    before = row_counts()
    with CaptureQueriesContext(connection) as queries:
        responses = [
            client.get(URL),
            post(client, uploads(summaries)),
            post(client, uploads(summaries), format="xlsx"),
            post(client, uploads([b"{}"], ["bad.json"])),
            make_summary(client, providers[0]["gap_files"]),
        ]
    assert row_counts() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert "summary-0.json" not in caplog.text
    blank_form, *answers = responses
    assert "no-store" not in blank_form.get("Cache-Control", "")
    assert not blank_form.cookies, "no CSRF cookie, so the form can be kept"
    for response in answers:
        assert "no-store" in response["Cache-Control"]
    for response in responses:
        assert response["X-Robots-Tag"] == "noindex"
        assert "sessionid" not in response.cookies


def test_an_upload_needs_no_token_from_an_earlier_page(summaries):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        URL, {"files": uploads(summaries[:2]), "format": "page"}, headers={"origin": "null"}
    )
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" not in strict.get(URL).content


def test_the_page_makes_as_many_queries_for_thirty_files_as_for_three(client, summaries):
    def files(count: int) -> list[bytes]:
        # Different files (their dates differ), so none is a repeat of another.
        made = []
        for number in range(count):
            document = json.loads(summaries[number % len(summaries)])
            document["made_on"] = f"2026-{1 + number // 28:02d}-{1 + number % 28:02d}"
            made.append(json.dumps(document).encode())
        return made

    post(client, uploads(files(3)))  # what is kept per process and content version
    counts = []
    for count in (3, 30):
        with CaptureQueriesContext(connection) as queries:
            response = post(client, uploads(files(count)))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
