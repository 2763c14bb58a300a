"""Two people from outside the services find their way in from the overview on a 320 px
screen, keyboard only, with JavaScript off: in three steps each reaches a role they
could apply for now, the checks to expect, the route that follows and NHS Jobs."""

import json
from urllib.parse import urlsplit

import pytest

from pathways.models import OFFICIAL_ENTRY_HOSTS

from .test_journeys import tab_to, tab_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 800}


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width} px wide at 320 px"


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    fits(page)


def choose(page, name: str, value: str) -> None:
    """Reach the radio button by Tab and arrow keys, as a keyboard user does, and check
    it with Space."""
    target = f"input[name={json.dumps(name)}][value={json.dumps(value)}]"
    tab_until(
        page,
        f"document.activeElement.name === {json.dumps(name)}",
        f"the {name} question",
    )
    focused = f"document.activeElement === document.querySelector({json.dumps(target)})"
    for _ in range(20):
        if page.evaluate(focused):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.locator(target).is_checked(), (name, value)


def walk(page, site, answers: dict[str, str], role_slug: str) -> None:
    page.set_viewport_size(NARROW)
    page.goto(site + "/")
    fits(page)
    # Step 1: from the overview to the guided page.
    tab_to(page, "/ways-in/")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Find your way in"
    # Step 2: answer, and send the answers.
    for name, value in answers.items():
        choose(page, name, value)
    tab_until(page, "document.activeElement.type === 'submit'", "the Show button")
    press_enter_and_wait(page)
    now = page.locator("#now ~ ul").first
    assert now.locator(f"a[href='/roles/{role_slug}/#way-in']").count() == 1
    # Step 3: the role page, at its "How to get into this role" section.
    tab_to(page, f"/roles/{role_slug}/#way-in")
    press_enter_and_wait(page)
    section = page.locator("section.app-way-in")
    text = section.inner_text()
    assert "Checks before you start" in text
    assert "Your employer will confirm which checks apply" in text
    assert "Routes in" in text
    searches = section.locator("a[href^='https://www.jobs.nhs.uk/']")
    assert searches.count() >= 1
    for href in section.locator("a[href^='https://']").evaluate_all(
        "links => links.map(link => link.href)"
    ):
        assert urlsplit(href).hostname in OFFICIAL_ENTRY_HOSTS, href


def test_no_qualifications_lived_experience_and_reconnect(site, page):
    walk(
        page,
        site,
        {
            "starting_point": "no-job",
            "qualification": "0",
            "service": "reconnect",
            "lived_experience": "yes",
        },
        "reconnect-peer-support-worker",
    )
    assert "Peer worker" in page.locator("section.app-way-in").inner_text()


def test_a_registered_nurse_interested_in_court_healthcare(site, page):
    walk(
        page,
        site,
        {
            "starting_point": "registered",
            "register": "nurse",
            "qualification": "6",
            "service": "court-healthcare",
        },
        "court-healthcare-practitioner",
    )
    # The next step up is on the same page, in "Where this role leads".
    assert page.locator("#moves ~ * a[href='/roles/senior-court-healthcare-practitioner/']").count()
