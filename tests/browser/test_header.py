"""The header is the NHS.UK header component: the NHS logo, and navigation that folds away."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV_LINKS = ["Role profiles", "Competences", "Standards", "Career pathways", "About"]


def test_header_shows_the_nhs_logo_as_a_named_svg_in_the_home_link(site, page):
    page.goto(site + "/roles/")
    home = page.locator("header .nhsuk-header__service-logo")
    assert home.get_attribute("href") == "/"
    assert home.get_attribute("aria-label").startswith("NHS ")
    assert home.get_attribute("aria-label").endswith(" homepage")
    logo = home.locator("svg.nhsuk-header__logo")
    assert logo.get_attribute("role") == "img"
    assert logo.get_attribute("aria-label") == "NHS"
    assert logo.locator("title").text_content() == "NHS"
    box = logo.bounding_box()
    assert (box["width"], box["height"]) == (100, 40)


def test_navigation_folds_into_a_more_menu_on_a_phone_with_javascript(site, scripted_page):
    page = scripted_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site + "/")
    nav = page.get_by_role("navigation", name="Menu")
    for name in NAV_LINKS:
        assert nav.get_by_role("link", name=name, exact=True).is_visible()
    more = nav.get_by_role("button", name="Browse More")
    assert not more.is_visible(), "everything fits on a desktop"

    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_function("!document.querySelector('.nhsuk-header__menu').hidden")
    assert more.is_visible()
    assert more.get_attribute("aria-expanded") == "false"
    more.click()
    assert more.get_attribute("aria-expanded") == "true"
    folded = page.locator(".nhsuk-header__menu-list .nhsuk-header__navigation-link")
    assert folded.count() >= 1
    assert all(link.is_visible() for link in folded.all())
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_navigation_wraps_on_a_phone_without_javascript(site, page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site + "/")
    nav = page.get_by_role("navigation", name="Menu")
    for name in NAV_LINKS:
        link = nav.get_by_role("link", name=name, exact=True)
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, name
    assert not nav.get_by_role("button", name="Browse More").is_visible()
