"""On a 390 px phone: a peer support worker finds their role, reads what "working" means,
checks themselves against the role a section at a time, and prints the result."""

import re
import subprocess

import pytest

from roles.models import RoleProfile
from roles.proficiency import definitions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ROLE = "liaison-and-diversion-peer-support-worker"


def fits_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def go(page, action) -> None:
    with page.expect_navigation():
        action()
    fits_the_screen(page)


def test_peer_support_worker_on_a_phone(site, scripted_page, artefacts, poppler):
    page = scripted_page
    page.set_viewport_size(PHONE)
    role = RoleProfile.objects.get(slug=ROLE)
    requirements = list(role.requirements.select_related("competence"))

    # Find the role by searching for its title.
    page.goto(site + "/search/")
    fits_the_screen(page)
    page.get_by_label("Search roles, competences and standards").fill(role.title)
    go(page, lambda: page.locator("main").get_by_role("button", name="Search").click())
    first = page.locator(".app-search-results__item h2 a").first
    assert first.inner_text() == role.title
    go(page, first.click)
    assert page.locator("h1").inner_text() == role.title

    # Read what "working" means, from a requirement on the role page.
    working = page.locator("main a[href='/proficiency/#working']").first
    closed = working.locator("xpath=ancestor::details[not(@open)][1]")
    if closed.count():
        closed.locator("summary").first.click()
    go(page, working.click)
    assert page.url.endswith("/proficiency/#working")
    assert definitions()[2] in page.locator("#working").locator("xpath=..").inner_text()
    page.go_back()

    # Check themselves against the role: a section at a time, Not yet for every other
    # competence and Confident for the rest.
    go(page, lambda: page.locator(f"a[href='/pathways/self-assessment/{ROLE}/']").first.click())
    go(page, lambda: page.get_by_role("button", name="Start now").click())
    not_yet = set()
    sections = 0
    while page.locator(".app-step-progress").count():
        sections += 1
        assert page.locator(".app-step-progress").inner_text().startswith(f"Section {sections} of")
        for index, question in enumerate(page.locator("fieldset").all()):
            code = question.locator(".app-code").first.inner_text()
            hint = question.locator(".nhsuk-hint").inner_text()
            assert "means:" in hint, code
            answer = "Not yet" if index % 2 == 0 else "Confident"
            question.get_by_label(answer, exact=True).check()
            if answer == "Not yet":
                not_yet.add(code)
        go(page, lambda: page.get_by_role("button", name=re.compile("^Continue")).click())
    assert sections == len({item.competence.tree_id for item in requirements})
    assert page.locator("h1").inner_text().startswith("Check your answers")
    assert page.locator(".app-check-answer").count() == len(requirements)
    go(page, lambda: page.get_by_role("button", name="See your gaps").click())
    assert page.locator("h1").inner_text() == f"Your gaps for {role.title}"
    shown = set(page.locator(".app-gap").evaluate_all("els => els.map(e => e.dataset.code)"))
    assert shown == not_yet

    # Print the result: every gap on paper, at least six to a page.
    page.screenshot(path=str(artefacts / "phone-gap-report.png"), full_page=True)
    page.emulate_media(media="print")
    pdf = artefacts / "phone-gap-report.pdf"
    page.pdf(path=str(pdf), format="A4")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert all(code in text for code in not_yet)
    assert len(not_yet) / pages >= 6, f"{len(not_yet)} gaps on {pages} pages"
