"""A team lead uploads three team members' gap files, reads the team's needs and downloads
them as Excel, with the keyboard and JavaScript off."""

from urllib.parse import urlencode

import openpyxl
import pytest

from roles.models import RoleProfile
from tests.browser.test_journeys import follow, tab_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press_button(page, text: str) -> None:
    tab_until(
        page,
        f"document.activeElement.tagName === 'BUTTON' && "
        f"document.activeElement.innerText.trim() === {text!r}",
        text,
    )


def test_team_lead_uploads_three_gap_files_and_reads_the_team_needs(
    site, page, artefacts, tmp_path
):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    codes = sorted(role.requirements.values_list("competence__code", flat=True))
    people = [
        {codes[0]: "not-yet", codes[1]: "partly"},
        {codes[0]: "partly", codes[1]: "not-yet"},
        {codes[0]: "not-yet"},
    ]
    files = []
    for number, gaps in enumerate(people, start=1):
        answers = {f"c-{code}": gaps.get(code, "confident") for code in codes}
        query = urlencode({**answers, "format": "csv"})
        response = page.request.get(f"{site}/pathways/self-assessment/{role.slug}/result/?{query}")
        assert response.ok
        path = tmp_path / f"person-{number}.csv"
        path.write_bytes(response.body())
        files.append(str(path))

    page.goto(site + "/")
    follow(page, "/pathways/team/")
    assert page.locator("h1").inner_text() == "Your team’s training needs"
    page.set_input_files("#team-files", files)
    press_button(page, "Show the team’s needs")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("#team-people").inner_text() == "From 3 people’s results."
    shared = page.locator(f"#team-gaps-table tr[data-code='{codes[0]}'] .app-team-count")
    assert shared.inner_text() == "3"
    pair = page.locator(f"#team-gaps-table tr[data-code='{codes[1]}'] .app-team-count")
    assert pair.inner_text() == "fewer than 3"
    page.screenshot(path=str(artefacts / "team-needs.png"), full_page=True)

    # Nothing was kept, so the files are chosen again for the download.
    page.set_input_files("#team-files", files)
    press_button(page, "Download as Excel")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == "team-training-needs.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = openpyxl.load_workbook(path)
    header = [cell.value for cell in book["Gaps"][1]]
    count_at, note_at = header.index("People with this gap"), header.index("Count not shown")
    rows = {row[0]: row for row in book["Gaps"].iter_rows(min_row=2, values_only=True)}
    assert (rows[codes[0]][count_at], rows[codes[0]][note_at]) == (3, None)
    assert (rows[codes[1]][count_at], rows[codes[1]][note_at]) == (None, "fewer than 3")


def test_a_person_starts_from_their_last_result_and_sees_what_changed(site, page, tmp_path):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    codes = sorted(role.requirements.values_list("competence__code", flat=True))
    answers = {f"c-{code}": "confident" for code in codes}
    answers[f"c-{codes[0]}"] = "partly"
    query = urlencode({**answers, "format": "csv"})
    response = page.request.get(f"{site}/pathways/self-assessment/{role.slug}/result/?{query}")
    path = tmp_path / f"gaps-{role.slug}.csv"
    path.write_bytes(response.body())

    page.goto(f"{site}/pathways/self-assessment/{role.slug}/")
    follow(page, f"/pathways/self-assessment/{role.slug}/earlier/")
    page.set_input_files("#earlier-file", str(path))
    press_button(page, "Upload and continue")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"/pathways/self-assessment/{role.slug}/sections/1/" in page.url
    assert f"before={codes[0]}" in page.url

    page.goto(page.url.replace("/sections/1/", "/result/"))
    assert page.locator("#progress-summary").inner_text() == (
        "0 gaps closed, 0 new gaps, 1 still open."
    )
