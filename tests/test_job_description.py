"""The job description builder: a Word file and a printed page that agree, built from the
role profile and the manager's choices, with nothing stored."""

import io
import re
from html import unescape
from urllib.parse import urlencode

import docx
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from roles.models import Proficiency, Requirement, RoleProfile
from tests.factories import make_competence, make_requirement, make_role, make_standard

pytestmark = pytest.mark.django_db

FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture
def target():
    """A role needing six statements over two sections: three essential, three desirable,
    each statement backed by its own standard."""
    sections = [make_competence(title="Working with people"), make_competence(title="Safety")]
    statements = [make_competence(parent=sections[n // 3]) for n in range(6)]
    role = make_role(
        level=5,
        lived_experience_route=True,
        lived_experience_text="Peer roles are open to people who have been through the courts.",
    )
    standards = []
    for n, statement in enumerate(statements):
        make_requirement(
            role,
            statement,
            proficiency=Proficiency.PROFICIENT,
            requirement=Requirement.DESIRABLE if n % 2 else Requirement.ESSENTIAL,
        )
        standard = make_standard(code=f"NOS{n}X")
        statement.standards.add(standard)
        standards.append(standard)
    return role, statements, standards


def builder_url(role, pairs=()) -> str:
    url = reverse("workforce:job-description", args=[role.slug])
    return f"{url}?{urlencode(pairs)}" if pairs else url


def docx_text(content: bytes) -> str:
    """Every paragraph and table cell of a Word file, one per line."""
    document = docx.Document(io.BytesIO(content))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


def criteria_rows(content: bytes) -> list[list[str]]:
    """The person specification table's rows, header first."""
    document = docx.Document(io.BytesIO(content))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Criterion")
    return [[cell.text for cell in row.cells] for row in table.rows]


def page_text(response) -> str:
    """The printed part of the page (the article), as text."""
    html = response.content.decode()
    article = re.search(r"<article.*?</article>", html, re.S).group(0)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article)))


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def choices(statements, chosen=(1,), **extra):
    pairs = [("desirable", statements[n].code) for n in chosen]
    pairs += [
        ("employer", "Northshire Health NHS Trust"),
        ("service", "Northshire Liaison and Diversion"),
        ("location", "Castlegate police station"),
    ]
    return pairs + list(extra.items())


def test_role_page_links_to_its_job_description_builder(client):
    for role in RoleProfile.objects.all():
        html = client.get(role.get_absolute_url()).content.decode()
        link = reverse("workforce:job-description", args=[role.slug])
        assert f'href="{link}"' in html
        assert "Build a job description from this profile" in html


def test_the_form_offers_each_desirable_competence_unticked_and_no_essential_one(client, target):
    role, statements, _standards = target
    response = client.get(builder_url(role))
    assert response.status_code == 200
    html = response.content.decode()
    boxes = re.findall(r'<input[^>]*name="desirable"[^>]*>', html)
    assert [re.search(r'value="([^"]+)"', box).group(1) for box in boxes] == [
        statements[1].code,
        statements[3].code,
        statements[5].code,
    ]
    assert not any("checked" in box for box in boxes)
    assert 'method="get"' in html
    assert "Include a line about the lived-experience route" in html
    assert "<article" not in html, "no document until the manager asks for a preview"


def test_word_file_holds_every_essential_and_exactly_the_chosen_desirable(client, target):
    role, statements, standards = target
    response = client.get(builder_url(role, choices(statements, chosen=(1, 5), format="docx")))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert f'filename="job-description-{role.slug}.docx"' in response["Content-Disposition"]
    text = docx_text(response.content)
    rows = criteria_rows(response.content)
    assert rows[0] == ["Criterion", "Essential or desirable", "Standards"]
    listed = {row[0].split(" ")[0]: row for row in rows[1:]}
    included = [statements[n] for n in (0, 2, 4, 1, 5)]
    assert list(listed) == [statement.code for statement in included], "essential first"
    for n in (0, 2, 4):
        assert listed[statements[n].code][1] == "Essential"
    for n in (1, 5):
        assert listed[statements[n].code][1] == "Desirable"
    assert statements[3].code not in text and statements[3].title not in text
    for statement, standard in zip(statements, standards, strict=True):
        if statement in included:
            assert statement.title in listed[statement.code][0]
            assert "Proficiency needed: Proficient" in listed[statement.code][0]
            assert listed[statement.code][2] == standard.code
        else:
            assert standard.code not in text
    assert role.title in text
    for entered in (
        "Northshire Health NHS Trust",
        "Northshire Liaison and Diversion",
        "Castlegate police station",
    ):
        assert entered in text
    for heading in (
        "Job purpose",
        "Key responsibilities",
        "Person specification",
        "Entry requirements",
        "Education and training",
        "Development on offer",
    ):
        assert heading in text
    assert role.responsibility_list[0] in text
    assert "Non-custodial Career and Competence Framework (2023 edition)" in text
    assert f"{settings.PUBLIC_URL}{role.get_absolute_url()}" in text


def test_printed_page_shows_the_same_content_as_the_word_file(client, target):
    role, statements, standards = target
    pairs = choices(statements, chosen=(3,), lived="on")
    page = client.get(builder_url(role, pairs))
    assert page.status_code == 200
    assert "app-printable" in page.content.decode()
    text = page_text(page)
    word = docx_text(client.get(builder_url(role, [*pairs, ("format", "docx")])).content)
    for statement, standard in zip(statements, standards, strict=True):
        shown = statement in (statements[0], statements[2], statements[4], statements[3])
        assert (statement.title in text) is shown
        assert (statement.title in word) is shown
        assert (standard.code in text) is shown
    for expected in (
        role.title,
        "Northshire Health NHS Trust",
        "Castlegate police station",
        "We welcome applications from people with lived experience of the justice system.",
        role.lived_experience_text.strip(),
        "Non-custodial Career and Competence Framework (2023 edition)",
        f"{settings.PUBLIC_URL}{role.get_absolute_url()}",
    ):
        assert expected in text
        assert expected in word
    download = re.search(r'href="([^"]+)" download', page.content.decode()).group(1)
    carried = client.get(builder_url(role) + unescape(download))
    assert docx_text(carried.content) == word, "the download link carries the same choices"


def test_the_lived_experience_line_only_when_asked_and_only_for_roles_with_a_route(client, target):
    role, statements, _standards = target
    line = "We welcome applications from people with lived experience"
    assert line not in page_text(client.get(builder_url(role, choices(statements))))
    other = make_role(level=4)
    html = client.get(builder_url(other)).content.decode()
    assert "Include a line about the lived-experience route" not in html
    sent = client.get(builder_url(other, [("lived", "on"), ("format", "docx")]))
    assert line not in docx_text(sent.content)


@pytest.mark.parametrize(
    ("field", "label"),
    [("employer", "employer’s name"), ("service", "service or team"), ("location", "location")],
)
def test_too_long_text_is_refused_with_a_message_and_kept_in_the_box(client, target, field, label):
    role, statements, _standards = target
    long = "Northshire " * 12
    for extra in ([], [("format", "docx")]):
        response = client.get(builder_url(role, [(field, long), *extra]))
        assert response.status_code == 400
        html = unescape(response.content.decode())
        assert "There is a problem" in html
        assert f"The {label} must be 120 characters or fewer. It has 131." in html
        assert f'href="#job-{field}"' in html
        assert f'value="{long.strip()}"' in html
        assert "<article" not in html, "no document from input that was refused"


def test_control_characters_and_nul_bytes_never_reach_the_page(client, target):
    """Control characters are removed from every parameter before any view reads them
    (core.middleware); characters that reorder text are taken out with a note."""
    role, statements, _standards = target
    query = "employer=North%00shire%07%1B%20Trust&location=Castle%0A%0Dgate&service=Ok%E2%80%AE"
    url = builder_url(role) + "?" + query
    response = client.get(url)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "out of “Employer”" not in html  # nothing left to take out by then
    assert "out of “Service or team”" in html
    assert 'value="Northshire Trust"' in html
    assert "Northshire Trust" in page_text(response)
    assert "Castle gate" in page_text(response)
    word = docx_text(client.get(url + "&format=docx").content)
    assert "Northshire Trust" in word and "\x00" not in word


def test_codes_that_are_not_desirable_here_are_left_out_with_a_message(client, target):
    role, statements, _standards = target
    elsewhere = make_competence(parent=statements[0].parent)
    pairs = [
        ("desirable", "NO.SUCH.CODE"),
        ("desirable", statements[0].code),  # essential: always in, never as desirable
        ("desirable", elsewhere.code),  # not in this role
        ("desirable", "<b>x</b>" * 20),
        ("desirable", statements[1].code),
    ]
    for extra in ([], [("format", "docx")]):
        response = client.get(builder_url(role, pairs + extra))
        assert response.status_code == 200
    html = response_html = client.get(builder_url(role, pairs)).content.decode()
    message = unescape(re.search(r'<p id="ignored-codes">(.*?)</p>', html, re.S).group(1))
    assert "not desirable competences of this role, so they were left out" in message
    for code in ("NO.SUCH.CODE", statements[0].code, elsewhere.code):
        assert code in message
    assert "<b>" not in response_html
    rows = criteria_rows(client.get(builder_url(role, [*pairs, ("format", "docx")])).content)
    desirable = [row[0].split(" ")[0] for row in rows[1:] if row[1] == "Desirable"]
    assert desirable == [statements[1].code]


def test_an_unknown_role_is_not_found(client):
    assert client.get("/roles/no-such-role/job-description/").status_code == 404
    assert client.get("/roles/no-such-role/job-description/?format=docx").status_code == 404


def test_formula_like_text_stays_plain_text(client, target):
    role, statements, _standards = target
    pairs = [("employer", FORMULA), ("service", "<script>alert(1)</script>")]
    page = client.get(builder_url(role, pairs))
    html = page.content.decode()
    assert escape(FORMULA) in html
    assert "<script>alert(1)</script>" not in html
    document = docx.Document(
        io.BytesIO(client.get(builder_url(role, [*pairs, ("format", "docx")])).content)
    )
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert FORMULA in cells


def test_nothing_entered_is_stored_and_pages_are_not_cached(client, target):
    role, statements, _standards = target
    before = row_counts()
    pairs = choices(statements, chosen=(1, 3), lived="on")
    with CaptureQueriesContext(connection) as queries:
        responses = [
            client.get(builder_url(role, pairs)),
            client.get(builder_url(role, [*pairs, ("format", "docx")])),
            client.get(builder_url(role, [("employer", "x" * 500)])),
        ]
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert row_counts() == before
    for response in responses:
        assert not response.cookies
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"


def test_only_get_is_answered(client, target):
    role, _statements, _standards = target
    assert client.post(builder_url(role), {"employer": "x"}).status_code == 405


def test_a_practitioner_job_description_from_the_seed_content(client):
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    desirable = list(role.requirements.filter(requirement="desirable").select_related("competence"))
    essential = list(role.requirements.filter(requirement="essential").select_related("competence"))
    pairs = [("desirable", desirable[0].competence.code), ("format", "docx")]
    rows = criteria_rows(client.get(builder_url(role, pairs)).content)
    assert len(rows) - 1 == len(essential) + 1
    assert {row[0].split(" ")[0] for row in rows[1:]} == {
        item.competence.code for item in essential + desirable[:1]
    }
