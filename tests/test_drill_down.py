"""Drill-down: everything is reachable from the overview by links, within four clicks."""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlparse

import pytest

from competences.models import Competence, Standard
from roles.models import RoleProfile

pytestmark = pytest.mark.django_db


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def internal_links(content: str) -> set[str]:
    parser = LinkParser()
    parser.feed(content)
    found = set()
    for href in parser.links:
        href, _fragment = urldefrag(href)
        parsed = urlparse(href)
        if parsed.scheme or parsed.netloc or not href.startswith("/"):
            continue
        found.add(parsed.path)
    return found


def reachable_within(client, clicks: int) -> dict[str, int]:
    """Every internal page address reachable from '/', with its fewest clicks."""
    depth = {"/": 0}
    queue = deque(["/"])
    while queue:
        address = queue.popleft()
        if depth[address] == clicks:
            continue
        response = client.get(address)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        for link in internal_links(response.content.decode()):
            if link not in depth and not link.startswith(("/static/", "/assets/")):
                depth[link] = depth[address] + 1
                queue.append(link)
    return depth


def test_every_role_competence_and_standard_is_within_four_clicks_of_the_overview(client):
    depth = reachable_within(client, 4)
    wanted = (
        [role.get_absolute_url() for role in RoleProfile.objects.all()]
        + [node.get_absolute_url() for node in Competence.objects.all()]
        + [standard.get_absolute_url() for standard in Standard.objects.all()]
    )
    missing = [address for address in wanted if address not in depth]
    assert missing == []
