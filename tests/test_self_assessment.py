"""The self-assessment: answers in the address, gaps and learning out, nothing stored."""

import csv
import io
import logging
import re
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils.html import escape

from roles.models import Proficiency, Requirement, RoleProfile
from tests.factories import (
    grow_framework,
    make_competence,
    make_learning,
    make_requirement,
    make_role,
    make_standard,
)
from tests.measure import count_queries

pytestmark = pytest.mark.django_db

CSV_COLUMNS = [
    "role",
    "section",
    "code",
    "competence",
    "required proficiency",
    "essential or desirable",
    "your answer",
    "standards",
    "learning",
]


@pytest.fixture
def target():
    """A role needing eight statements over two sections, with standards and learning."""
    sections = [make_competence(title="Working with people"), make_competence(title="Safety")]
    statements = [make_competence(parent=sections[n // 4]) for n in range(8)]
    role = make_role(level=5)
    for n, statement in enumerate(statements):
        make_requirement(
            role,
            statement,
            proficiency=Proficiency(1 + n % 4),
            requirement=Requirement.DESIRABLE if n % 3 == 0 else Requirement.ESSENTIAL,
        )
    standard = make_standard(title="Assess needs")
    for statement in statements:
        statement.standards.add(standard)
    make_learning(
        title="Level 5 certificate", level=5, suits_from=5, suits_to=5, competences=statements[:4]
    )
    return role, statements


def form_url(role, **query) -> str:
    return reverse("pathways:self-assessment", args=[role.slug]) + _query(query)


def section_url(role, number, **query) -> str:
    return reverse("pathways:self-assessment-section", args=[role.slug, number]) + _query(query)


def check_url(role, **query) -> str:
    return reverse("pathways:self-assessment-check", args=[role.slug]) + _query(query)


def result_url(role, **query) -> str:
    return reverse("pathways:self-assessment-result", args=[role.slug]) + _query(query)


def _query(query) -> str:
    return "?" + urlencode(query) if query else ""


def answer(statement) -> str:
    return f"c-{statement.code}"


def gap_codes(html: str) -> list[str]:
    return re.findall(r'<div class="app-gap" data-code="([^"]+)">', html)


def checked_answers(html: str) -> dict[str, str]:
    """{field name: value} for every checked radio on the form."""
    return {
        name: value
        for name, value in re.findall(
            r'<input class="nhsuk-radios__input"[^>]*name="([^"]+)"[^>]*value="([^"]+)" checked>',
            html,
        )
    }


def checked_in_every_section(client, role, sections=2, **query) -> dict[str, str]:
    """The checked radios on each section's page, for the same address query."""
    checked = {}
    for number in range(1, sections + 1):
        checked |= checked_answers(client.get(section_url(role, number, **query)).content.decode())
    return checked


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_each_section_page_asks_for_its_competences_with_three_answers(client, target):
    role, statements = target
    for number, asked in ((1, statements[:4]), (2, statements[4:])):
        response = client.get(section_url(role, number))
        assert response.status_code == 200
        html = response.content.decode()
        for statement in asked:
            values = re.findall(
                rf'name="{re.escape(answer(statement))}" type="radio" value="([^"]+)"', html
            )
            assert values == ["confident", "partly", "not-yet"]
        assert html.count('<fieldset class="nhsuk-fieldset"') == len(asked)
        assert f"Section {number} of 2" in html
        assert 'method="get"' in html
        assert html.count("<h1") == 1


def test_gaps_are_the_competences_answered_partly_or_not_yet(client, target):
    role, statements = target
    given = {0: "confident", 1: "partly", 2: "not-yet", 4: "confident", 5: "partly", 7: "not-yet"}
    query = {answer(statements[n]): value for n, value in given.items()}
    response = client.get(result_url(role, **query))
    assert response.status_code == 200
    html = response.content.decode()
    gaps = gap_codes(html)
    expected = {statements[n].code for n in range(8) if given.get(n) != "confident"}
    assert set(gaps) == expected
    assert len(gaps) == len(expected)
    # Statements 3 and 6 were not answered: they count as not yet, and the page says so.
    assert "You did not answer 2 competences, so they count as Not yet." in html
    assert html.count("Not answered (counted as Not yet)") == 2


def test_gaps_come_by_section_essential_before_desirable(client, target):
    role, statements = target
    html = client.get(result_url(role)).content.decode()
    requirement = dict(role.requirements.values_list("competence__code", "requirement"))
    first, second = gap_codes(html)[:4], gap_codes(html)[4:]
    assert set(first) == {s.code for s in statements[:4]}
    assert set(second) == {s.code for s in statements[4:]}
    for section in (first, second):
        kinds = [requirement[code] for code in section]
        assert kinds == sorted(kinds, key=lambda kind: kind != Requirement.ESSENTIAL)


def test_each_gap_links_to_its_competence_standards_and_learning(client, target):
    role, statements = target
    html = client.get(result_url(role, **{answer(statements[0]): "partly"})).content.decode()
    assert statements[0].get_absolute_url() in html
    assert statements[0].standards.first().get_absolute_url() in html
    assert html.count("Level 5 certificate") == 4
    assert "Print this page" in html


@pytest.fixture
def current_role(target):
    """A current role needing statement 0 deeper, 1 equally, 2 less, and 3 not at all."""
    role, statements = target
    current = make_role(level=4)
    required = dict(role.requirements.values_list("competence_id", "proficiency"))
    make_requirement(current, statements[0], proficiency=Proficiency.EXPERT)
    make_requirement(current, statements[1], proficiency=required[statements[1].pk])
    make_requirement(current, statements[3], proficiency=required[statements[3].pk] - 1)
    make_requirement(current, make_competence(parent=make_competence()))
    return current


def test_prefill_marks_what_the_current_role_already_needs(client, target, current_role):
    role, statements = target
    query = {"from": current_role.slug, "prefill": "1"}
    html = client.get(form_url(role, **query)).content.decode()
    assert checked_in_every_section(client, role, **query) == {
        answer(statements[0]): "confident",
        answer(statements[1]): "confident",
        answer(statements[3]): "partly",
    }
    assert escape(f"3 answers were filled in from your current role, {current_role.title}") in html
    assert f'<option value="{current_role.slug}" selected>' in html


def test_gaps_respect_the_prefilled_answers(client, target, current_role):
    role, statements = target
    answers = checked_in_every_section(client, role, **{"from": current_role.slug})
    html = client.get(result_url(role, **{"from": current_role.slug}, **answers)).content.decode()
    confident = {name[2:] for name, value in answers.items() if value == "confident"}
    assert set(gap_codes(html)) == {s.code for s in statements} - confident


def test_prefill_replaces_given_answers_but_a_chosen_role_only_fills_blanks(
    client, target, current_role
):
    role, statements = target
    given = {answer(statements[0]): "not-yet", "from": current_role.slug}
    pressed = checked_in_every_section(client, role, prefill="1", **given)
    assert pressed[answer(statements[0])] == "confident"
    kept = checked_in_every_section(client, role, **given)
    assert kept[answer(statements[0])] == "not-yet"
    assert kept[answer(statements[1])] == "confident"
    result = client.get(result_url(role, **given)).content.decode()
    assert statements[0].code in gap_codes(result)
    assert statements[1].code not in gap_codes(result)


def test_csv_holds_the_same_gaps_as_the_page(client, target):
    role, statements = target
    query = {answer(statements[0]): "partly", answer(statements[1]): "confident"}
    page = client.get(result_url(role, **query)).content.decode()
    response = client.get(result_url(role, format="csv", **query))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="gaps-{role.slug}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0].keys()) == CSV_COLUMNS
    assert [row["code"] for row in rows] == gap_codes(page)
    first = next(row for row in rows if row["code"] == statements[0].code)
    assert first["your answer"] == "Partly"
    assert first["role"] == role.slug, "each row names the role, so the file can be read back"
    assert first["section"] == "Working with people"
    assert first["required proficiency"] == "Awareness"
    assert first["essential or desirable"] == "Desirable"
    assert "Assess needs" in first["standards"]
    assert first["learning"] == "Level 5 certificate (Course, Level 5, for level 5 staff)"


def test_change_your_answers_returns_to_the_check_page_with_the_same_answers(client, target):
    role, statements = target
    query = {"from": "", answer(statements[2]): "partly"}
    html = client.get(result_url(role, **query)).content.decode()
    link = re.search(r'<a href="([^"]+)">Change your answers</a>', html).group(1)
    link = link.replace("&amp;", "&")
    assert link == check_url(role, **{answer(statements[2]): "partly"})
    back = client.get(link).content.decode()
    row = re.search(rf'data-code="{statements[2].code}">(.*?)</div>', back, re.S).group(1)
    assert "Partly" in row
    change = re.search(r'<a href="([^"]+)">Change', row).group(1).replace("&amp;", "&")
    assert change.startswith(section_url(role, 1))
    assert checked_answers(client.get(change).content.decode()) == {answer(statements[2]): "partly"}


def test_nothing_entered_is_stored(client, target, current_role, caplog):
    role, statements = target
    before = row_counts()
    sessions = Session.objects.count()
    query = {"from": current_role.slug, answer(statements[0]): "partly"}
    with caplog.at_level(logging.DEBUG):
        responses = [
            client.get(form_url(role, prefill="1", **query)),
            client.get(section_url(role, 1, **query)),
            client.get(check_url(role, **query)),
            client.get(result_url(role, **query)),
            client.get(result_url(role, format="csv", **query)),
            client.get(result_url(role, **{answer(statements[0]): "unsure"})),
        ]
    logged = " ".join(record.getMessage() for record in caplog.records)
    for entered in (statements[0].code, "partly", "unsure", current_role.slug):
        assert entered not in logged, "answers never reach the logs"
    assert row_counts() == before
    assert Session.objects.count() == sessions
    for response in responses:
        assert not response.cookies, "no session or CSRF cookie is set"


def test_pages_with_answers_are_neither_cached_nor_referred(client, target):
    role, statements = target
    query = {answer(statements[0]): "partly"}
    for url in (
        form_url(role, **query),
        section_url(role, 1, **query),
        check_url(role, **query),
        result_url(role, **query),
        result_url(role, format="csv"),
    ):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"c-{code}": "maybe"}, "was not one of Confident, Partly or Not yet"),
        ({"c-NOT-A-CODE": "partly"}, "These are not competences of this role"),
        ({"from": "no-such-role"}, "There is no role called “no-such-role” to pre-fill from"),
        ({"from": "no-such-role", "prefill": "1"}, "There is no role called"),
        ({"c-{code}": ["partly", "confident"]}, "was answered more than once"),
        ({"c-<b>x</b>": "partly"}, "These are not competences of this role"),
    ],
)
@pytest.mark.parametrize("page", ["form", "section", "check", "result", "csv"])
def test_tampered_answers_get_a_clear_message_not_a_server_error(
    client, target, query, message, page
):
    role, statements = target
    pairs = []
    for key, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key.replace("{code}", statements[0].code), item))
    if page == "csv":
        pairs.append(("format", "csv"))
    address = {
        "form": form_url(role),
        "section": section_url(role, 1),
        "check": check_url(role),
    }.get(page, result_url(role))
    response = client.get(address + "?" + urlencode(pairs))
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert escape(message) in html
    assert "<b>x</b>" not in html


def test_an_unknown_role_is_not_found(client):
    assert client.get("/pathways/self-assessment/no-such-role/").status_code == 404
    assert client.get("/pathways/self-assessment/no-such-role/result/").status_code == 404
    assert client.get("/pathways/self-assessment/no-such-role/check/").status_code == 404
    assert client.get("/pathways/self-assessment/no-such-role/sections/1/").status_code == 404


def test_a_seed_role_can_be_checked(client):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    assert role is not None, "the seed content has a role with competences"
    html = client.get(result_url(role)).content.decode()
    assert set(gap_codes(html)) == set(role.requirements.values_list("competence__code", flat=True))


def test_form_query_count_does_not_grow_with_the_data(client, target, current_role):
    role, _statements = target
    url = form_url(role, **{"from": current_role.slug, "prefill": "1"})
    before = count_queries(client, url)
    grow_framework(around=[role, current_role])
    assert role.requirements.count() > 50
    assert count_queries(client, url, warm=False) == before


def test_result_query_count_does_not_grow_with_the_data(client, target, current_role):
    role, statements = target
    url = result_url(role, **{"from": current_role.slug, answer(statements[0]): "partly"})
    before = count_queries(client, url)
    grow_framework(around=[role, current_role])
    assert count_queries(client, url, warm=False) == before
