"""The self-assessment a section at a time: start, sections, check your answers, result.

Every step is a plain GET form, so the answers so far travel as hidden fields and
nothing is kept on the server; these tests submit the forms as a browser without
JavaScript would.
"""

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode

import pytest
from django.urls import reverse

from roles.models import Proficiency, RoleProfile
from roles.proficiency import DEFINITIONS
from tests.factories import grow_framework, make_competence, make_requirement, make_role
from tests.measure import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def target():
    """A role needing two statements in each of three sections."""
    sections = [make_competence(title=f"Section {n}") for n in "ABC"]
    statements = [make_competence(parent=sections[n // 2]) for n in range(6)]
    role = make_role(level=4)
    for n, statement in enumerate(statements):
        make_requirement(role, statement, proficiency=Proficiency(1 + n % 4))
    return role, statements


def field(statement) -> str:
    return f"c-{statement.code}"


def submit(client, html: str, *, choose=None, button=None):
    """Send the page's form as a browser would: hidden fields, checked radios (changed
    by ``choose``), and the action of ``button`` (a button's text) if it has its own."""
    form = re.search(r'<form method="get" action="([^"]*)"[^>]*>(.*?)</form>', html, re.S)
    assert form, "the page has a GET form"
    action, body = unescape(form.group(1)), form.group(2)
    pairs = [
        (unescape(name), unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)
    ]
    checked = dict(
        re.findall(
            r'<input class="nhsuk-radios__input"[^>]*name="([^"]+)"[^>]*value="([^"]+)" checked>',
            body,
        )
    )
    checked |= choose or {}
    pairs += list(checked.items())
    selected = re.search(
        r'<select[^>]*name="from"[^>]*>.*?<option value="([^"]+)" selected>', body, re.S
    )
    if selected:
        pairs.append(("from", selected.group(1)))
    if button:
        target = re.search(
            rf'<button[^>]*formaction="([^"]+)"[^>]*>{re.escape(button)}</button>', body
        )
        assert target, f"a {button} button with its own address"
        action = unescape(target.group(1))
    return client.get(action + ("?" + urlencode(pairs) if pairs else "")), action


def test_the_start_page_says_how_unanswered_questions_count(client, target):
    role, _statements = target
    html = client.get(reverse("pathways:self-assessment", args=[role.slug])).content.decode()
    assert "Any competence you leave unanswered counts as Not yet" in html
    assert "There are 3 sections, one page each, with 6 competences in all." in html
    assert 'href="/proficiency/"' in html
    assert 'action="' + reverse("pathways:self-assessment-section", args=[role.slug, 1]) in html
    assert '<fieldset class="nhsuk-fieldset"' not in html, "no questions on the start page"


def test_walking_the_steps_carries_every_answer_to_the_result(client, target):
    role, statements = target
    start = client.get(reverse("pathways:self-assessment", args=[role.slug])).content.decode()
    response, _ = submit(client, start)
    html = response.content.decode()
    assert "Section 1 of 3" in html and "Section A" in html

    response, _ = submit(client, html, choose={field(statements[0]): "partly"})
    html = response.content.decode()
    assert "Section 2 of 3" in html
    # The first section's answer travels with the page as a hidden field, not a radio.
    assert f'<input type="hidden" name="{field(statements[0])}" value="partly">' in html

    # Back keeps this page's answer too.
    back, action = submit(
        client,
        html,
        choose={field(statements[2]): "confident"},
        button="Back to the previous section",
    )
    assert action == reverse("pathways:self-assessment-section", args=[role.slug, 1])
    assert "Section 1 of 3" in back.content.decode()
    assert f'name="{field(statements[2])}" value="confident"' in back.content.decode()

    response, _ = submit(client, html, choose={field(statements[2]): "confident"})
    html = response.content.decode()
    assert "Section 3 of 3" in html
    assert "Continue to check your answers" in html

    response, action = submit(client, html, choose={field(statements[5]): "not-yet"})
    assert action == reverse("pathways:self-assessment-check", args=[role.slug])
    html = response.content.decode()
    assert "Check your answers before you see your gaps" in html
    assert "You have answered 3 of 6 competences." in html
    assert "3 competences are unanswered. They count as Not yet" in html

    response, action = submit(client, html)
    assert action == reverse("pathways:self-assessment-result", args=[role.slug])
    query = dict(parse_qsl(response.request["QUERY_STRING"]))
    assert query == {
        field(statements[0]): "partly",
        field(statements[2]): "confident",
        field(statements[5]): "not-yet",
    }
    gaps = re.findall(r'<div class="app-gap" data-code="([^"]+)">', response.content.decode())
    assert set(gaps) == {s.code for s in statements} - {statements[2].code}


def test_each_question_shows_what_its_proficiency_means(client, target):
    role, statements = target
    html = client.get(reverse("pathways:self-assessment-section", args=[role.slug, 1])).content
    html = unescape(html.decode())
    for statement in statements[:2]:
        depth = Proficiency(role.requirements.get(competence=statement).proficiency)
        hint = re.search(rf'id="{field(statement)}-hint">(.*?)</div>', html, re.S).group(1)
        assert str(DEFINITIONS[depth]) in hint
        assert f'href="/proficiency/#{depth.name.lower()}"' in hint


def test_check_page_links_each_answer_to_its_section(client, target):
    role, statements = target
    url = reverse("pathways:self-assessment-check", args=[role.slug])
    html = client.get(url, {field(statements[4]): "partly"}).content.decode()
    rows = dict(re.findall(r'data-code="([^"]+)">(.*?)</div>', html, re.S))
    assert "Partly" in rows[statements[4].code]
    assert "Not answered (counts as Not yet)" in rows[statements[0].code]
    change = unescape(re.search(r'<a href="([^"]+)">Change', rows[statements[4].code]).group(1))
    section = reverse("pathways:self-assessment-section", args=[role.slug, 3])
    assert change == f"{section}?{field(statements[4])}=partly#{field(statements[4])}-confident"


def test_a_section_the_role_does_not_have_is_not_found(client, target):
    role, _statements = target
    for number in (0, 4):
        url = reverse("pathways:self-assessment-section", args=[role.slug, number])
        assert client.get(url).status_code == 404


def test_a_seed_role_shows_its_number_of_sections(client):
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    sections = {rc.competence.tree_id for rc in role.requirements.select_related("competence")}
    url = reverse("pathways:self-assessment-section", args=[role.slug, 3])
    assert f"Section 3 of {len(sections)}" in client.get(url).content.decode()


@pytest.mark.parametrize("page", ["section", "check"])
def test_step_query_counts_do_not_grow_with_the_data(client, target, page):
    role, statements = target
    current = make_role(level=3)
    make_requirement(current, statements[0])
    if page == "section":
        address = reverse("pathways:self-assessment-section", args=[role.slug, 1])
    else:
        address = reverse("pathways:self-assessment-check", args=[role.slug])
    address += "?" + urlencode({"from": current.slug, field(statements[1]): "partly"})
    before = count_queries(client, address)
    grow_framework(around=[role, current])
    assert count_queries(client, address, warm=False) == before
