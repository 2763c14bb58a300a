"""Standards link only to the standard-setting bodies' own pages, or say plainly that the
link is a search (issue: 23 of 51 standards pointed at copies on document-sharing sites)."""

from collections import Counter
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.exceptions import ValidationError

from competences.models import Standard
from interchange.loading import FIXTURES_DIR, ContentError, framework_load
from tests.factories import make_standard

pytestmark = pytest.mark.django_db

# The hosts the content brief names as the standard-setting bodies' own sites.
OFFICIAL_HOSTS = {"www.ukstandards.org.uk", "tools.skillsforhealth.org.uk"}
FINDER = "https://www.ukstandards.org.uk/en/nos-finder"


def seed_addresses() -> dict[str, str]:
    """Addresses straight from the seed file, not through the model."""
    items = yaml.safe_load((FIXTURES_DIR / "standards.yaml").read_text())
    return {f"{item['code']} ({item['suite']})": item.get("url") or "" for item in items}


def test_every_seed_address_is_an_official_page_or_blank():
    addresses = seed_addresses()
    assert len(addresses) >= 45
    for name, url in addresses.items():
        if not url:
            continue
        parts = urlsplit(url)
        assert parts.scheme == "https", name
        assert parts.hostname in OFFICIAL_HOSTS, f"{name} links to {parts.hostname}"
        assert url.rstrip("/") != FINDER, f"{name} presents the search page as the standard"
        assert not parts.query, name


def test_no_two_standards_share_one_page():
    used = Counter(url for url in seed_addresses().values() if url)
    assert [url for url, count in used.items() if count > 1] == []
    # The brief names an official page for 15 standards; the rest get a search.
    assert len(used) == 15


def test_every_stored_address_is_official():
    for standard in Standard.objects.exclude(url=""):
        assert urlsplit(standard.url).hostname in OFFICIAL_HOSTS, standard.code


def test_standard_with_an_official_page_links_to_it_and_names_the_site(client):
    standard = Standard.objects.get(code="SFHGEN97")
    content = client.get(standard.get_absolute_url()).content.decode()
    assert f'href="{standard.url}"' in content
    assert "Read SFHGEN97 on the UK Standards website" in content
    assert "Search UK Standards" not in content

    skills_for_health = Standard.objects.get(code="CHS229")
    content = client.get(skills_for_health.get_absolute_url()).content.decode()
    assert "Read CHS229 on the Skills for Health website" in content


def test_standard_without_an_official_page_offers_a_search_and_says_so(client):
    standard = Standard.objects.get(code="SCDHSC0021")
    assert standard.url == ""
    content = client.get(standard.get_absolute_url()).content.decode()
    assert f'<a class="app-external" href="{FINDER}" rel="external">' in content
    assert "Search UK Standards for SCDHSC0021" in content
    assert "do not know of an official page for SCDHSC0021" in content
    assert "Read SCDHSC0021" not in content


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example-doc-share.com/document/123/nos",
        "https://tools.skillsforhealth.org.uk.evil.example/x",
        "https://www.ukstandards.org.uk/en/nos-finder",
        "https://www.ukstandards.org.uk/en/nos-finder/?q=AB1",
    ],
)
def test_editors_cannot_save_an_unofficial_or_search_address(url):
    standard = make_standard()
    standard.url = url
    with pytest.raises(ValidationError) as error:
        standard.full_clean()
    assert "url" in error.value.message_dict


def test_loader_refuses_an_unofficial_address(tmp_path):
    import shutil

    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, target)
    items = yaml.safe_load((target / "standards.yaml").read_text())
    items[0]["url"] = "https://www.example-doc-share.com/document/123"
    (target / "standards.yaml").write_text(yaml.safe_dump(items))
    with pytest.raises(ContentError, match=items[0]["code"]):
        framework_load(directory=target)
