"""The seed learning catalogue: real items on their owners' sites, offered at the right level.

The catalogue's level bands are read here from the seed file itself, not through the
site's code, so the checks on the pages do not lean on what they check.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

from competences.models import LearningOpportunity
from roles.models import RoleProfile
from tests.helpers import sql

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "learning.yaml"
CATALOGUE = yaml.safe_load(SEED.read_text(encoding="utf-8"))
BANDS = {item["title"]: (item["suits_from"], item["suits_to"]) for item in CATALOGUE}

# The owners' sites the project's fact sheet names for its learning, written out here
# rather than read from the code.
OWNERS_SITES = {
    "e-lfh.org.uk",
    "www.e-lfh.org.uk",
    "skillsforhealth.org.uk",
    "www.skillsforhealth.org.uk",
    "haso.skillsforhealth.org.uk",
    "www.dsptoolkit.nhs.uk",
    "www.gov.uk",
    "www.minded.org.uk",
    "www.hee.nhs.uk",
    "www.rcpsych.ac.uk",
    "www.leadershipacademy.nhs.uk",
    "leadershipacademy.nhs.uk",
    "www.instituteforapprenticeships.org",
    "instituteforapprenticeships.org",
    "findapprenticeshiptraining.apprenticeships.education.gov.uk",
    "www.healthcareers.nhs.uk",
    "advanced-practice.hee.nhs.uk",
    "www.england.nhs.uk",
    "fflm.ac.uk",
    "www.sps.nhs.uk",
    "personalitydisorder.org.uk",
    "www.nsft.nhs.uk",
    "nes.scot.nhs.uk",
    "www.skillsforcare.org.uk",
    "nwpopulationhealth.nhs.uk",
    "learning-disability.hee.nhs.uk",
    "www.nhsemployers.org",
}


def test_the_catalogue_has_at_least_60_items_each_on_an_owners_site():
    assert len(CATALOGUE) >= 60
    assert LearningOpportunity.objects.count() == len(CATALOGUE)
    for item in CATALOGUE:
        parts = urlsplit(item["url"])
        assert parts.scheme == "https", item["title"]
        assert parts.hostname in OWNERS_SITES, item["title"]
        assert item["provider"] and item["cost"] and item["description"], item["title"]
        assert 1 <= item["suits_from"] <= item["suits_to"] <= 9, item["title"]
        assert item["competences"], item["title"]


@pytest.mark.parametrize(
    "address",
    [
        "https://www.example.com/course",
        "http://www.e-lfh.org.uk/programmes/",
        "https://www.e-lfh.org.uk.example.com/programmes/",
        "https://e-lfh.org.uk@example.com/",
        "ftp://www.gov.uk/guidance",
        "https://dokumen.tips/documents/ld-framework.html",
    ],
)
def test_a_learning_address_off_the_owners_sites_is_refused(address):
    item = LearningOpportunity(title="Somewhere else", kind="course", url=address)
    with pytest.raises(ValidationError) as refused:
        item.full_clean(exclude=["competences"])
    assert "url" in refused.value.message_dict


def test_nothing_for_staff_at_levels_2_to_3_is_masters_level_or_prescribing():
    for item in CATALOGUE:
        if item["suits_from"] <= 3:
            assert (item.get("level") or 0) < 7, item["title"]
            assert "prescrib" not in item["title"].lower(), item["title"]


def offered(block, kind: str) -> list[str]:
    return [
        anchor.text_content().strip()
        for anchor in block.xpath(f'.//ul[contains(concat(" ", @class, " "), " {kind} ")]/li/a')
    ]


def roles():
    return list(RoleProfile.objects.select_related("level").order_by("level__number", "slug"))


def test_every_roles_gap_report_offers_learning_at_its_level_first(seeded):
    """Every role, every competence answered "Not yet" (by leaving it unanswered)."""
    checked = 0
    all_roles = roles()
    assert len(all_roles) == 21
    client = Client()
    for role in all_roles:
        level = role.level.number
        url = reverse("pathways:self-assessment-result", args=[role.slug])
        page = lxml_html.fromstring(client.get(url).content.decode())
        blocks = page.xpath('//div[@class="app-gap"]')
        needed = sql("SELECT COUNT(*) FROM roles_rolecompetence WHERE role_id = %s", role.pk)[0][0]
        assert len(blocks) == needed, role.slug
        for block in blocks:
            suits = offered(block, "app-learning")
            later = offered(block, "app-learning-later")
            below = offered(block, "app-learning-below")
            for title in suits:
                low, high = BANDS[title]
                assert low <= level <= high, (role.slug, title)
            for title in later:
                assert BANDS[title][0] == level + 1, (role.slug, title)
            for title in below:
                assert BANDS[title][1] < level, (role.slug, title)
            if below:
                assert not suits and not later, role.slug
                assert "below this role" in block.text_content()
            checked += len(suits)
    assert checked > 0


def team_file(client, slug: str) -> bytes:
    """A gap file for someone in ``slug`` who left every answer blank (all "Not yet")."""
    url = reverse("pathways:self-assessment-result", args=[slug])
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    return response.content


def test_a_mixed_team_sees_learning_first_that_suits_the_members_it_is_counted_for(seeded):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    slugs = [
        "liaison-and-diversion-administrator",  # level 2
        "liaison-and-diversion-support-time-and-recovery-worker",  # level 3
        "reconnect-peer-support-worker",  # level 3
        "liaison-and-diversion-senior-practitioner",  # level 6
        "liaison-and-diversion-team-leader",  # level 6
    ]
    files = [
        SimpleUploadedFile(f"gaps-{n}.csv", team_file(client, slug), content_type="text/csv")
        for n, slug in enumerate(slugs)
    ]
    response = client.post("/pathways/team/", {"files": files, "format": "page", "exact": "1"})
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content.decode())
    rows = page.xpath('//table[@id="team-learning-table"]/tbody/tr')
    assert rows
    first = rows[0]
    title = first.get("data-learning")
    low, high = BANDS[title]
    counted_for = first.xpath('.//*[contains(@class, "app-team-learning__for")]')[0].text_content()
    levels = [int(n) for n in re.findall(r"\d", counted_for)]
    assert 6 in levels, counted_for
    # It suits every level it says it was counted for, and no other level of the team's.
    assert all(low <= n <= high for n in levels)
    assert {n for n in (2, 3, 6) if low <= n <= high} == set(levels)
    # Every ranked item suits the levels it was counted for.
    for row in rows:
        low, high = BANDS[row.get("data-learning")]
        text = row.xpath('.//*[contains(@class, "app-team-learning__for")]')[0].text_content()
        assert all(low <= int(n) <= high for n in re.findall(r"\d", text)), text
