"""People drill down from the overview and back, keyboard only, with JavaScript off."""

import json
import re

import pytest

from competences.models import Competence
from roles.models import RoleProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NHS_BLUE = "rgb(0, 94, 184)"
FOCUS_YELLOW = "rgb(255, 235, 59)"


def tab_until(page, script: str, what: str, limit: int = 500) -> None:
    """Press Tab until ``script`` (run on the page) is true of the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(script):
            return
    raise AssertionError(f"could not reach {what} with the keyboard")


def tab_to(page, href: str) -> None:
    """Press Tab until the link to ``href`` has focus, and check the focus is visible."""
    tab_until(page, f"document.activeElement.getAttribute('href') === {json.dumps(href)}", href)
    style = page.evaluate(
        "[getComputedStyle(document.activeElement).backgroundColor,"
        " getComputedStyle(document.activeElement).outlineColor]"
    )
    assert FOCUS_YELLOW in style, f"focus on {href} is not visible: {style}"


def follow(page, href: str) -> None:
    tab_to(page, href)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(href), (page.url, href)


def test_overview_to_a_standard_and_back_by_breadcrumbs(site, page):
    statement = (
        Competence.objects.filter(kind="statement", standards__isnull=False, level=2).first()
        or Competence.objects.filter(kind="statement", standards__isnull=False).first()
    )
    standard = statement.standards.first()
    down = [node.get_absolute_url() for node in statement.get_ancestors()]
    down += [statement.get_absolute_url(), standard.get_absolute_url()]
    page.goto(site + "/")
    for href in down:
        follow(page, href)
    assert page.locator("h1").inner_text() == standard.title
    official = f"Read {standard.code} on the" if standard.url else "Search UK Standards for"
    assert page.get_by_role("link", name=re.compile(re.escape(official))).count()

    # Back up the way we came: the statement's page, then its breadcrumbs to the top.
    page.go_back()
    assert page.locator("h1").inner_text() == statement.title
    for ancestor in reversed(statement.get_ancestors()):
        follow(page, ancestor.get_absolute_url())
        assert page.locator("h1").inner_text() == ancestor.title
    follow(page, "/competences/")
    follow(page, "/")
    assert page.locator("h1").count() == 1


def test_role_drill_down_from_area_to_role_to_competence(site, page):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    area = role.areas.first()
    requirement = role.requirements.select_related("competence").first()
    page.goto(site + "/")
    follow(page, area.get_absolute_url())
    follow(page, role.get_absolute_url())
    # A role's competences sit in closed expanders, one per section: open it by keyboard.
    section = requirement.competence.get_root().code
    tab_until(
        page,
        f"document.activeElement.matches('#section-{section} > summary')",
        f"the {section} expander",
    )
    page.keyboard.press("Enter")
    follow(page, requirement.competence.get_absolute_url())
    assert page.get_by_role("link", name=role.title).count() >= 1
    follow(page, "/")


def test_skip_link_is_first_and_moves_focus_to_the_main_content(site, page):
    page.goto(site + "/roles/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#maincontent"
    page.keyboard.press("Enter")
    # A same-page link changes the address without a load event; wait for it.
    page.wait_for_url("**#maincontent")
    # The next Tab starts from the main content, past the header's links.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_role_filters_work_without_javascript(site, page):
    page.goto(site + "/roles/")
    page.select_option("#filter-level", "3")
    page.check("#filter-lived")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    assert "level=3" in page.url and "lived=yes" in page.url
    expected = RoleProfile.objects.at_level(3).with_lived_experience_route()
    for role in expected:
        assert page.get_by_role("link", name=role.title, exact=True).count() == 1
    others = RoleProfile.objects.exclude(pk__in=expected)
    for role in others:
        assert page.get_by_role("link", name=role.title, exact=True).count() == 0


def test_pages_look_like_an_nhs_service(site, page, artefacts):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    statement = Competence.objects.filter(kind="statement", requirements__isnull=False).first()
    for name, address in [
        ("overview", "/"),
        ("role", role.get_absolute_url()),
        ("competence", statement.get_absolute_url()),
    ]:
        page.goto(site + address)
        header = page.locator("header.nhsuk-header")
        assert header.evaluate("el => getComputedStyle(el).backgroundColor") == NHS_BLUE
        assert page.locator("footer.nhsuk-footer").is_visible()
        logo = page.locator(".nhsuk-header__service-logo svg.nhsuk-header__logo")
        assert logo.is_visible()
        page.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)


def test_role_profile_prints_without_site_chrome(site, page, artefacts):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    page.goto(site + role.get_absolute_url())
    page.emulate_media(media="print")
    assert not page.locator("header.nhsuk-header").is_visible()
    assert not page.locator("footer.nhsuk-footer").is_visible()
    assert page.locator("h1").is_visible()
    assert page.get_by_text(role.requirements.first().competence.title).first.is_visible()
    page.pdf(path=str(artefacts / "role-profile.pdf"))


def test_peer_support_worker_finds_their_gaps_for_care_navigator(site, page, artefacts):
    """Issue 5's journey: keyboard only, JavaScript off, pre-filled from the current role."""
    peer = RoleProfile.objects.get(slug="reconnect-peer-support-worker")
    navigator = RoleProfile.objects.get(slug="reconnect-care-navigator")
    held = {rc.competence_id: rc.proficiency for rc in peer.requirements.all()}
    needed = navigator.requirements.select_related("competence")
    expected_gaps = {
        rc.competence.code for rc in needed if held.get(rc.competence_id, 0) < rc.proficiency
    }
    assert 0 < len(expected_gaps) < needed.count()

    page.goto(site + peer.get_absolute_url())
    follow(page, navigator.get_absolute_url())
    follow(page, f"/pathways/self-assessment/{navigator.slug}/")

    # Choose the current role in the picker by typing its name, then start.
    tab_until(page, "document.activeElement.id === 'assessment-from'", "the role picker")
    page.keyboard.type(peer.title)
    assert page.locator("#assessment-from").input_value() == peer.slug
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Each section is a page; Continue keeps the pre-filled answers and leaves the rest
    # unanswered, which counts as Not yet.
    while "Section " in page.locator(".app-step-progress").first.inner_text():
        submit = page.get_by_role("button", name=re.compile("^Continue"))
        submit.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if not page.locator(".app-step-progress").count():
            break
    shared = len(held.keys() & {rc.competence_id for rc in needed})
    answers = page.locator(".app-check-answer").all_inner_texts()
    assert sum(1 for text in answers if not text.startswith("Not answered")) == shared
    submit = page.get_by_role("button", name="See your gaps")
    submit.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == f"Your gaps for {navigator.title}"
    shown = set(page.locator(".app-gap").evaluate_all("els => els.map(e => e.dataset.code)"))
    assert shown == expected_gaps

    # The printout keeps the gaps and drops the site's menus and the change links.
    page.emulate_media(media="print")
    assert not page.locator("header.nhsuk-header").is_visible()
    assert not page.get_by_role("link", name="Change your answers").is_visible()
    assert page.locator(".app-gap").first.is_visible()
    page.pdf(path=str(artefacts / "self-assessment-result.pdf"))
