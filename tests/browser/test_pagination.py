"""Previous and next links show the design system's arrows, not a blank indent."""

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def arrows(page) -> dict[str, dict | None]:
    """Each previous or next link's words, and its arrow's box on screen (None: none)."""
    found = {}
    for link in page.locator(".nhsuk-pagination__link--prev, .nhsuk-pagination__link--next").all():
        title = link.locator(".nhsuk-pagination__title").inner_text()
        icon = link.locator("svg.nhsuk-icon")
        found[title] = icon.bounding_box() if icon.count() == 1 else None
    return found


@pytest.mark.parametrize("width", [320, 1280])
def test_previous_and_next_links_show_their_arrows(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    # The seed content was all loaded today: that day's changes run to several pages.
    today = timezone.localdate().isoformat()
    expected = {
        "/levels/4/": {"Previous level", "Next level"},
        f"/changes/{today}/?page=2": {"Previous", "Next"},
    }
    for address, titles in expected.items():
        page.goto(site + address)
        shown = arrows(page)
        assert set(shown) == titles, address
        for title, box in shown.items():
            assert box is not None, (address, title, "no arrow")
            assert box["width"] >= 16 and box["height"] >= 16, (address, title, box)
