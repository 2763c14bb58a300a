"""Workforce questions for a procurement, made from a planned skill mix: the page, the
Word document and the Excel workbook hold the same questions; every section the mix
leaves uncovered or to a single post is named; each question serves one key criterion;
and every output says what it is."""

import io
import re
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

import docx
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html

from core.provenance import untranslated_status_statement
from roles.models import RoleProfile
from tests.factories import grow_framework
from tests.helpers import sql
from tests.measure import count_queries
from workforce.skill_mix import LIST_MOST

pytestmark = pytest.mark.django_db

AREAS = [
    "liaison-and-diversion",
    "court-healthcare",
    "mental-health-treatment-requirements",
    "reconnect",
]
COURT = "court-healthcare"
KEY_CRITERIA = {
    "Quality and innovation",
    "Value",
    "Integration, collaboration and service sustainability",
    "Improving access, reducing health inequalities and facilitating choice",
    "Social value",
}
PAGE = "/pathways/skill-mix/questions/"
DOCX = "/pathways/skill-mix/questions.docx"
XLSX = "/pathways/skill-mix/questions.xlsx"
QUESTION_ID = re.compile(r"^Q\d+$")


# --- The mix and what it should name, worked out from the requirement rows ---------------


def roles_in(area: str) -> dict[str, tuple[int, str, bool]]:
    """{role slug: (level, title, lived-experience route)} for the area's roles."""
    rows = sql(
        "SELECT r.slug, l.number, r.title, r.lived_experience_route FROM roles_roleprofile r "
        "JOIN roles_level l ON l.id = r.level_id "
        "JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id "
        "JOIN roles_area a ON a.id = ra.area_id WHERE a.slug = %s",
        area,
    )
    return {slug: (level, title, bool(lived)) for slug, level, title, lived in rows}


def default_mix(area: str) -> dict[str, Decimal]:
    """The planner's starting mix: 1 WTE of each role, 0.5 at levels 7 and 8."""
    return {
        slug: Decimal("0.5") if level >= 7 else Decimal(1)
        for slug, (level, _title, _lived) in roles_in(area).items()
    }


def thin_sections(area: str, mix: dict[str, Decimal]) -> tuple[list[str], dict[str, str]]:
    """(sections, {code: "uncovered" or "single"}): the sections, in framework order,
    holding a competence the area's roles need that no role in the mix needs, or that
    exactly one role in the mix needs with 1 WTE or less."""
    rows = sql(
        """
        SELECT c.code, root.title, r.slug
        FROM roles_rolecompetence rc
        JOIN roles_roleprofile r ON r.id = rc.role_id
        JOIN roles_roleprofile_areas ra ON ra.roleprofile_id = r.id
        JOIN roles_area a ON a.id = ra.area_id
        JOIN competences_competence c ON c.id = rc.competence_id
        JOIN competences_competence root ON root.tree_id = c.tree_id AND root.parent_id IS NULL
        WHERE a.slug = %s
        ORDER BY c.tree_id, c.lft
        """,
        area,
    )
    needed_by: dict[str, set[str]] = {}
    section_of: dict[str, str] = {}
    for code, section, slug in rows:
        needed_by.setdefault(code, set()).add(slug)
        section_of[code] = section
    chosen = {slug for slug, wte in mix.items() if wte > 0}
    thin = {}
    for code, slugs in needed_by.items():
        holders = slugs & chosen
        if not holders:
            thin[code] = "uncovered"
        elif len(holders) == 1 and mix[next(iter(holders))] <= 1:
            thin[code] = "single"
    sections = list(dict.fromkeys(section_of[code] for code in needed_by if code in thin))
    return sections, thin


def query(area: str, mix: dict[str, Decimal] | None) -> str:
    params = [("area", area)]
    if mix is not None:
        params += [(f"wte-{slug}", str(wte)) for slug, wte in mix.items()]
    return urlencode(params)


# --- Reading the three outputs -----------------------------------------------------------


def words(text: str) -> str:
    return " ".join(text.split())


def page_questions(tree) -> list[dict]:
    """Each question on the page: id, topic, text, criterion and good-answer points."""
    found = []
    for section in tree.xpath("//section[contains(@class, 'app-question')]"):
        heading = words(section.xpath("./h3")[0].text_content())
        number, topic = heading.split(". ", 1)
        criteria = [
            words(p.text_content()).removeprefix("Key criterion: ")
            for p in section.xpath("./p[strong]")
            if words(p.text_content()).startswith("Key criterion:")
        ]
        found.append(
            {
                "id": number,
                "topic": topic,
                "text": words(section.xpath("./p[@class='app-question__text']")[0].text_content()),
                "criteria": criteria,
                "good": [words(li.text_content()) for li in section.xpath("./ul/li")],
            }
        )
    return found


def document_questions(document) -> list[dict]:
    """Each question in the Word document: its heading, then its text, then its key
    criterion, then what a good answer shows as bullets."""
    paragraphs = document.paragraphs
    found = []
    for at, paragraph in enumerate(paragraphs):
        if paragraph.style.name == "Heading 2" and QUESTION_ID.match(paragraph.text.split(". ")[0]):
            number, topic = paragraph.text.split(". ", 1)
            criteria = []
            good = []
            for after in paragraphs[at + 2 :]:
                if after.style.name.startswith("Heading"):
                    break
                if after.text.startswith("Key criterion: "):
                    criteria.append(after.text.removeprefix("Key criterion: "))
                elif after.style.name == "List Bullet":
                    good.append(after.text)
            found.append(
                {
                    "id": number,
                    "topic": topic,
                    "text": paragraphs[at + 1].text,
                    "criteria": criteria,
                    "good": good,
                }
            )
    return found


def workbook_questions(book) -> list[dict]:
    header, *rows = book["Questions"].iter_rows(values_only=True)
    assert list(header) == [
        "Question",
        "Topic",
        "Question text",
        "Key criterion",
        "What a good answer shows",
        "Scoring guide",
        "Panel score (0 to 4)",
        "Panel notes: why this score",
    ]
    return [
        {
            "id": row[0],
            "topic": row[1],
            "text": row[2],
            "criteria": [row[3]],
            "good": [line.removeprefix("• ") for line in row[4].split("\n")],
            "panel": (row[6], row[7]),
        }
        for row in rows
    ]


def outputs(client, area: str, mix: dict[str, Decimal] | None = None):
    """(page tree, Word document, workbook) for the mix."""
    page = client.get(f"{PAGE}?{query(area, mix)}")
    assert page.status_code == 200
    tree = html.fromstring(page.content)
    word = client.get(f"{DOCX}?{query(area, mix)}")
    excel = client.get(f"{XLSX}?{query(area, mix)}")
    assert word.status_code == excel.status_code == 200
    assert "attachment" in word["Content-Disposition"]
    return (
        tree,
        docx.Document(io.BytesIO(word.content)),
        openpyxl.load_workbook(io.BytesIO(excel.content)),
    )


def thin_cover(questions: list[dict]) -> dict:
    [question] = [q for q in questions if q["topic"] == "Competences with thin cover"]
    return question


def named_sections(text: str) -> list[str]:
    """The sections a thin-cover question names, in its order."""
    listed = text.split("sections of the framework: ", 1)[1].split(". How will you", 1)[0]
    return listed.split("; ")


# --- Tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
def test_each_default_mix_names_every_section_it_leaves_uncovered_or_to_a_single_post(client, area):
    sections, thin = thin_sections(area, default_mix(area))
    assert sections, "every published service's starting mix has single-post competences"
    tree, document, book = outputs(client, area)
    for questions in (page_questions(tree), document_questions(document), workbook_questions(book)):
        assert named_sections(thin_cover(questions)["text"]) == sections
    # The competences behind the question, in the page's table and the workbook's sheet.
    shown = [
        words(code.text_content())
        for code in tree.xpath("//*[@id='thin-cover-list']//span[@class='app-code']")
    ]
    assert sorted(shown) == sorted(thin)
    [sheet] = [name for name in book.sheetnames if name.startswith("Thin cover")]
    header, *rows = book[sheet].iter_rows(values_only=True)
    assert {row[1] for row in rows} == set(thin)
    assert {row[0] for row in rows} == set(sections)
    for row in rows:
        assert (row[3] == "No role in the mix") == (thin[row[1]] == "uncovered"), row
    [table] = [
        table
        for table in document.tables
        if [cell.text for cell in table.rows[0].cells][:2] == ["Section", "Code"]
    ]
    assert {row.cells[1].text for row in table.rows[1:]} == set(thin)


def test_a_mix_that_leaves_competences_uncovered_names_their_sections_too(client):
    roles = roles_in(COURT)
    lowest = min(roles, key=lambda slug: roles[slug][0])
    mix = {slug: Decimal(2) if slug == lowest else Decimal(0) for slug in roles}
    sections, thin = thin_sections(COURT, mix)
    assert set(thin.values()) == {"uncovered"}, "one post of 2 WTE: no single-post cover"
    tree, document, book = outputs(client, COURT, mix)
    question = thin_cover(page_questions(tree))
    assert named_sections(question["text"]) == sections
    assert "left to no post at all" in question["text"]
    assert named_sections(thin_cover(workbook_questions(book))["text"]) == sections


def test_a_large_gap_names_every_section_and_the_workbook_lists_every_competence(client):
    """Past the page's bound the page lists the first competences, and the question still
    names every section; the workbook and the document list them all."""
    grow_framework(factor=3)
    roles = roles_in(COURT)
    lowest = min(roles, key=lambda slug: (roles[slug][0], slug))
    mix = {slug: Decimal(1) if slug == lowest else Decimal(0) for slug in roles}
    sections, thin = thin_sections(COURT, mix)
    assert len(thin) > LIST_MOST
    tree, document, book = outputs(client, COURT, mix)
    assert named_sections(thin_cover(page_questions(tree))["text"]) == sections
    assert named_sections(thin_cover(document_questions(document))["text"]) == sections
    shown = tree.xpath("//*[@id='thin-cover-list']//span[@class='app-code']")
    assert len(shown) == LIST_MOST
    assert f"This lists the first {LIST_MOST} of {len(thin)}" in words(tree.text_content())
    [sheet] = [name for name in book.sheetnames if name.startswith("Thin cover")]
    assert {row[1] for row in list(book[sheet].iter_rows(values_only=True))[1:]} == set(thin)


@pytest.mark.parametrize("area", AREAS)
def test_the_page_the_word_document_and_the_workbook_hold_the_same_questions(client, area):
    tree, document, book = outputs(client, area)
    on_page = page_questions(tree)
    in_word = document_questions(document)
    in_excel = workbook_questions(book)
    assert [q["id"] for q in on_page] == [f"Q{n}" for n in range(1, len(on_page) + 1)]
    for key in ("id", "topic", "text", "criteria", "good"):
        assert [q[key] for q in in_word] == [q[key] for q in on_page], key
        assert [q[key] for q in in_excel] == [q[key] for q in on_page], key
    # The panel fills in its own score and notes.
    assert all(q["panel"] == (None, None) for q in in_excel)
    assert {q["topic"] for q in on_page} >= {
        "Recruiting to the planned mix",
        "Supervision and appraisal",
        "Training to the competences the mix needs",
        "Retention and career progression",
        "Inclusive recruitment",
    }


@pytest.mark.parametrize("area", AREAS)
def test_every_question_serves_exactly_one_key_criterion(client, area):
    tree, document, book = outputs(client, area)
    for questions in (page_questions(tree), document_questions(document), workbook_questions(book)):
        for question in questions:
            assert len(question["criteria"]) == 1, question["id"]
            assert question["criteria"][0] in KEY_CRITERIA, question
    # Together they reach all five.
    assert {q["criteria"][0] for q in page_questions(tree)} == KEY_CRITERIA


def test_the_lived_experience_roles_in_the_mix_are_named_and_asked_about(client):
    area = "liaison-and-diversion"
    roles = roles_in(area)
    lived = [title for _level, title, route in roles.values() if route]
    others = [title for _level, title, route in roles.values() if not route]
    assert lived and others
    topic = "Recruiting people with lived experience"
    questions = page_questions(html.fromstring(client.get(f"{PAGE}?area={area}").content))
    [question] = [q for q in questions if q["topic"] == topic]
    for title in lived:
        assert title in question["text"]
    assert not any(title in question["text"] for title in others)
    assert question["criteria"] == ["Social value"]
    # Its good answer points to the question on progression by that question's id.
    [progression] = [q for q in questions if q["topic"] == "Retention and career progression"]
    assert f"(see {progression['id']})" in question["good"][-1]

    # A mix without such roles is asked which posts could be opened to them.
    mix = {slug: Decimal(0) if route else Decimal(1) for slug, (_l, _t, route) in roles.items()}
    tree = html.fromstring(client.get(f"{PAGE}?{query(area, mix)}").content)
    [question] = [q for q in page_questions(tree) if q["topic"] == topic]
    assert question["text"].startswith("No role in the planned mix is one the framework marks")
    assert not any(title in question["text"] for title in lived + others)
    evidence = tree.xpath("//dl[contains(@class, 'app-measures')]//a/@href")
    assert evidence and set(evidence) <= {f"#{q['id']}" for q in page_questions(tree)}


def test_the_framework_moves_between_planned_roles_are_named(client):
    area = "liaison-and-diversion"
    moves = sql(
        "SELECT f.title, t.title FROM pathways_progression p "
        "JOIN roles_roleprofile f ON f.id = p.from_role_id "
        "JOIN roles_roleprofile t ON t.id = p.to_role_id",
    )
    titles = {title for _level, title, _route in roles_in(area).values()}
    within = [(start, end) for start, end in moves if start in titles and end in titles]
    assert within
    questions = page_questions(html.fromstring(client.get(f"{PAGE}?area={area}").content))
    [question] = [q for q in questions if q["topic"] == "Retention and career progression"]
    for start, end in within:
        assert f"{start} to {end}" in question["text"]


def test_every_output_says_what_it_is_and_to_check_the_key_criteria(client):
    statement = untranslated_status_statement()
    [(version,)] = sql("SELECT number FROM core_frameworkversion")
    tree, document, book = outputs(client, COURT)
    regulations = "https://www.legislation.gov.uk/uksi/2023/1348/contents/made"
    guidance = (
        "https://www.england.nhs.uk/long-read/the-provider-selection-regime-statutory-guidance/"
    )

    page = words(tree.text_content())
    callout = words(tree.get_element_by_id("what-this-is").text_content())
    assert "not NHS England policy" in callout
    assert "starting point for your own procurement or contract review documents" in callout
    assert "Check the final wording in regulation 5" in callout
    assert statement in callout
    links = tree.get_element_by_id("what-this-is").xpath(".//a/@href")
    assert regulations in links and guidance in links
    assert f"version {version}" in page
    # Regulation 18 is named; only the owners' pages are linked.
    assert "Regulation 18 (Staffing)" in page
    hosts = {urlsplit(href).hostname for href in tree.xpath("//main//a/@href")} - {None}
    assert hosts == {"www.legislation.gov.uk", "www.england.nhs.uk", "www.gov.uk"}

    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    header = document.sections[0].header.paragraphs[0].text
    footer = "\n".join(p.text for p in document.sections[0].footer.paragraphs)
    assert header == statement
    assert f"version {version}" in footer
    assert "not NHS England policy" in text
    assert "Check the final wording in regulation 5" in text
    assert regulations in text and guidance in text

    about = dict(list(book["About"].iter_rows(values_only=True))[1:])
    assert about["Status"] == statement
    assert about["Version"] == version
    assert "not NHS England policy" in about["What this is"]
    assert "Check the final wording in regulation 5" in about["Key criteria"]
    assert about["The regulations"] == regulations
    assert about["Statutory guidance"] == guidance
    # The source is this page, for this mix.
    source = urlsplit(about["Source"])
    assert source.path == PAGE
    expected = [("area", COURT)] + [
        (f"wte-{slug}", format(wte.normalize(), "f")) for slug, wte in default_mix(COURT).items()
    ]
    assert sorted(parse_qsl(source.query)) == sorted(expected)


def test_each_question_has_a_good_answer_and_the_measures_say_how_they_are_counted(client):
    tree, _document, book = outputs(client, "reconnect")
    for question in page_questions(tree):
        assert len(question["good"]) >= 3, question["id"]
    scale = [
        words(row.text_content())
        for row in tree.xpath("//table[contains(@class, 'app-scoring')]/tbody/tr")
    ]
    assert [row.split()[0] for row in scale] == ["4", "3", "2", "1", "0"]
    header, *rows = book["Measures"].iter_rows(values_only=True)
    assert list(header) == ["Measure", "Name", "How it is counted", "Evidence for"]
    names = {row[1] for row in rows}
    assert {
        "Vacancy rate by role",
        "Turnover by role",
        "Supervision",
        "Current development plans",
    } <= names
    ids = {q["id"] for q in page_questions(tree)}
    for measure, _name, counted, evidence in rows:
        assert re.fullmatch(r"M\d+", measure) and len(counted) > 40
        assert set(evidence.split(", ")) <= ids
    # The measure by role points to the question that names every role in the mix.
    [vacancy] = [row for row in rows if row[1] == "Vacancy rate by role"]
    [recruiting] = [
        q for q in page_questions(tree) if q["topic"] == "Recruiting to the planned mix"
    ]
    assert f"(listed in {recruiting['id']})" in vacancy[2]
    for _level, title, _route in roles_in("reconnect").values():
        assert title in recruiting["text"]


def test_the_planner_links_to_the_questions_for_its_mix(client):
    tree = html.fromstring(client.get(f"/pathways/skill-mix/?area={COURT}").content)
    [link] = tree.xpath("//a[normalize-space()='Workforce questions for a procurement']/@href")
    assert link == f"{PAGE}?area={COURT}"
    roles = roles_in(COURT)
    mix = {slug: Decimal("1.5") for slug in roles}
    tree = html.fromstring(client.get(f"/pathways/skill-mix/?{query(COURT, mix)}").content)
    [link] = tree.xpath("//a[normalize-space()='Workforce questions for a procurement']/@href")
    assert urlsplit(link).path == PAGE
    assert sorted(parse_qsl(urlsplit(link).query)) == sorted(parse_qsl(query(COURT, mix)))
    # Beside the annex download.
    annex = tree.xpath("//a[contains(@href, 'annex.docx')]/ancestor::ul[1]//a/@href")
    assert link in annex


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"area": "nowhere"}, "There is no service area called “nowhere”"),
        ({"area": COURT, "wte-no-such-role": "1"}, "There is no role “no-such-role”"),
        ({"area": COURT, "wte-court-healthcare-practitioner": "abc"}, "must be a number"),
        ({"area": COURT, "add": "<script>alert(1)</script>"}, "There is no role"),
    ],
)
def test_a_mix_the_planner_cannot_read_gets_its_message_and_no_files(client, params, message):
    response = client.get(PAGE, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "<script>alert(1)</script>" not in body
    tree = html.fromstring(response.content)
    assert not tree.xpath("//section[contains(@class, 'app-question')]")
    # A service not found is chosen again here; a mix is put right on the planner's
    # page, whose fields the messages name, so they link nowhere here and the page links
    # back to the planner with the same address.
    links = tree.xpath("//div[contains(@class, 'nhsuk-error-summary')]//a/@href")
    if params["area"] == "nowhere":
        assert links == ["#questions-area"]
        assert tree.xpath("//select[@id='questions-area']")
    else:
        assert links == []
        back = tree.xpath("//a[normalize-space()='Put the mix right in the planner']/@href")[0]
        assert sorted(parse_qsl(urlsplit(back).query)) == sorted(params.items())
    for path in (DOCX, XLSX):
        assert client.get(path, params).status_code == 404


@pytest.mark.parametrize(
    "name", ["area", "add", "mix", "others", "wte-court-healthcare-practitioner"]
)
def test_junk_in_any_parameter_never_breaks_the_questions(client, name):
    for value in ["\x00", "a\x00b", "\x01\x1f", "<script>alert(1)</script>", "x" * 3000, "-1"]:
        for path in (PAGE, DOCX, XLSX):
            params = {"area": COURT} | {name: value}
            response = client.get(path, params)
            assert response.status_code in (200, 400, 404), (path, name, value[:10])
            if response["Content-Type"].startswith("text/html"):
                body = response.content.decode()
                assert "\x00" not in body and "<script>alert(1)</script>" not in body


def test_an_empty_mix_gets_no_questions_and_no_files(client):
    response = client.get(PAGE, {"area": COURT, "mix": "none"})
    assert response.status_code == 200
    assert "The mix has no posts" in response.content.decode()
    for path in (DOCX, XLSX):
        assert client.get(path, {"area": COURT, "mix": "none"}).status_code == 404


def test_the_page_without_a_service_asks_for_one(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    tree = html.fromstring(response.content)
    assert COURT in tree.xpath("//select[@name='area']/option/@value")
    assert not tree.xpath("//section[contains(@class, 'app-question')]")


def test_text_from_the_content_cannot_run_or_break_the_files(client):
    """Role titles are the only text of the content's that reach the files' cells first
    hand: one written as a formula stays text, and a character no XML file can hold
    (which the admin refuses, but a raw write could leave) is dropped."""
    role = RoleProfile.objects.filter(areas__slug=COURT).order_by("level__number").first()
    RoleProfile.objects.filter(pk=role.pk).update(title='=HYPERLINK("x")\x0b')
    _tree, document, book = outputs(client, COURT)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert not value.startswith(("=", "+", "-", "@")), (sheet.title, value)
                    assert "\x0b" not in value
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert '=HYPERLINK("x")' in text and "\x0b" not in text


def test_the_questions_store_nothing_and_stay_out_of_caches(client):
    roles = roles_in(COURT)
    mix = dict.fromkeys(roles, Decimal(1))
    with CaptureQueriesContext(connection) as queries:
        for path in (PAGE, DOCX, XLSX):
            response = client.get(f"{path}?{query(COURT, mix)}")
            assert response.status_code == 200
            assert "no-store" in response["Cache-Control"]
            assert response["Referrer-Policy"] == "no-referrer"
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_the_questions_queries_do_not_grow_with_the_framework(client):
    addresses = [f"{path}?area={COURT}" for path in (PAGE, DOCX, XLSX)]
    before = [count_queries(client, address) for address in addresses]
    grow_framework(factor=3)
    after = [count_queries(client, address, warm=False) for address in addresses]
    assert after == before
    assert max(before) <= 14, before
