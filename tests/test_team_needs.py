"""Team training needs: gap files uploaded together, added up with small counts hidden,
learning ranked, an Excel download equal to the page, and bad files refused by name."""

import csv
import io
from collections import Counter

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from roles.models import RoleProfile
from tests.helpers import sql

pytestmark = pytest.mark.django_db

URL = "/pathways/team/"


@pytest.fixture(scope="module")
def role(django_db_setup, django_db_blocker):
    """The seed role that needs the most competences, some of them with learning (on a
    tie, the first in the roles' own order), found with one query for the whole module."""
    with_learning = RoleProfile.objects.filter(
        requirements__competence__learning_opportunities__isnull=False
    )
    with django_db_blocker.unblock():
        return (
            RoleProfile.objects.filter(pk__in=with_learning.values("pk"))
            .annotate(needs=Count("requirements"))
            .order_by("-needs", *RoleProfile._meta.ordering)
            .first()
        )


def role_codes(role) -> list[str]:
    """The role's competence codes, essential ones first."""
    rows = sql(
        "SELECT c.code, rc.requirement FROM roles_rolecompetence rc "
        "JOIN competences_competence c ON c.id = rc.competence_id "
        "JOIN roles_roleprofile r ON r.id = rc.role_id WHERE r.slug = %s "
        "ORDER BY rc.requirement != 'essential', c.code",
        role.slug,
    )
    return [code for code, _requirement in rows]


def gap_file(client, role, gaps: dict[str, str]) -> bytes:
    """The real gap CSV for someone who answered ``gaps`` and was confident in the rest."""
    query = {f"c-{code}": "confident" for code in role_codes(role)}
    query.update({f"c-{code}": answer for code, answer in gaps.items()})
    url = reverse("pathways:self-assessment-result", args=[role.slug])
    response = client.get(url, {**query, "format": "csv"})
    assert response.status_code == 200
    return response.content


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def post(client, files, **fields):
    return client.post(URL, {"files": files, "format": "page", **fields})


def page_counts(response, table="team-gaps-table") -> list[tuple[str, str]]:
    """(code or learning title, count as shown) for each row of one results table."""
    tree = html.fromstring(response.content.decode())
    rows = tree.xpath(f'//table[@id="{table}"]/tbody/tr')
    key = "data-code" if table == "team-gaps-table" else "data-learning"
    return [
        (row.get(key), row.xpath('.//*[contains(@class, "app-team-count")]')[0].text_content())
        for row in rows
    ]


def errors(response) -> str:
    tree = html.fromstring(response.content.decode())
    return " ".join(tree.xpath('//div[@class="nhsuk-error-summary"]//li//text()'))


@pytest.fixture(scope="module")
def team(role, django_db_setup, django_db_blocker):
    """Three people's gap files: one gap for all three, one for two, one for one.

    Built once for the module: the tests only upload them, and the seed content they
    come from does not change."""
    with django_db_blocker.unblock():
        codes = role_codes(role)
        answers = [
            {codes[0]: "not-yet", codes[1]: "partly", codes[-1]: "partly"},
            {codes[0]: "partly", codes[1]: "not-yet"},
            {codes[0]: "not-yet", codes[2]: "partly"},
        ]
        return [gap_file(Client(), role, gaps) for gaps in answers]


def team_role_slug(files: list[bytes]) -> str:
    """The role the gap files name, read from their first data row."""
    rows = csv.DictReader(io.StringIO(files[0].decode("utf-8-sig")))
    return next(rows)["role"]


def counts_in(files: list[bytes]) -> Counter:
    """How many people list each code, read straight from the CSV text."""
    counts = Counter()
    for content in files:
        rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        counts.update({row["code"] for row in rows})
    return counts


def test_the_empty_page_explains_what_to_upload(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" multiple' in page
    assert "Download your gaps as a spreadsheet (CSV)" in page
    assert "Show exact numbers" in page
    assert "Nothing is saved" in page
    assert 'id="results"' not in page


def test_counts_are_the_union_of_the_uploaded_gaps_with_essential_first(client, role, team):
    response = post(client, [upload(f"gaps-{n}.csv", f) for n, f in enumerate(team)], exact="1")
    assert response.status_code == 200
    shown = page_counts(response)
    assert dict(shown) == {code: str(count) for code, count in counts_in(team).items()}
    essential = {
        code
        for (code,) in sql(
            "SELECT c.code FROM roles_rolecompetence rc "
            "JOIN competences_competence c ON c.id = rc.competence_id "
            "JOIN roles_roleprofile r ON r.id = rc.role_id "
            "WHERE r.slug = %s AND rc.requirement = 'essential'",
            role.slug,
        )
    }
    flags = [code in essential for code, _count in shown]
    assert flags == sorted(flags, reverse=True), "essential competences come first"
    assert "From 3 people’s results." in response.content.decode()


def test_one_combined_file_counts_the_same_as_separate_files(client, team):
    combined = b"".join(team)
    response = post(client, [upload("team.csv", combined)], exact="1")
    assert dict(page_counts(response)) == {
        code: str(count) for code, count in counts_in(team).items()
    }


def test_a_gap_shared_by_fewer_than_three_people_is_not_counted_exactly(client, role, team):
    codes = role_codes(role)
    files = [upload(f"gaps-{n}.csv", f) for n, f in enumerate(team)]
    shown = dict(page_counts(post(client, files)))
    assert shown[codes[0]] == "3"
    assert shown[codes[1]] == "fewer than 3"
    assert shown[codes[2]] == "fewer than 3"
    files = [upload(f"gaps-{n}.csv", f) for n, f in enumerate(team)]
    exact = dict(page_counts(post(client, files, exact="1")))
    assert (exact[codes[1]], exact[codes[2]]) == ("2", "1")


def test_learning_is_ranked_by_the_team_gaps_it_addresses(client, team):
    counts = counts_in(team)
    links = sql(
        "SELECT l.title, c.code, l.suits_from, l.suits_to FROM competences_learningopportunity l "
        "JOIN competences_learningopportunity_competences lc ON lc.learningopportunity_id = l.id "
        "JOIN competences_competence c ON c.id = lc.competence_id"
    )
    # Everyone in the team holds the one role: learning counts only if it suits its level.
    level = sql(
        "SELECT lv.number FROM roles_roleprofile r JOIN roles_level lv ON lv.id = r.level_id "
        "WHERE r.slug = %s",
        team_role_slug(team),
    )[0][0]
    expected = Counter()
    for title, code, low, high in links:
        if code in counts and low <= level <= high:
            expected[title] += counts[code]
    ranked = sorted(expected.items(), key=lambda pair: (-pair[1], pair[0]))
    assert ranked, "the chosen gaps have some learning"
    files = [upload(f"gaps-{n}.csv", f) for n, f in enumerate(team)]
    shown = page_counts(post(client, files, exact="1"), "team-learning-table")
    assert shown == [(title, str(count)) for title, count in ranked]
    files = [upload(f"gaps-{n}.csv", f) for n, f in enumerate(team)]
    suppressed = dict(page_counts(post(client, files), "team-learning-table"))
    for title, count in ranked:
        assert suppressed[title] == (str(count) if count >= 3 else "fewer than 3")


def test_the_excel_download_equals_the_page(client, team):
    files = [upload(f"gaps-{n}.csv", f) for n, f in enumerate(team)]
    page = post(client, files)
    files = [upload(f"gaps-{n}.csv", f) for n, f in enumerate(team)]
    response = client.post(URL, {"files": files, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="team-training-needs.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["About", "Gaps", "Learning"]
    gaps = book["Gaps"]
    assert gaps.freeze_panes == "A2"
    header = [cell.value for cell in gaps[1]]
    count_at, note_at = header.index("People with this gap"), header.index("Count not shown")
    assert note_at == count_at + 1
    rows = list(gaps.iter_rows(min_row=2, values_only=True))
    # The count column holds only numbers, or nothing where the page says "fewer than 3",
    # which the column beside it says instead.
    shown = [(row[0], row[note_at] or str(row[count_at])) for row in rows]
    assert shown == page_counts(page)
    assert {type(row[count_at]) for row in rows} == {int, type(None)}
    assert all((row[count_at] is None) == (row[note_at] == "fewer than 3") for row in rows)
    sheet = book["Learning"]
    header = [cell.value for cell in sheet[1]]
    count_at, note_at = header.index("Team gaps it addresses"), header.index("Count not shown")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert all(isinstance(row[count_at], int) or row[count_at] is None for row in rows)
    learning = [(row[0], row[note_at] or str(row[count_at])) for row in rows]
    assert learning == page_counts(page, "team-learning-table")


def a_gap_csv(role, rows: list[list[str]]) -> bytes:
    header = "role,section,code,competence,required proficiency,essential or desirable,"
    header += "your answer,standards,learning\r\n"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return (header + out.getvalue()).encode()


def row_for(role, code, **change) -> list[str]:
    row = {
        "slug": role.slug,
        "section": "A section",
        "code": code,
        "competence": "A competence",
        "proficiency": "Working",
        "requirement": "Essential",
        "answer": "Partly",
        "standards": "",
        "learning": "",
    }
    row.update(change)
    return list(row.values())


BAD_FILES = {
    "a picture": (
        "photo.png",
        lambda role: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        "“photo.png” is not a CSV file",
    ),
    "another tool's CSV": (
        "staff.csv",
        lambda role: b"name,email,grade\r\nSam,sam@example.org,5\r\n",
        "“staff.csv” is not a gap file from this site’s self-assessment",
    ),
    "a role that does not exist": (
        "gaps-astronaut.csv",
        lambda role: a_gap_csv(role, [row_for(role, role_codes(role)[0], slug="astronaut")]),
        "“gaps-astronaut.csv” is for a role that does not exist: “astronaut”",
    ),
    "a competence the role lacks": (
        "gaps-edited.csv",
        lambda role: a_gap_csv(role, [row_for(role, "ZZ99")]),
        "“gaps-edited.csv” lists competences that",
    ),
    "a file over the size limit": (
        "huge.csv",
        lambda role: a_gap_csv(role, [row_for(role, role_codes(role)[0], learning="x" * 210_000)]),
        "“huge.csv” is 205 KB, which is over the 200 KB limit",
    ),
    "a formula in a cell": (
        "gaps-formula.csv",
        lambda role: a_gap_csv(
            role, [row_for(role, role_codes(role)[0], competence='=HYPERLINK("http://x")')]
        ),
        "“gaps-formula.csv”, row 2: a cell starts with “=”, so it looks like a spreadsheet formula",
    ),
    "NUL bytes": (
        "gaps-nul.csv",
        lambda role: a_gap_csv(role, [row_for(role, role_codes(role)[0], section="A\x00B")]),
        "“gaps-nul.csv” is not a CSV file: it holds binary data",
    ),
    "not UTF-8": (
        "gaps-latin1.csv",
        lambda role: a_gap_csv(role, [row_for(role, role_codes(role)[0])]) + "é".encode("latin-1"),
        "“gaps-latin1.csv” is not plain text in UTF-8",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_by_name_with_the_problem(client, role, team, case):
    name, make, message = BAD_FILES[case]
    files = [upload("gaps-good.csv", team[0]), upload(name, make(role))]
    response = post(client, files)
    assert response.status_code == 400
    assert message in errors(response)
    assert "gaps-good.csv" not in errors(response), "only the bad file is named"
    assert 'id="results"' not in response.content.decode(), "no partial result is shown"


def test_too_many_files_are_refused(client, team):
    files = [upload(f"gaps-{n}.csv", team[0]) for n in range(51)]
    response = post(client, files)
    assert response.status_code == 400
    assert "You chose 51 files. Upload up to 50 at a time" in errors(response)


def test_files_adding_up_to_more_than_2_mb_are_refused(client, role):
    big = a_gap_csv(role, [row_for(role, role_codes(role)[0], learning="x" * 190_000)])
    files = [upload(f"gaps-{n}.csv", big) for n in range(12)]
    response = post(client, files)
    assert response.status_code == 400
    assert "The files you chose add up to" in errors(response)


def test_no_file_chosen_is_explained(client):
    response = client.post(URL, {"format": "page"})
    assert response.status_code == 400
    assert "Choose at least one gap file" in errors(response)


def test_the_page_stores_nothing_and_stays_out_of_caches(client, role, team):
    with CaptureQueriesContext(connection) as queries:
        responses = [
            client.get(URL),
            post(client, [upload("a.csv", team[0]), upload("b.csv", team[1])]),
            client.post(URL, {"files": [upload("a.csv", team[0])], "format": "xlsx"}),
            post(client, [upload("bad.png", b"\x89PNG\x00")]),
        ]
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    blank_form, *answers = responses
    # The blank form is the same for everyone (the page cache may keep it); every answer
    # to an upload is no-store.
    assert "no-store" not in blank_form.get("Cache-Control", "")
    assert not blank_form.cookies, "no CSRF cookie, so the form can be kept"
    for response in answers:
        assert "no-store" in response["Cache-Control"]
    for response in responses:
        assert response["X-Robots-Tag"] == "noindex"
        assert "?" not in response.get("Location", ""), "nothing entered goes in an address"
        assert "sessionid" not in response.cookies


def test_an_upload_needs_no_token_from_an_earlier_page(role, team):
    """The form carries no CSRF token, so an upload works even when the browser sends
    no cookie or a null Origin; the upload changes nothing on the server."""
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        URL,
        {"files": [upload("a.csv", team[0])], "format": "page"},
        headers={"origin": "null"},
    )
    assert response.status_code == 200
    assert page_counts(response), "the team's needs are shown"
    assert b"csrfmiddlewaretoken" not in strict.get(URL).content
