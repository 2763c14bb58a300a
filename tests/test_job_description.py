"""The job description builder: a Word file and a printed page that agree, built from the
role profile and the manager's choices, with nothing stored. The person specification is
checked against the profile's own fields, read here from the database."""

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
from docx.oxml.ns import qn
from lxml import html as lxml_html

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


HEADINGS = [
    "Qualifications and training",
    "Experience",
    "Knowledge",
    "Skills and abilities",
    "Values and behaviours",
]


def spec_from_word(content: bytes) -> dict[str, list[list[str]]]:
    """{heading: [criterion, essential or desirable, how assessed]} from the Word file's
    person specification table, whose headings are full-width rows."""
    document = docx.Document(io.BytesIO(content))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Criterion")
    spec, heading = {}, None
    for row in table.rows[1:]:
        cells = [cell.text for cell in row.cells]
        if len(set(cells)) == 1:  # a merged heading row
            heading = cells[0]
            spec[heading] = []
        else:
            spec[heading].append(cells)
    return spec


def spec_from_page(response) -> dict[str, list[list[str]]]:
    """The same from the printed page's tables, captioned by heading."""
    tree = lxml_html.fromstring(response.content)
    spec = {}
    for table in tree.xpath("//article//table[contains(@class, 'criteria')]"):
        caption = " ".join(table.xpath("caption")[0].text_content().split())
        spec[caption] = [
            [cell_value(cell) for cell in row.xpath("td")] for row in table.xpath("tbody/tr")
        ]
    return spec


def cell_value(cell) -> str:
    """A responsive table cell's text without its repeated column heading."""
    heading = "".join(
        span.text_content()
        for span in cell.xpath("span[contains(@class, 'nhsuk-table-responsive__heading')]")
    )
    return " ".join(cell.text_content().removeprefix(heading).split())


def page_text(response) -> str:
    """The printed part of the page (the article), as text."""
    html = response.content.decode()
    article = re.search(r"<article.*?</article>", html, re.S).group(0)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article)))


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def choices(**extra):
    pairs = [
        ("employer", "Northshire Health NHS Trust"),
        ("service", "Northshire Liaison and Diversion"),
        ("location", "Castlegate police station"),
    ]
    return pairs + list(extra.items())


def profile_lines(text: str) -> list[tuple[str, str]]:
    """(criterion, Essential or Desirable) for each line of a profile field, read here
    independently of the builder."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.lower().startswith("desirable:"):
            out.append((line.split(":", 1)[1].strip(), "Desirable"))
        else:
            out.append((line, "Essential"))
    return out


def test_role_page_links_to_its_job_description_builder(client):
    for role in RoleProfile.objects.all():
        html = client.get(role.get_absolute_url()).content.decode()
        link = reverse("workforce:job-description", args=[role.slug])
        assert f'href="{link}"' in html
        assert "Build a job description from this profile" in html


def test_every_roles_default_person_specification_follows_its_profile(client):
    """For each of the 21 roles: the five headings, at most 25 criteria, each essential or
    desirable and assessed, the registration, qualifications and experience word for word
    from the profile, and one criterion per competence section it needs."""
    roles = list(RoleProfile.objects.prefetch_related("requirements__competence"))
    assert len(roles) == 21
    for role in roles:
        response = client.get(builder_url(role, [("format", "docx")]))
        spec = spec_from_word(response.content)
        assert list(spec) == HEADINGS, role.code
        rows = [row for heading in HEADINGS for row in spec[heading]]
        assert 0 < len(rows) <= 25, (role.code, len(rows))
        assert all(row[1] in ("Essential", "Desirable") for row in rows), role.code
        assert all(row[2] for row in rows), role.code
        qualifications = [(row[0], row[1]) for row in spec["Qualifications and training"]]
        expected = profile_lines(role.qualifications)
        if role.registered_profession:
            assert role.registration, role.code
            expected = [(role.registration, "Essential"), *expected]
        else:
            assert not any("registration" in text.lower() for text, _ in qualifications)
        assert qualifications == expected, role.code
        assert [(row[0], row[1]) for row in spec["Experience"]] == profile_lines(role.experience), (
            role.code
        )
        sections = {item.competence.code.split(".")[0] for item in role.requirements.all()}
        assert len(spec["Knowledge"]) + len(spec["Skills and abilities"]) == len(sections)
        page = spec_from_page(client.get(builder_url(role, [("employer", "Trust")])))
        assert page == {heading: spec[heading] for heading in HEADINGS if spec[heading]}


def test_a_peer_roles_lived_experience_is_an_essential_criterion_as_its_profile_states(client):
    for role in RoleProfile.objects.filter(code__contains="PEER"):
        spec = spec_from_word(client.get(builder_url(role, [("format", "docx")])).content)
        first = spec["Experience"][0]
        assert first[0] == role.experience.splitlines()[0].strip()
        assert first[1] == "Essential"
        assert first[0].lower().startswith("personal experience of")


def test_the_manager_changes_a_requirement_and_its_assessment_or_leaves_it_out(client, target):
    role, _statements, _standards = target
    page = lxml_html.fromstring(client.get(builder_url(role)).content)
    keys = [
        name.removeprefix("choice-")
        for name in page.xpath("//select/@name")
        if name.startswith("choice-")
    ]
    assert "values-nhs" in keys and any(key.startswith("section-") for key in keys)
    section = next(key for key in keys if key.startswith("section-"))
    pairs = [
        (f"choice-{section}", "desirable"),
        (f"assessed-{section}", "test"),
        ("choice-values-justice", "leave-out"),
        ("own", "Able to drive\nDesirable: Speaks Welsh"),
        ("own_heading", "skills"),
        ("format", "docx"),
    ]
    spec = spec_from_word(client.get(builder_url(role, pairs)).content)
    values = [row[0] for row in spec["Values and behaviours"]]
    assert len(values) == 1 and "NHS Constitution values" in values[0]
    skills = {row[0]: row for row in spec["Skills and abilities"]}
    changed = next(
        row for text, row in skills.items() if text.startswith(("Working with people", "Safety"))
    )
    assert changed[1:] == ["Desirable", "Assessment or test"]
    assert skills["Able to drive"][1:] == ["Essential", "Application, Interview"]
    assert skills["Speaks Welsh"][1] == "Desirable"


def test_the_full_competence_list_is_an_optional_appendix(client, target):
    role, statements, standards = target
    without = docx_text(client.get(builder_url(role, [("format", "docx")])).content)
    assert "Appendix" not in without
    assert statements[1].code not in without
    response = client.get(builder_url(role, [("appendix", "on"), ("format", "docx")]))
    text = docx_text(response.content)
    assert "Appendix: the competences this role needs" in text
    for statement, standard in zip(statements, standards, strict=True):
        assert statement.code in text and statement.title in text and standard.code in text
    assert "Proficiency needed: Proficient" in text
    page = page_text(client.get(builder_url(role, [("appendix", "on")])))
    assert all(statement.title in page for statement in statements)


def test_post_details_band_and_salary_from_the_pay_table(client):
    from workforce.models import PayBand

    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    page = lxml_html.fromstring(client.get(builder_url(role)).content)
    assert page.xpath("//select[@name='band']/option[@selected]/@value") == [
        role.band.split("-")[0]
    ]
    band = PayBand.objects.get(band="6")
    pairs = choices(
        band="6",
        wte="0.6",
        hours="22.5 hours over 3 days",
        reports_to="Team leader",
        accountable_to="Clinical lead",
        contract="Fixed term for 12 months",
    )
    text = page_text(client.get(builder_url(role, pairs)))
    assert f"£{band.minimum:,} to £{band.maximum:,} a year for a full-time post" in text
    assert f"(2025/26 Agenda for Change pay: {band.table.source})" in text
    assert "paid pro rata for 0.6 whole-time equivalent" in text
    assert "not yet confirmed against the published pay scales" in text
    suggested = f"The profile suggests band {role.band} as a starting point;"
    assert f"{suggested} the band is set by job evaluation." in text
    for entered in (
        "22.5 hours over 3 days",
        "Team leader",
        "Clinical lead",
        "Fixed term for 12 months",
    ):
        assert entered in text
    band.confirmed = True
    band.save()
    assert "not yet confirmed" not in page_text(client.get(builder_url(role, pairs)))
    refused = client.get(builder_url(role, [("band", "12z"), ("wte", "3")]))
    assert refused.status_code == 400
    html = unescape(refused.content.decode())
    assert "Choose a band from the list." in html
    assert "The whole-time equivalent must be 1 or less." in html


def test_statements_default_on_a_short_link_and_stay_blank_when_cleared(client, target):
    role, _statements, _standards = target
    text = page_text(client.get(builder_url(role, [("employer", "Trust")])))
    assert "We will make reasonable adjustments" in text
    assert "We are open to flexible working" in text
    cleared = client.get(builder_url(role, [("adjustments", ""), ("flexible", "")]))
    assert "None given." in page_text(cleared)
    checks = check_texts(cleared)
    assert checks["Adjustments and flexible working"].startswith("Check:")


def check_texts(response) -> dict[str, str]:
    """{check title: its whole line} from the page's checks."""
    tree = lxml_html.fromstring(response.content)
    lines = {}
    for item in tree.xpath("//li[contains(@class, 'app-check')]"):
        line = " ".join(item.text_content().split())
        title = item.xpath("strong")[0].text_content().split(":", 1)[1].strip().rstrip(".")
        lines[title] = line
    return lines


def test_the_checks_stay_quiet_on_every_roles_defaults(client):
    for role in RoleProfile.objects.all():
        checks = check_texts(client.get(builder_url(role, [("employer", "Northshire NHS Trust")])))
        assert len(checks) >= 5
        flagged = {title: line for title, line in checks.items() if not line.startswith("OK:")}
        assert not flagged, (role.code, flagged)
        for line in checks.values():
            assert "Source:" in line


def test_the_checks_flag_text_written_to_trip_them(client):
    role = RoleProfile.objects.get(slug="liaison-and-diversion-peer-support-worker")
    own = (
        "At least 5 years' experience in a mental health setting\n"
        "Degree required in a health subject\n"
        "Experience of MDT and CPA work"
    )
    checks = check_texts(client.get(builder_url(role, [("own", own)])))
    assert checks["Years of experience"].startswith("Check:")
    assert "At least 5 years" in checks["Years of experience"]
    assert checks["Degree asked for"].startswith("Check:")
    assert checks["Jargon and abbreviations"].startswith("Check:")
    assert "MDT, CPA" in checks["Jargon and abbreviations"]
    explained = (
        "Experience of multidisciplinary team (MDT) work and the Care Programme Approach (CPA)"
    )
    checks = check_texts(client.get(builder_url(role, [("own", explained)])))
    assert checks["Jargon and abbreviations"].startswith("OK:")
    assert checks["Degree asked for"].startswith("OK:")
    # A registered role that needs a degree-level qualification is not flagged for one.
    practitioner = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    checks = check_texts(client.get(builder_url(practitioner, [("own", "A nursing degree")])))
    assert (
        checks["Degree asked for"].startswith("OK:")
        or "degree" in practitioner.qualifications.lower()
    )
    # Dense writing scores low; essential criteria past the limit are counted.
    dense = (
        "Notwithstanding organisational imperatives, the incumbent will demonstrably "
        "operationalise multidimensional interdisciplinary safeguarding methodologies, "
        "facilitating comprehensive transformational improvement initiatives."
    )
    checks = check_texts(client.get(builder_url(role, [("own", dense)])))
    assert checks["Reading ease"].startswith("Check:")
    many = "\n".join(f"Able to do task number {n}" for n in range(8))
    checks = check_texts(client.get(builder_url(role, [("own", many)])))
    assert checks["Essential criteria"].startswith("Check:")
    assert "20 essential criteria" in checks["Essential criteria"]


def test_the_word_file_uses_words_own_styles_on_a4(client):
    role = RoleProfile.objects.get(slug="liaison-and-diversion-consultant-practitioner")
    document = docx.Document(
        io.BytesIO(client.get(builder_url(role, [("appendix", "on"), ("format", "docx")])).content)
    )
    styles = [paragraph.style.name for paragraph in document.paragraphs if paragraph.text]
    assert styles[0] == "Title"
    assert {"Heading 1", "Heading 2"} <= set(styles)
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    spec = next(t for t in document.tables if t.rows[0].cells[0].text == "Criterion")
    assert spec.style.name == "Light Grid Accent 1"
    header = spec.rows[0]._tr.trPr
    assert header is not None and header.find(qn("w:tblHeader")) is not None


@pytest.mark.parametrize(
    ("field", "label"),
    [("employer", "employer’s name"), ("service", "service or team"), ("location", "base")],
)
def test_too_long_text_is_refused_with_a_message_and_kept_in_the_box(client, target, field, label):
    role, _statements, _standards = target
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


def test_printed_page_shows_the_same_content_as_the_word_file(client, target):
    role, _statements, _standards = target
    pairs = choices(lived="on")
    page = client.get(builder_url(role, pairs))
    assert page.status_code == 200
    assert "app-printable" in page.content.decode()
    text = page_text(page)
    word = docx_text(client.get(builder_url(role, [*pairs, ("format", "docx")])).content)
    for expected in (
        role.title,
        "Northshire Health NHS Trust",
        "Castlegate police station",
        "We welcome applications from people with lived experience of the justice system.",
        role.lived_experience_text.strip(),
        "Non-custodial Career and Competence Framework (2023 edition)",
        f"{settings.PUBLIC_URL}{role.get_absolute_url()}",
        role.responsibility_list[0],
    ):
        assert expected in text
        assert expected in word
    for heading in (
        "Job purpose",
        "Key responsibilities",
        "Person specification",
        "Reasonable adjustments",
        "Flexible working",
        "Training and development",
    ):
        assert heading in text and heading in word
    download = re.search(r'href="([^"]+)" download', page.content.decode()).group(1)
    carried = client.get(builder_url(role) + unescape(download))
    assert docx_text(carried.content) == word, "the download link carries the same choices"


def test_the_lived_experience_line_only_when_asked_and_only_for_roles_with_a_route(client, target):
    role, _statements, _standards = target
    line = "We welcome applications from people with lived experience"
    assert line not in page_text(client.get(builder_url(role, choices())))
    other = make_role(level=4)
    html = client.get(builder_url(other)).content.decode()
    assert "Include a line about the lived-experience route" not in html
    sent = client.get(builder_url(other, [("lived", "on"), ("format", "docx")]))
    assert line not in docx_text(sent.content)


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
    pairs = choices(lived="on")
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
