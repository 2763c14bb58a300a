"""A person takes their self-assessment into supervision, keyboard only, with JavaScript
off: answers the check, writes evidence and an action for three gaps, downloads the Word
record and the data file, comes back to a fresh page, uploads the file, finds every note,
has one competence confirmed, and downloads again."""

import json

import pytest
from docx import Document

from roles.models import RoleProfile

from .test_journeys import tab_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE = "liaison-and-diversion-administrator"
GAPS = 3


def focus(page, selector: str) -> None:
    tab_until(
        page,
        f"document.activeElement === document.querySelector({json.dumps(selector)})",
        selector,
    )


def press(page, selector: str) -> None:
    focus(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def download(page, button: str, folder):
    focus(page, f"button[name=do][value={button}]")
    with page.expect_download() as waiting:
        page.keyboard.press("Enter")
    saved = folder / waiting.value.suggested_filename
    waiting.value.save_as(saved)
    return saved


def test_a_record_for_supervision_by_keyboard_alone(site, page, tmp_path):
    role = RoleProfile.objects.get(slug=ROLE)
    codes = list(
        role.requirements.order_by("competence__tree_id", "competence__lft").values_list(
            "competence__code", flat=True
        )
    )
    page.goto(f"{site}/pathways/self-assessment/{ROLE}/")
    press(page, "main button[type=submit]:not([formaction])")  # Start now
    gaps = []
    # Each section: Confident for most, Partly (one arrow key along) for the first three.
    while page.locator(".app-step-progress").count():
        for name in page.locator("input[type=radio][value=confident]").evaluate_all(
            "inputs => inputs.map(input => input.name)"
        ):
            focus(page, f"input[name='{name}'][value=confident]")
            if len(gaps) < GAPS:
                page.keyboard.press("ArrowRight")
                gaps.append(name.removeprefix("c-"))
            else:
                page.keyboard.press("Space")
        press(page, "main button[type=submit]:not([formaction])")
    press(page, "main button[type=submit]:not([formaction])")  # See your gaps
    assert page.locator("h1").inner_text().startswith("Your gaps")
    press(page, "main form[action$='/record/'] button")
    shown = [code for code in codes if page.locator(f"[id='item-{code}']").count()]
    assert shown == gaps

    # Evidence, an action and a target date for each gap, and the meeting.
    focus(page, "#supervisor")
    page.keyboard.type("Sam Okafor")
    notes = {}
    for number, code in enumerate(gaps, start=1):
        notes[code] = (
            f"Handled a difficult call on the duty line ({code})",
            f"Shadow a colleague for {code}",
        )
        focus(page, f"textarea[name='evidence-{code}']")
        page.keyboard.type(notes[code][0])
        focus(page, f"textarea[name='action-{code}']")
        page.keyboard.type(notes[code][1])
        focus(page, f"input[name='target-{code}']")
        page.keyboard.type(f"0{number}152027")
        assert page.locator(f"input[name='target-{code}']").input_value() == f"2027-0{number}-15"

    word = download(page, "docx", tmp_path)
    data = download(page, "json", tmp_path)
    kept = json.loads(data.read_text(encoding="utf-8"))
    assert [item["evidence"] for item in kept["items"]] == [notes[code][0] for code in gaps]

    # A fresh page: upload the data file and carry on.
    page.goto(f"{site}/pathways/self-assessment/{ROLE}/record/")
    assert not page.locator("textarea").count()
    focus(page, "#record-file")
    page.locator("#record-file").set_input_files(str(data))
    press(page, "button[name=do][value=upload]")
    for code in gaps:
        assert page.locator(f"textarea[name='evidence-{code}']").input_value() == notes[code][0]
        assert page.locator(f"textarea[name='action-{code}']").input_value() == notes[code][1]
    assert page.locator("#supervisor").input_value() == "Sam Okafor"

    # The supervisor confirms the first competence, with their initials.
    focus(page, f"input[name='confirmed-{gaps[0]}']")
    page.keyboard.press("Space")
    focus(page, f"input[name='initials-{gaps[0]}']")
    page.keyboard.type("SO")
    word = download(page, "docx", tmp_path)

    text = "\n".join(
        [paragraph.text for paragraph in Document(word).paragraphs]
        + [cell.text for table in Document(word).tables for row in table.rows for cell in row.cells]
    )
    for evidence, action in notes.values():
        assert evidence in text and action in text
    assert "15 January 2027" in text and "15 March 2027" in text
    assert "SO" in text
    assert "Signed (staff member)" in text and "Signed (supervisor)" in text
