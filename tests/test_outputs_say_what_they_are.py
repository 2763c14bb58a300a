"""Every output says what it is: the content's status, in the words of ``core.provenance``,
and the framework version it was made from.

The downloads are not listed here by hand. They are found as a person finds them: every
download in the README's page table (a row with no template), every link marked
``download`` or to open data JSON on every page in that table, and every form button
that asks for a file. A new download is therefore checked as soon as a page offers it,
and a page that offers a kind of download this test cannot open fails it.

Word documents and workbooks carry the statement in the file, on every page; JSON and
CASE in their framework block and document notes; CSV files stay bare tables, and the
statement is in their companion: ``about.csv`` for the open data, the page that offers
them for the others. Every page carries a print note with the statement and version.
"""

import csv
import html
import io
import json
import re
from urllib.parse import urlsplit

import docx
import openpyxl
import pytest
from django.urls import reverse

from core import versioning
from core.provenance import untranslated_status_statement
from core.spreadsheets import FOOTER_LENGTH
from tests.browser.pages import provider_summary_files, team_record_files
from tests.test_page_map import NO_TEMPLATE, example, table_rows

pytestmark = pytest.mark.django_db

NOT_DOWNLOADS = {"/healthz"}
# The JSON Schema describes the format, not the content: the same file serves every
# version, so it has no version or content status to state.
FORMAT_ONLY = {
    "/export/framework.schema.json",
    "/export/development-record.schema.json",
    "/export/provider-summary.schema.json",
}
# Files for search engines, not people: a list of addresses and a list of rules.
FOR_MACHINES = {"/sitemap.xml", "/robots.txt"}
# The CASE service's answer about one object (an item, an association, a definition) is a
# part of a CASE document, which states what it is; the documents and packages are checked.
CASE_DOCUMENTS = re.compile(r"/ims/case/v1p0/(CFDocuments|CFPackages)(/|$)")
DOWNLOAD_LINK = re.compile(r'<a href="([^"]+)"[^>]*\bdownload\b')
OPEN_DATA_LINK = re.compile(r'href="(/export/[^"]+\.json)"')
FILE_BUTTON = re.compile(r'name="format" value="(xlsx|docx|csv|json)"')
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def statement():
    return untranslated_status_statement()


@pytest.fixture
def version(seeded):
    return versioning.current().number


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def offered_downloads(client) -> tuple[dict[str, str], dict[str, list[str]], dict[str, str]]:
    """({download address: the page that offers it}, {page with file buttons: the file
    kinds}, {page address: its HTML}) for every page in the README's table."""
    found, buttons, pages = {}, {}, {}
    for row in table_rows():
        if row["address"] in FOR_MACHINES:
            continue
        shown = example(row, client)
        if row["template"] == NO_TEMPLATE:
            if row["address"] not in NOT_DOWNLOADS:
                found.setdefault(shown, "")
            continue
        response = client.get(shown)
        assert response.status_code == 200, shown
        text = response.content.decode()
        pages[shown] = text
        for link in DOWNLOAD_LINK.findall(text) + OPEN_DATA_LINK.findall(text):
            found.setdefault(html.unescape(link), shown)
        kinds = FILE_BUTTON.findall(text)
        if kinds:
            buttons[shown] = kinds
    return found, buttons, pages


def docx_text(data: bytes) -> str:
    """Every paragraph of a Word document, its tables and every page header and footer."""
    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer):
            parts += [paragraph.text for paragraph in part.paragraphs]
    return "\n".join(parts)


def check_docx(data: bytes, statement: str, version: int) -> None:
    document = docx.Document(io.BytesIO(data))
    for section in document.sections:
        # On every page: the header and footer repeat on each.
        assert statement in "\n".join(p.text for p in section.header.paragraphs)
        footer = section.footer._element.xml
        assert f"version {version}" in "\n".join(p.text for p in section.footer.paragraphs)
        assert 'w:instr="PAGE"' in footer, "the footer numbers the pages"
    assert statement in docx_text(data)


def check_xlsx(data: bytes, statement: str, version: int) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data))
    first = book.worksheets[0]
    assert first.title.lower() == "about", f"the first sheet is {first.title!r}"
    values = [value for row in first.iter_rows(values_only=True) for value in row]
    assert statement in values
    assert version in values or str(version) in values


def check_json(address: str, data: bytes, statement: str, version: int) -> None:
    document = json.loads(data)
    if "CFDocuments" in document:  # the CASE service's list of documents
        cases = document["CFDocuments"]
    elif "CFDocument" in document:  # a CASE package
        cases = [document["CFDocument"]]
    elif "CFPackageURI" in document:  # one CASE document, from the service
        cases = [document]
    else:
        cases = []
    for case in cases:
        assert statement in case["notes"], address
        assert case["version"] == str(version), address
    if cases:
        return
    assert document["framework"]["status"] == statement, address
    assert document["framework"]["version"] == version, address


def check_csv(data: bytes, statement: str) -> None:
    """A bare table: the header, then rows as wide as it, and no notes of its own."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    assert all(len(row) == len(header) for row in rows), "every row is as wide as the header"
    assert statement not in header


def about_csv_rows(client) -> dict[str, str]:
    response = client.get("/export/csv/about.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["field", "value"]
    return dict(rows[1:])


def team_download(client, gap_files: list[tuple[str, bytes]], kind: str):
    """The team page's workbook (``xlsx``) or summary for the commissioner (``json``)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(name, data, content_type="text/csv") for name, data in gap_files]
    return client.post(reverse("workforce:team"), {"files": files, "format": kind})


def test_every_download_the_site_offers_says_what_it_is_and_its_version(
    client, staff_client, statement, version
):
    found, buttons, pages = offered_downloads(client)
    about = about_csv_rows(client)
    assert about["status"] == statement and about["version"] == str(version)
    seen = []  # (address, content type) of every file checked
    gap_files = []

    def check(address: str, response, offered_on: str) -> None:
        path = urlsplit(address).path
        assert response.status_code == 200, address
        kind = response["Content-Type"].split(";")[0]
        data = response.content
        if kind == DOCX:
            check_docx(data, statement, version)
        elif kind == XLSX:
            check_xlsx(data, statement, version)
        elif kind == "application/json":
            check_json(address, data, statement, version)
        elif kind == "text/csv":
            check_csv(data, statement)
            if path.startswith("/export/"):
                # Its companion is about.csv, checked above.
                if path.endswith("moodle.csv"):
                    # Moodle shows it with the framework (descriptions are HTML there).
                    assert html.escape(statement) in data.decode(), address
            else:
                # Its companion is the page that offers it.
                assert statement in html.unescape(pages[offered_on]), address
            if path.startswith("/pathways/self-assessment/"):
                gap_files.append((f"gaps-{len(gap_files)}.csv", data))
        else:
            pytest.fail(f"{address} is a {kind} file, which this test cannot open")
        seen.append((address, kind))

    for address, offered_on in sorted(found.items()):
        path = urlsplit(address).path
        if path.startswith("/ims/") and not CASE_DOCUMENTS.match(path):
            continue
        if path not in FORMAT_ONLY:
            check(address, client.get(address), offered_on)

    # Files asked for with a form's button: a GET form as it first stands, the team's
    # needs and its summary for the commissioner (uploads) from the gap files found
    # above, the team's development from records, and the training needs across
    # providers from summaries made on the team page.
    team = reverse("workforce:team")
    records = reverse("workforce:team-records")
    region = reverse("workforce:team-region")
    assert buttons.get(team) == ["xlsx", "json"], "the team page's workbook and summary"
    assert buttons.get(records) == ["xlsx"], "the team records page offers its workbook"
    assert buttons.get(region) == ["xlsx"], "the regional page offers its workbook"
    for page, kinds in sorted(buttons.items()):
        for kind in kinds:
            if page == team:
                assert gap_files, "no self-assessment offered its gap file"
                check(page, team_download(client, gap_files, kind), page)
            elif page == records:
                upload = {"files": team_record_files(), "format": kind}
                check(page, client.post(records, upload), page)
            elif page == region:
                upload = {"files": provider_summary_files(client), "format": kind}
                check(page, client.post(region, upload), page)
            else:
                check(f"{page}?format={kind}", client.get(page, {"format": kind}), page)

    # The editors' blank import template, from the admin.
    response = staff_client.get(reverse("admin:core_frameworkversion_blank_template"))
    check_xlsx(response.content, statement, version)

    # The enumeration found what the site is known to offer, so it cannot silently shrink.
    kinds = {kind for _address, kind in seen}
    assert {DOCX, XLSX, "application/json", "text/csv"} <= kinds
    paths = [urlsplit(address).path for address, _kind in seen]
    for expected in (
        "/export/case.json",
        "/export/case-role-profiles.json",
        "/ims/case/v1p0/CFDocuments",
        "/export/moodle.csv",
        "/export/framework.xlsx",
        "/export/csv/about.csv",
        "/pathways/skill-mix/annex.docx",
        "/pathways/skill-mix/skill-mix.xlsx",
        team,
    ):
        assert expected in paths
    assert any(path.endswith("/job-description/") for path in paths), "the Word job description"
    assert any(path.endswith("/workforce.xlsx") for path in paths)
    assert any(path.endswith("/workforce.csv") for path in paths)
    assert any(path.startswith("/export/roles/") for path in paths)
    assert any(path.startswith("/export/competences/") for path in paths)
    assert gap_files, "the self-assessment's gap file"


def test_the_open_data_page_states_the_content_status_and_version(client, statement, version):
    page = page_text(client.get("/export/"))
    assert statement in page
    assert f"Version {version} of" in page


def test_every_page_prints_the_status_version_and_its_address(client, statement, version):
    _found, _buttons, pages = offered_downloads(client)
    assert len(pages) > 20
    for address, text in pages.items():
        text = html.unescape(text)
        note = re.search(r'<div class="app-print-note" id="print-note">(.*?)</div>', text, re.S)
        assert note, f"{address} has no print note"
        assert statement in note.group(1), address
        assert f"version {version}" in note.group(1), address
        assert "Printed from http" in note.group(1), address
        assert urlsplit(address).path in note.group(1), address


def test_the_footer_and_about_page_say_the_same(client, statement):
    # And it fits whole in a printed spreadsheet page's header.
    assert len(statement) <= FOOTER_LENGTH
    home = page_text(client.get("/"))
    footer = home.split('<footer class="nhsuk-footer"', 1)[1]
    assert statement in footer
    assert statement in page_text(client.get("/about/"))
