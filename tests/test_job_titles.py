"""Typical job titles are stored one per line and shown as a list, one title an item."""

import re

import pytest
from django.utils.html import escape

from roles.models import RoleProfile
from tests.factories import make_role

pytestmark = pytest.mark.django_db


def job_titles(html: str) -> list[str]:
    match = re.search(r'<ul[^>]*id="job-titles"[^>]*>(.*?)</ul>', html, re.S)
    assert match, "the role page lists its typical job titles"
    return re.findall(r"<li>(.*?)</li>", match.group(1), re.S)


def test_a_title_containing_a_comma_is_its_own_list_item(client):
    role = make_role(
        typical_job_titles="Clinical Lead, Court Healthcare\nLead Nurse, Court Custody\nNurse"
    )
    html = client.get(role.get_absolute_url()).content.decode()
    assert job_titles(html) == [
        "Clinical Lead, Court Healthcare",
        "Lead Nurse, Court Custody",
        "Nurse",
    ]


def test_seed_titles_with_commas_load_whole_and_show_one_per_item(client):
    role = RoleProfile.objects.get(slug="court-healthcare-clinical-lead")
    assert "Clinical Lead, Court Healthcare" in role.job_title_list
    html = client.get(role.get_absolute_url()).content.decode()
    assert job_titles(html) == [escape(title) for title in role.job_title_list]
