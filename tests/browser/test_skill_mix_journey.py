"""A commissioner plans a court healthcare team and downloads the workforce annex,
keyboard only, with JavaScript off."""

import docx
import pytest

from roles.models import RoleCompetence, RoleProfile
from tests.browser.test_journeys import follow, tab_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AREA = "court-healthcare"
LEAD = "court-healthcare-clinical-lead"


def test_commissioner_plans_a_court_healthcare_team_and_downloads_the_annex(
    site, page, artefacts, tmp_path
):
    roles = list(RoleProfile.objects.filter(areas__slug=AREA))
    kept = [role for role in roles if role.slug != LEAD]
    needed_by = {}
    for item in RoleCompetence.objects.filter(role__in=roles).select_related("competence"):
        needed_by.setdefault(item.competence.code, set()).add(item.role_id)
    # With the clinical lead taken out, what only the lead needs is left uncovered.
    uncovered = {code for code, ids in needed_by.items() if not ids & {r.pk for r in kept}}
    assert uncovered, "the seed lead needs competences no other court role needs"

    page.goto(site + "/")
    follow(page, f"/areas/{AREA}/")
    follow(page, f"/pathways/skill-mix/?area={AREA}")
    assert page.locator("h1").inner_text() == "Plan a skill mix"
    assert page.locator("#results").count() == 1

    field = f"wte-{LEAD}"
    tab_until(page, f"document.activeElement.id === {field!r}", field)
    assert page.locator(f"[id='{field}']").input_value() == "0.5"
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form's only button: Update the plan
    assert f"{field}=0" in page.url

    heading = page.locator("#uncovered").inner_text()
    assert heading == f"Not covered by this mix ({len(uncovered)})"
    shown = set(page.locator("#uncovered-table .app-code").all_inner_texts())
    assert shown == uncovered
    page.screenshot(path=str(artefacts / "skill-mix.png"), full_page=True)

    tab_until(
        page,
        "document.activeElement.matches('a[download]') && "
        "document.activeElement.href.includes('annex.docx')",
        "the annex download link",
    )
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == f"{AREA}-workforce-annex.docx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    document = docx.Document(str(path))
    mix = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert {row[0] for row in mix[1:-1]} == {role.title for role in kept}
    assert mix[-1] == ["Total", "", str(len(kept))]
    annexed = {row.cells[1].text for row in document.tables[2].rows[1:]}
    assert annexed == uncovered

    # The lead, taken out, is offered to add back: its button sends the mix with it.
    tab_until(
        page,
        f"document.activeElement.name === 'add' && document.activeElement.value === {LEAD!r}",
        "the button to add the clinical lead back",
    )
    label = page.evaluate("document.activeElement.textContent")
    assert " ".join(label.split()) == "Add " + next(r.title for r in roles if r.slug == LEAD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"add={LEAD}" in page.url and page.url.endswith(f"#{field}")
    assert page.locator(f"[id='{field}']").input_value() == "0.5"
    assert page.locator("#uncovered").inner_text() == "Not covered by this mix (0)"
