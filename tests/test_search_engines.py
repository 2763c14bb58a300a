"""What search engines and link previews read in every page's head: the page's canonical
address on the public address, and the Open Graph and Twitter card tags.
"""

import html
import re

import pytest
from django.conf import settings
from django.test import RequestFactory

from core.canonical import canonical_address
from roles.models import RoleProfile

pytestmark = pytest.mark.django_db


def public(path: str) -> str:
    return settings.PUBLIC_URL + path


def head_tags(response) -> dict[str, str]:
    """The canonical link and the sharing tags of a page's head, by name."""
    head = response.content.decode().split("</head>", 1)[0]
    meta = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', head)
    tags = {name: html.unescape(content) for name, content in meta}
    canonical = re.findall(r'<link rel="canonical" href="([^"]*)">', head)
    assert len(canonical) <= 1
    if canonical:
        tags["canonical"] = html.unescape(canonical[0])
    return tags


# --- Canonical addresses and sharing tags ------------------------------------------------


def test_a_page_names_its_own_public_address_and_says_what_it_is_for_link_previews(client):
    role = RoleProfile.objects.first()
    response = client.get(role.get_absolute_url())
    tags = head_tags(response)
    address = public(role.get_absolute_url())
    assert tags["canonical"] == tags["og:url"] == address
    assert tags["og:title"] == tags["twitter:title"] == role.title
    assert tags["og:description"] == tags["twitter:description"] == tags["description"]
    assert tags["description"].startswith(" ".join(role.purpose.split()[:10]))
    assert tags["og:type"] == "website"
    assert tags["og:site_name"] == str(settings.SERVICE_NAME)
    assert tags["og:locale"] == "en_GB"
    assert tags["twitter:card"] == "summary"
    # No image is claimed: the site has none made for previews.
    assert "og:image" not in tags


def test_the_canonical_address_is_on_the_public_address_whatever_host_was_asked(client, settings):
    settings.PUBLIC_URL = "https://framework.example.org"
    settings.ALLOWED_HOSTS = ["internal.example.net"]
    response = client.get("/roles/", HTTP_HOST="internal.example.net")
    tags = head_tags(response)
    assert tags["canonical"] == tags["og:url"] == "https://framework.example.org/roles/"


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("/roles/?page=2&level=5&utm_source=x", "/roles/?page=2"),
        ("/roles/?level=5&lived=yes", "/roles/"),
        ("/roles/?page=1", "/roles/"),
        ("/roles/?page=two", "/roles/"),
        ("/pathways/?from=liaison-and-diversion-practitioner", "/pathways/"),
        ("/competences/?page=3", "/competences/?page=3"),
        # A page that lists nothing in pages keeps no page number.
        ("/about/?page=2", "/about/"),
    ],
)
def test_the_canonical_address_keeps_only_the_page_of_a_list(address, canonical):
    assert canonical_address(RequestFactory().get(address)) == public(canonical)


def test_an_older_page_of_the_change_log_keeps_its_day(client):
    tags = head_tags(client.get("/changes/?before=2020-01-31"))
    assert tags["canonical"] == public("/changes/?before=2020-01-31")
    assert head_tags(client.get("/changes/?before=nonsense"))["canonical"] == public("/changes/")


@pytest.mark.parametrize(
    "address",
    [
        "/search/?q=risk",
        "/pathways/compare/?roles=liaison-and-diversion-practitioner",
        "/pathways/self-assessment/liaison-and-diversion-practitioner/",
        "/pathways/team/",
        "/no-such-page/",
        "/roles/no-such-role/",
    ],
)
def test_tools_private_pages_and_missing_pages_name_no_canonical_address(client, address):
    response = client.get(address)
    tags = head_tags(response)
    assert "canonical" not in tags and "og:url" not in tags, address
    # What a preview shows is still there.
    assert tags["og:title"] and tags["twitter:card"] == "summary", address
