"""The self-assessment in a real browser, a section at a time, with and without JavaScript."""

import re

import pytest

from roles.models import RoleProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE = "reconnect-care-navigator"


def section_count(role) -> int:
    return len({rc.competence.tree_id for rc in role.requirements.select_related("competence")})


def walk(page, site, role, *, answer_first_with: str):
    """Start, answer the first question of every section, check, and see the result.
    Returns the codes answered."""
    page.goto(f"{site}/pathways/self-assessment/{role.slug}/")
    assert page.get_by_text("Any competence you leave unanswered counts as Not yet").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()
    count = section_count(role)
    answered = []
    for number in range(1, count + 1):
        assert (
            page.locator(".app-step-progress")
            .inner_text()
            .startswith(f"Section {number} of {count}")
        )
        first = page.locator("fieldset").first
        # The depth the question asks for is explained beside it.
        assert "means:" in first.locator(".nhsuk-hint").inner_text()
        first.get_by_label(answer_first_with, exact=True).check()
        answered.append(first.locator(".app-code").inner_text())
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("^Continue")).click()
    assert page.locator("h1").inner_text() == "Check your answers before you see your gaps"
    assert page.locator(".app-check-answer", has_text=answer_first_with).count() == count
    with page.expect_navigation():
        page.get_by_role("button", name="See your gaps").click()
    assert page.locator("h1").inner_text() == f"Your gaps for {role.title}"
    return answered


def test_steps_work_without_javascript(site, page):
    role = RoleProfile.objects.get(slug=ROLE)
    answered = walk(page, site, role, answer_first_with="Confident")
    shown = set(page.locator(".app-gap").evaluate_all("els => els.map(e => e.dataset.code)"))
    assert shown == set(role.requirements.values_list("competence__code", flat=True)) - set(
        answered
    )
    # Change your answers goes back to the check page with every answer kept.
    with page.expect_navigation():
        page.get_by_role("link", name="Change your answers").click()
    assert page.locator(".app-check-answer", has_text="Confident").count() == len(answered)


def test_steps_and_back_work_with_javascript(site, scripted_page):
    page = scripted_page
    role = RoleProfile.objects.get(slug=ROLE)
    page.goto(f"{site}/pathways/self-assessment/{role.slug}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()
    first = page.locator("fieldset").first
    first.get_by_label("Partly", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.locator(".app-step-progress").inner_text().startswith("Section 2 of")
    second = page.locator("fieldset").first
    second.get_by_label("Not yet", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Back to the previous section").click()
    assert page.locator(".app-step-progress").inner_text().startswith("Section 1 of")
    assert page.locator("fieldset").first.get_by_label("Partly", exact=True).is_checked()
    assert "not-yet" in page.url, "the later section's answer is kept in the address"
    walk(page, site, role, answer_first_with="Partly")
    assert page.locator(".app-gap").count() == role.requirements.count()
