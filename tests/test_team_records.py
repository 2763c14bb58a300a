"""A team's development records: record files uploaded together, counted by people with
small counts hidden, an Excel download equal to the page, bad files refused by name while
the others are counted, and nothing stored, logged or shown that a person wrote.

Every expected count is worked out here with plain loops over the test's own plan of
who has what, never with the code under test."""

import datetime
import io
import logging
from collections import Counter, defaultdict
from typing import NamedTuple

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html

from core.provenance import status_statement
from pathways.development_record import (
    MAX_FILE_BYTES,
    PROFICIENCY_NAMES,
    RECORD_FORMAT,
    DevelopmentRecord,
    RecordItem,
    record_json,
)
from pathways.gap_files import FILE_LIMIT, GapFileUploadHandler
from tests.helpers import sql

pytestmark = pytest.mark.django_db

URL = "/pathways/team/records/"
# Written into every record's notes, names and initials: none of it may be shown.
SECRET = "Quillfeather"
FEWER = "fewer than 3"
FROM_FEWER = "from fewer than 3 people"
NOT_SHOWN = "not shown"


class Entry(NamedTuple):
    """One competence in a planned record."""

    action: bool
    days: int | None  # the target date, in days from today
    confirmed: bool


OVERDUE = Entry(action=True, days=-30, confirmed=False)
DUE = Entry(action=True, days=30, confirmed=False)
UNDATED = Entry(action=True, days=None, confirmed=False)
DONE = Entry(action=True, days=-30, confirmed=True)  # its date passed, but confirmed
CONFIRMED = Entry(action=False, days=None, confirmed=True)
NOTE = Entry(action=False, days=None, confirmed=False)  # evidence only

# Twelve people; a0-a2 are three competences of one section, b0-b2 of the next, c0-c2 of
# a third. Each table gets counts shown, counts from fewer than 3 people and totals
# withheld because they add up a hidden count (checked by the first test below).
PLAN = [
    {"a0": OVERDUE, "a1": DUE, "b0": CONFIRMED},
    {"a0": DONE, "a2": UNDATED},
    {"a0": DUE, "b1": OVERDUE},
    {"a1": OVERDUE, "c0": OVERDUE, "c1": OVERDUE, "c2": OVERDUE},
    {"a0": OVERDUE, "b0": CONFIRMED, "b1": CONFIRMED},
    {"b0": DUE, "b2": CONFIRMED},
    {"a2": DUE, "c0": NOTE},
    {"a0": NOTE, "b2": NOTE},
    {"a0": OVERDUE, "b1": OVERDUE, "b0": CONFIRMED},
    {"b1": OVERDUE, "a1": DONE},
    {"a2": DONE},
    {},  # a record with nothing in it yet is still a person
]
SECOND_ROLE_FROM = 7  # people 7, 8 and 9 hold another role: a mixed team


def is_action(entry: Entry) -> bool:
    return entry.action


def is_overdue(entry: Entry) -> bool:
    return entry.action and entry.days is not None and entry.days < 0 and not entry.confirmed


def is_confirmed(entry: Entry) -> bool:
    return entry.confirmed


@pytest.fixture(scope="module")
def framework(django_db_setup, django_db_blocker):
    """{plan key: (code, title, section title)} for three statements in each of the
    first three sections with three, in the framework's order; and the sections' order."""
    with django_db_blocker.unblock():
        rows = sql(
            "SELECT c.code, c.title, s.title FROM competences_competence c "
            "JOIN competences_competence s ON s.tree_id = c.tree_id AND s.parent_id IS NULL "
            "WHERE c.kind = 'statement' ORDER BY c.tree_id, c.lft"
        )
        roles = sql(
            "SELECT slug, title FROM roles_roleprofile ORDER BY slug LIMIT 2",
        )
    by_section = defaultdict(list)
    for code, title, section in rows:
        by_section[section].append((code, title, section))
    chosen = [section for section, found in by_section.items() if len(found) >= 3][:3]
    competences = {
        f"{letter}{number}": by_section[section][number]
        for letter, section in zip("abc", chosen, strict=True)
        for number in range(3)
    }
    return {"competences": competences, "sections": chosen, "roles": roles}


def build_record(person: int, entries: dict[str, Entry], framework, today) -> DevelopmentRecord:
    slug, title = framework["roles"][person >= SECOND_ROLE_FROM]
    items = []
    for key, entry in entries.items():
        code, competence, section = framework["competences"][key]
        items.append(
            RecordItem(
                code=code,
                title=competence,
                section=section,
                required=min(PROFICIENCY_NAMES),
                essential=True,
                self_rating="partly",
                evidence=f"{SECRET} evidence {person}",
                action=f"{SECRET} action {person}" if entry.action else "",
                target=today + datetime.timedelta(days=entry.days) if entry.days else None,
                learning=[f"{SECRET} course {person}"],
                confirmed=entry.confirmed,
                initials=f"QZ{person}" if entry.confirmed else "",
            )
        )
    return DevelopmentRecord(
        role_slug=slug,
        role_title=title,
        framework_version=1,
        made_on=today - datetime.timedelta(days=90),
        supervisor=f"Dr {SECRET} {person}",
        meeting=today - datetime.timedelta(days=60),
        next_review=today + datetime.timedelta(days=90),
        items=items,
    )


@pytest.fixture
def team(framework) -> list[bytes]:
    today = timezone.localdate()
    return [
        record_json(build_record(person, entries, framework, today))
        for person, entries in enumerate(PLAN)
    ]


def uploads(files: list[bytes], names: list[str] | None = None) -> list[SimpleUploadedFile]:
    names = names or [f"record-{number}.json" for number in range(len(files))]
    return [
        SimpleUploadedFile(name, data, content_type="application/json")
        for name, data in zip(names, files, strict=True)
    ]


def post(client, files, format="page"):
    return client.post(URL, {"files": files, "format": format})


# --- What the test expects, worked out from the plan --------------------------------


def people_text(people: int) -> str:
    return str(people) if people >= 3 else FEWER


def items_text(items: int, people: int, parts: list[str]) -> str:
    """A number of actions or competences as shown: hidden when from fewer than 3
    people, and withheld when it adds up ``parts`` (as shown) of which one is hidden."""
    if people < 3:
        return FROM_FEWER
    if any(not part.isdigit() for part in parts):
        return NOT_SHOWN
    return str(items)


def expected_competences(framework) -> dict[str, str]:
    """{code: people with an agreed action on it, as shown}."""
    people = Counter()
    for entries in PLAN:
        for key, entry in entries.items():
            if entry.action:
                people[framework["competences"][key][0]] += 1
    return {code: people_text(count) for code, count in people.items()}


def expected_sections(framework, counted) -> dict[str, tuple[str, str]]:
    """{section title, or "" for all sections: (people shown, items shown)}. In the
    actions table a section's actions add up its competences' counts."""
    people = defaultdict(set)
    items = Counter()
    codes = defaultdict(set)
    everyone = set()
    for person, entries in enumerate(PLAN):
        for key, entry in entries.items():
            if counted(entry):
                code, _title, section = framework["competences"][key]
                people[section].add(person)
                items[section] += 1
                codes[section].add(code)
                everyone.add(person)
    competences = expected_competences(framework) if counted is is_action else {}
    expected = {
        section: (
            people_text(len(people[section])),
            items_text(
                items[section],
                len(people[section]),
                [competences[code] for code in codes[section] if code in competences],
            ),
        )
        for section in people
    }
    expected[""] = (
        people_text(len(everyone)),
        items_text(
            sum(items.values()), len(everyone), [shown for _people, shown in expected.values()]
        ),
    )
    return expected


# --- Reading the page and the workbook -----------------------------------------------


def count_in(node, kind: str = "") -> str:
    """The count shown in ``node`` (in its cell of ``kind``, people or items, if given)."""
    cell = f'./td[@data-count="{kind}"]' if kind else "."
    return node.xpath(cell + '//*[contains(@class, "app-team-count")]')[0].text_content()


def page_sections(tree, table_id: str) -> dict[str, tuple[str, str]]:
    """{section title, or "" for all sections: (people shown, items shown)}."""
    return {
        row.get("data-section"): (count_in(row, "people"), count_in(row, "items"))
        for row in tree.xpath(f'//table[@id="{table_id}"]/tbody/tr')
    }


def page_competences(tree) -> dict[str, str]:
    """{code: people with an agreed action on it, as shown}."""
    return {
        row.get("data-code"): count_in(row)
        for row in tree.xpath('//table[@id="action-competences-table"]/tbody/tr')
    }


def refused_on_page(tree) -> list[str]:
    return [li.text_content() for li in tree.xpath('//li[@class="app-records-refused"]')]


def errors(response) -> str:
    tree = html.fromstring(response.content.decode())
    return " ".join(tree.xpath('//div[@class="nhsuk-error-summary"]//li//text()'))


def shown_cell(value, note) -> str:
    """A workbook count as the page shows it: the number, or what a blank stands for."""
    assert (value is None) == (note is not None), "a count is a number or a note, never both"
    assert value is None or isinstance(value, int)
    return note if value is None else str(value)


def sheet_sections(sheet) -> dict[str, tuple[str, str]]:
    rows = list(sheet.iter_rows(values_only=True))
    section, people, people_note, items, items_note = rows[0]
    assert section == "Section"
    assert (people_note, items_note) == (f"{people}: count not shown", f"{items}: count not shown")
    return {
        "" if title == "All sections" else title: (
            shown_cell(people, people_note),
            shown_cell(items, items_note),
        )
        for title, people, people_note, items, items_note in rows[1:]
    }


# --- The tests ----------------------------------------------------------------------


def test_the_plan_covers_shown_hidden_and_withheld_counts(framework):
    for counted in (is_action, is_overdue, is_confirmed):
        expected = expected_sections(framework, counted)
        texts = {text for pair in expected.values() for text in pair}
        assert any(text.isdigit() for text in texts)
        assert FROM_FEWER in texts or counted is is_confirmed
        assert {FEWER, NOT_SHOWN} & texts or counted is is_confirmed
    actions = expected_sections(framework, is_action)
    assert {items for _people, items in actions.values()} == {"11", NOT_SHOWN, FROM_FEWER}
    assert expected_sections(framework, is_confirmed)[""] == ("7", "8"), "a total shown"
    assert expected_sections(framework, is_overdue)[""][1] == NOT_SHOWN
    shown = expected_competences(framework).values()
    assert FEWER in shown and any(text.isdigit() for text in shown)
    assert len(PLAN) >= 8


def test_the_empty_page_explains_what_to_upload(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = html.fromstring(response.content.decode()).text_content()
    assert 'type="file" multiple' in response.content.decode()
    assert "Nothing is saved" in page
    assert "A count that comes from fewer than 3 people is not shown" in page
    assert 'id="results"' not in response.content.decode()
    head = client.head(URL)
    assert head.status_code == 200
    assert head.content == b""


def test_the_team_training_page_links_here(client):
    tree = html.fromstring(client.get(reverse("workforce:team")).content.decode())
    assert tree.xpath(f'//a[@href="{URL}"]')


def test_every_count_on_the_page_is_the_plans_with_small_ones_hidden(client, framework, team):
    response = post(client, uploads(team))
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    assert tree.get_element_by_id("records-read").text_content() == (
        f"From {len(PLAN)} people’s records."
    )
    assert page_sections(tree, "actions-table") == expected_sections(framework, is_action)
    assert page_sections(tree, "overdue-table") == expected_sections(framework, is_overdue)
    assert page_sections(tree, "confirmed-table") == expected_sections(framework, is_confirmed)
    assert page_competences(tree) == expected_competences(framework)
    assert not refused_on_page(tree)


def test_no_hidden_count_can_be_worked_out_from_a_total_shown(client, team):
    tree = html.fromstring(post(client, uploads(team)).content.decode())
    rows = tree.xpath('//table[@id="action-competences-table"]/tbody/tr')
    parts = defaultdict(list)
    for row in rows:
        parts[row.get("data-section")].append(count_in(row))
    for table in ("actions-table", "overdue-table", "confirmed-table"):
        sections = page_sections(tree, table)
        total = sections.pop("")
        if table == "actions-table":
            for section, (_people, items) in sections.items():
                shown = parts[section]
                assert items in (FROM_FEWER, NOT_SHOWN) or all(p.isdigit() for p in shown)
                assert not items.isdigit() or int(items) == sum(map(int, shown))
        items = [items for _people, items in sections.values()]
        assert total[1] in (FROM_FEWER, NOT_SHOWN) or all(i.isdigit() for i in items), table
        assert not total[1].isdigit() or int(total[1]) == sum(map(int, items))


def test_sections_and_competences_keep_the_frameworks_order(client, framework, team):
    tree = html.fromstring(post(client, uploads(team)).content.decode())
    sections = [row.get("data-section") for row in tree.xpath('//*[@id="actions-table"]//tr')]
    assert sections[1:] == [*framework["sections"], ""]
    codes = [row.get("data-code") for row in tree.xpath('//*[@id="action-competences-table"]//tr')]
    in_order = [code for code, _title, _section in framework["competences"].values()]
    assert codes[1:] == [code for code in in_order if code in expected_competences(framework)]


def test_the_page_states_its_rules(client, team):
    page = html.fromstring(post(client, uploads(team)).content.decode()).text_content()
    assert (
        "A count that comes from fewer than 3 people is not shown, so no one’s record can be "
        "picked out: a number of people shows as “fewer than 3”, and a number of actions or "
        "competences as “from fewer than 3 people”."
    ) in page
    assert "A file that is exactly the same as one already read" in page
    day = timezone.localdate()
    assert f"target date is before {day.day} {day:%B %Y}" in page


def test_the_excel_download_holds_the_same_counts(client, framework, team):
    response = post(client, uploads(team), format="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="team-development-records.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "About",
        "Summary",
        "Actions by section",
        "Actions by competence",
        "Overdue by section",
        "Confirmed by section",
    ]
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Status"] == status_statement()
    assert about["Version"] == sql("SELECT number FROM core_frameworkversion")[0][0]
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Records read"] == len(PLAN)
    assert summary["Files not used"] == 0
    assert "from fewer than 3 people" in summary["Small numbers"]
    assert sheet_sections(book["Actions by section"]) == expected_sections(framework, is_action)
    assert sheet_sections(book["Overdue by section"]) == expected_sections(framework, is_overdue)
    assert sheet_sections(book["Confirmed by section"]) == expected_sections(
        framework, is_confirmed
    )
    rows = list(book["Actions by competence"].iter_rows(values_only=True))
    assert rows[0] == (
        "Section",
        "Code",
        "Competence",
        "People with an agreed action",
        "Count not shown",
    )
    titles = {code: (title, section) for code, title, section in framework["competences"].values()}
    assert {row[1]: shown_cell(row[3], row[4]) for row in rows[1:]} == expected_competences(
        framework
    )
    assert all(titles[row[1]] == (row[2], row[0]) for row in rows[1:])
    text = " ".join(
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row
    )
    assert SECRET not in text


def test_counts_from_one_or_two_people_never_appear_as_numbers(client, framework, team):
    """Two of the plan's people alone: every count on the page comes from fewer than 3."""
    response = post(client, uploads(team[:2]))
    tree = html.fromstring(response.content.decode())
    counts = [node.text_content() for node in tree.xpath('//*[contains(@class, "app-team-count")]')]
    assert counts
    assert set(counts) <= {FEWER, FROM_FEWER}
    book = openpyxl.load_workbook(io.BytesIO(post(client, uploads(team[:2]), "xlsx").content))
    tables = [name for name in book.sheetnames if name not in ("About", "Summary")]
    assert len(tables) == 4
    for name in tables:
        for row in book[name].iter_rows(min_row=2, values_only=True):
            assert not any(isinstance(value, int) for value in row), (name, row)


def test_the_same_file_twice_counts_once_and_says_so(client, framework, team):
    files = uploads(
        [*team, team[0]], [*(f"record-{n}.json" for n in range(len(team))), "copy.json"]
    )
    tree = html.fromstring(post(client, files).content.decode())
    assert tree.get_element_by_id("records-read").text_content() == (
        f"From {len(PLAN)} people’s records."
    )
    repeated = [li.text_content() for li in tree.xpath('//li[@class="app-records-repeated"]')]
    assert repeated == ["“copy.json” is the same file as “record-0.json”, so it was counted once."]
    assert page_sections(tree, "actions-table") == expected_sections(framework, is_action)


@pytest.fixture
def bad_files(client, framework) -> dict[str, bytes]:
    """Files a manager might choose by mistake, each to be refused by name."""
    slug = framework["roles"][0][0]
    codes = sql(
        "SELECT c.code FROM roles_rolecompetence rc "
        "JOIN competences_competence c ON c.id = rc.competence_id "
        "JOIN roles_roleprofile r ON r.id = rc.role_id WHERE r.slug = %s",
        slug,
    )
    answers = {f"c-{code}": "confident" for (code,) in codes}
    answers[f"c-{codes[0][0]}"] = "not-yet"
    gaps = client.get(
        reverse("pathways:self-assessment-result", args=[slug]), {**answers, "format": "csv"}
    )
    assert gaps.status_code == 200
    framework_json = client.get("/export/framework.json")
    assert framework_json.status_code == 200
    changed = record_json(build_record(0, PLAN[0], framework, timezone.localdate()))
    changed = changed.replace(RECORD_FORMAT.encode(), b"some-other-tool/record")
    return {
        "gaps.csv": gaps.content,
        "framework.json": framework_json.content,
        "empty.json": b"",
        "latin1.json": '{"format": "café"}'.encode("latin-1"),
        "huge.json": b"{" + b" " * (MAX_FILE_BYTES + 100_000) + b"}",
        "changed.json": changed,
    }


def test_bad_files_are_refused_by_name_and_the_rest_are_counted(client, framework, team, bad_files):
    good = uploads(team)
    bad = uploads(list(bad_files.values()), list(bad_files))
    response = post(client, [*good[:5], *bad, *good[5:]])
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    messages = refused_on_page(tree)
    assert len(messages) == len(bad_files)
    for name, message in zip(bad_files, messages, strict=True):
        assert message.startswith(f"“{name}”"), message
    assert "“empty.json” is empty" in messages[2]
    assert "“latin1.json” is not a development record: it is not UTF-8 text" in messages[3]
    assert "which is over the 1 MB limit for one file" in messages[4]
    assert "“changed.json” is not a development record from this site" in messages[5]
    assert "“gaps.csv” is not a development record: it is not JSON" in messages[0]
    assert "“framework.json” is not a development record from this site" in messages[1]
    assert not any("record-" in message for message in messages), "good files are not named"
    assert tree.get_element_by_id("records-read").text_content() == (
        f"From {len(PLAN)} people’s records."
    )
    assert page_sections(tree, "actions-table") == expected_sections(framework, is_action)
    assert page_sections(tree, "overdue-table") == expected_sections(framework, is_overdue)
    assert page_sections(tree, "confirmed-table") == expected_sections(framework, is_confirmed)
    assert not tree.xpath('//div[@class="nhsuk-error-summary"]'), "the result is shown"

    book = openpyxl.load_workbook(
        io.BytesIO(
            post(
                client,
                [*uploads(team), *uploads(list(bad_files.values()), list(bad_files))],
                "xlsx",
            ).content
        )
    )
    assert dict(book["Summary"].iter_rows(min_row=2, values_only=True))["Files not used"] == len(
        bad_files
    )
    listed = [row[0] for row in book["Files not counted"].iter_rows(min_row=2, values_only=True)]
    assert listed == messages


def test_every_file_refused_is_a_400_with_each_message(client, bad_files):
    response = post(client, uploads(list(bad_files.values()), list(bad_files)))
    assert response.status_code == 400
    listed = errors(response)
    for name in bad_files:
        assert f"“{name}”" in listed
    assert 'id="results"' not in response.content.decode()
    response = post(client, uploads([bad_files["gaps.csv"]], ["gaps.csv"]), format="xlsx")
    assert response.status_code == 400, "no workbook of nothing"
    assert response["Content-Type"].startswith("text/html")


def test_no_file_or_too_many_files_is_a_400(client, team):
    response = client.post(URL, {"format": "page"})
    assert response.status_code == 400
    assert "Choose at least one development record file" in errors(response)
    response = post(client, uploads([team[0]] * 51))
    assert response.status_code == 400
    assert "You chose 51 files. Upload up to 50 at a time." in errors(response)


def big_record(framework, number: int, size: int) -> bytes:
    """A real record file of at most ``size`` bytes, close to it: long evidence on many
    competences."""

    def record(count: int) -> bytes:
        items = [
            RecordItem(code=f"ZZ.{number:02d}.{index:04d}", section="Filler", evidence="e" * 1900)
            for index in range(count)
        ]
        return record_json(DevelopmentRecord(role_slug=framework["roles"][0][0], items=items))

    one, two = len(record(1)), len(record(2))
    data = record(1 + (size - one) // (two - one))
    assert FILE_LIMIT < size - (two - one) < len(data) <= size <= MAX_FILE_BYTES
    return data


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/pathways/team/records/", MAX_FILE_BYTES),
        ("/pathways/self-assessment/liaison-and-diversion-practitioner/record/", MAX_FILE_BYTES),
        ("/pathways/team/", FILE_LIMIT),
        ("/pathways/self-assessment/liaison-and-diversion-practitioner/earlier/", FILE_LIMIT),
        ("/pathways/team/records/extra/", FILE_LIMIT),
    ],
)
def test_the_upload_handler_keeps_record_sized_files_only_on_the_record_pages(path, limit):
    handler = GapFileUploadHandler(RequestFactory().post(path))
    handler.new_file("files", "a.json", "application/json", None)
    sent = b"x" * (MAX_FILE_BYTES + 50_000)
    for start in range(0, len(sent), 64 * 1024):
        handler.receive_data_chunk(sent[start : start + 64 * 1024], start)
    upload = handler.file_complete(len(sent))
    assert upload.size == len(sent)
    assert len(upload.read()) == limit + 1, "bytes past the limit are not kept"


def test_a_record_larger_than_a_gap_file_is_read_here_and_refused_on_the_gap_page(
    client, framework
):
    data = big_record(framework, 1, 600 * 1024)
    response = post(client, uploads([data]))
    assert response.status_code == 200
    assert html.fromstring(response.content.decode()).get_element_by_id(
        "records-read"
    ).text_content() == ("From 1 person’s record.")
    response = client.post(
        reverse("workforce:team"), {"files": uploads([data], ["big.json"]), "format": "page"}
    )
    assert response.status_code == 400
    assert "over the 200 KB limit for one file" in errors(response)


def test_files_past_the_total_limit_are_refused_and_the_first_still_counted(client, framework):
    files = [big_record(framework, number, MAX_FILE_BYTES) for number in range(11)]
    assert sum(map(len, files)) > 10 * 1024 * 1024
    response = post(client, uploads(files))
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    messages = refused_on_page(tree)
    assert messages
    assert all("the files you chose add up to more than 10 MB" in m for m in messages)
    read = int(tree.get_element_by_id("records-read").text_content().split()[1])
    assert read + len(messages) == len(files)


def row_counts() -> dict[str, int]:
    """Rows in every table of the database, counted with plain SQL."""
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_nothing_is_stored_logged_or_shown_from_what_people_wrote(client, team, bad_files, caplog):
    caplog.set_level(logging.DEBUG)
    before = row_counts()
    with CaptureQueriesContext(connection) as queries:
        responses = [
            client.get(URL),
            post(client, uploads(team)),
            post(client, uploads(team), format="xlsx"),
            post(client, uploads(list(bad_files.values()), list(bad_files))),
        ]
    assert row_counts() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert SECRET not in caplog.text
    blank_form, page, workbook, refused = responses
    assert "no-store" not in blank_form.get("Cache-Control", "")
    assert not blank_form.cookies, "no CSRF cookie, so the form can be kept"
    for response in (page, workbook, refused):
        assert "no-store" in response["Cache-Control"]
    for response in responses:
        assert response["X-Robots-Tag"] == "noindex"
        assert "sessionid" not in response.cookies
    text = page.content.decode()
    assert SECRET not in text, "no notes, actions, learning or supervisor's name"
    for person in range(len(PLAN)):
        assert f"QZ{person}" not in text, "no supervisor's initials"


def test_the_page_makes_as_many_queries_for_thirty_records_as_for_three(client, framework):
    today = timezone.localdate()

    def records(count: int) -> list[bytes]:
        # Different people (supervisors differ), so none is a repeat of another.
        return [
            record_json(build_record(person, PLAN[person % len(PLAN)], framework, today)).replace(
                SECRET.encode(), f"{SECRET}{person}".encode()
            )
            for person in range(count)
        ]

    post(client, uploads(records(3)))  # what is kept per process and content version
    counts = []
    for count in (3, 30):
        with CaptureQueriesContext(connection) as queries:
            response = post(client, uploads(records(count)))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
