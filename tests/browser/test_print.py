"""Printed role profiles and gap reports are short, complete, free of site addresses and
say what they are: the content's status, the framework version and the page printed."""

import re
import subprocess

import pytest
from django.urls import reverse

from core import versioning
from core.provenance import status_statement
from pathways.assessment import ANSWER_PREFIX, Answer
from roles.models import RoleProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_PROFILE_PAGES = 5
MIN_GAPS_PER_PAGE = 6


def print_to_pdf(page, address: str, path) -> tuple[int, str]:
    """Print ``address`` on A4 as Chromium does; return the page count and the text."""
    page.goto(address)
    page.emulate_media(media="print")
    # Text stays invisible while a web font is still loading (here: failing to load).
    page.evaluate("document.fonts.ready.then(() => true)")
    page.pdf(path=str(path), format="A4")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, text


def says_what_it_is(text: str, path: str) -> bool:
    """The print note is on paper: the statement, the version and the page's address."""
    flat = " ".join(text.split())
    version = f"version {versioning.current().number}"
    return status_statement() in flat and version in flat and path in flat


def test_every_role_profile_prints_on_at_most_five_a4_pages_with_every_competence(
    site, page, artefacts, poppler
):
    too_long = {}
    for role in RoleProfile.objects.prefetch_related("requirements__competence"):
        path = artefacts / f"profile-{role.slug}.pdf"
        pages, text = print_to_pdf(page, site + role.get_absolute_url(), path)
        if pages > MAX_PROFILE_PAGES:
            too_long[role.slug] = pages
        flat = " ".join(text.split())
        for requirement in role.requirements.all():
            # Closed expanders still print: every competence's code is on paper.
            assert requirement.competence.code in flat, (role.slug, requirement.competence.code)
        assert "(Link:" not in text and "(/competences" not in text, role.slug
        assert "Where this role leads" in text
        assert says_what_it_is(text, role.get_absolute_url()), role.slug
    assert too_long == {}


def test_gap_report_prints_at_least_six_gaps_a_page_without_site_addresses(
    site, page, artefacts, poppler
):
    role = max(RoleProfile.objects.all(), key=lambda role: role.requirements.count())
    answers = "&".join(
        f"{ANSWER_PREFIX}{item.competence.code}={Answer.NOT_YET.value}"
        for item in role.requirements.select_related("competence")
    )
    address = reverse("pathways:self-assessment-result", args=[role.slug]) + "?" + answers
    pages, text = print_to_pdf(page, site + address, artefacts / "gap-report.pdf")
    gaps = role.requirements.count()
    assert page.locator(".app-gap").count() == gaps
    assert gaps / pages >= MIN_GAPS_PER_PAGE, f"{gaps} gaps on {pages} pages"
    assert "(Link:" not in text and "(/competences" not in text and "(/standards" not in text
    assert says_what_it_is(text, reverse("pathways:self-assessment-result", args=[role.slug]))


def test_expanders_are_open_on_paper(site, page, artefacts):
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    page.goto(site + role.get_absolute_url())
    first = page.locator("details.app-section-details").first
    assert first.get_attribute("open") is None, "closed on screen"
    assert not first.locator("table").is_visible()
    page.emulate_media(media="print")
    assert first.locator("table").is_visible()
    page.pdf(path=str(artefacts / "role-expanders.pdf"), format="A4")
