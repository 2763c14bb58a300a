"""axe-core finds no WCAG 2.2 A or AA violations, and a main heading, on every page type.

The page types are listed once, in pages.py, for this test and the HTML checker. Pages
reached by a form or a refusal are fetched with Django's test client and handed to the
browser at a spare address on the live server, so their styles load as they would.
"""

from pathlib import Path

import pytest

from tests.browser.pages import addresses, reached_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Not a WCAG rule in axe, but every page, the admin's sign-in included, must have an <h1>.
EXTRA_RULES = {"page-has-heading-one": {"enabled": True}}
SPARE_ADDRESS = "/reached-page-for-axe/"


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    # Details only for violations: passes and inapplicable rules are still checked, but
    # not listed node by node, which halves the time a page takes.
    result = page.evaluate(
        "([tags, rules]) => axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations']})",
        [WCAG_TAGS, EXTRA_RULES],
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]


def answer_with(response):
    """A route handler that gives the browser this test-client response."""

    def fulfil(route):
        route.fulfill(
            status=response.status_code,
            content_type=response["Content-Type"],
            body=response.content,
        )

    return fulfil


def test_no_accessibility_violations_on_any_page_type(site, scripted_page, client):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make install`")
    failures = {}
    for address in addresses():
        response = scripted_page.goto(site + address.path)
        assert response.status == address.status, address.path
        if found := violations(scripted_page):
            failures[address.name] = found

    for number, (name, response) in enumerate(reached_pages(client).items()):
        spare = f"{site}{SPARE_ADDRESS}{number}/"
        scripted_page.route(spare, answer_with(response))
        assert scripted_page.goto(spare).status == response.status_code, name
        scripted_page.unroute(spare)
        if found := violations(scripted_page):
            failures[name] = found
    assert failures == {}
