"""A manager builds a job description from a role page and downloads it, keyboard only,
with JavaScript off."""

import docx
import pytest
from django.conf import settings
from django.urls import reverse

from roles.models import RoleProfile
from tests.browser.test_journeys import follow, tab_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPLOYER = "Northshire Health NHS Foundation Trust"
SERVICE = "Northshire Liaison and Diversion"
LOCATION = "Castlegate police station"


def type_into(page, field_id: str, text: str) -> None:
    tab_until(page, f"document.activeElement.id === '{field_id}'", field_id)
    page.keyboard.type(text)


def test_manager_builds_a_practitioner_job_description_and_downloads_it(
    site, page, artefacts, tmp_path
):
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    requirements = list(
        role.requirements.select_related("competence").prefetch_related("competence__standards")
    )

    page.goto(site + role.get_absolute_url())
    follow(page, reverse("workforce:job-description", args=[role.slug]))
    assert page.locator("h1").inner_text() == "Build a job description"

    type_into(page, "job-employer", EMPLOYER)
    type_into(page, "job-service", SERVICE)
    type_into(page, "job-location", LOCATION)
    # Leave out the second values criterion, by keyboard alone.
    tab_until(page, "document.activeElement.id === 'choice-values-justice'", "its requirement")
    page.keyboard.type("L")
    assert page.locator("#choice-values-justice").input_value() == "leave-out"
    tab_until(page, "document.activeElement.id === 'job-appendix'", "the appendix box")
    page.keyboard.press("Space")
    assert page.locator("#job-appendix").is_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form with its first button, Preview

    article = page.locator("article")
    assert article.locator("h2").inner_text() == role.title
    shown = article.inner_text()
    page_address = settings.PUBLIC_URL + role.get_absolute_url()
    for text in (
        EMPLOYER,
        SERVICE,
        LOCATION,
        "(2023 edition)",
        page_address,
        "Values and behaviours",
    ):
        assert text in shown
    assert "without judgement" not in shown, "the criterion left out"
    for item in requirements:
        assert item.competence.title in shown, "the appendix lists every competence"
    assert page.locator("#checks li").count() >= 5
    page.screenshot(path=str(artefacts / "job-description.png"), full_page=True)

    tab_until(
        page,
        "document.activeElement.matches('a[download]')",
        "the Word download link",
    )
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == f"job-description-{role.slug}.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    document = docx.Document(str(saved))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    everything = text + "\n" + "\n".join(cells)
    assert document.paragraphs[0].text == role.title
    for entered in (EMPLOYER, SERVICE, LOCATION):
        assert entered in cells
    appendix = [cell for cell in cells if "\nProficiency needed: " in cell]
    assert len(appendix) == len(requirements)
    for item in requirements:
        assert item.competence.title in everything
        for standard in item.competence.standards.all():
            assert standard.code in everything
    assert "without judgement" not in everything
    assert "Non-custodial Career and Competence Framework (2023 edition)" in text
    # The document names the site by its public address, never the host that asked.
    assert settings.PUBLIC_URL + role.get_absolute_url() in text


def test_printed_job_description_leaves_out_the_form_and_site_chrome(site, page):
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    page.goto(
        site
        + reverse("workforce:job-description", args=[role.slug])
        + f"?employer={EMPLOYER.replace(' ', '+')}"
    )
    page.emulate_media(media="print")
    assert not page.locator("header.nhsuk-header").is_visible()
    assert not page.locator("form#choices").is_visible()
    assert not page.get_by_text("Build a job description").first.is_visible()
    assert page.locator("article h2").is_visible()
    assert page.get_by_text(EMPLOYER).first.is_visible()


def test_every_roles_default_job_description_prints_on_at_most_four_a4_pages(
    site, page, artefacts, poppler
):
    from tests.browser.test_print import print_to_pdf

    pages = {}
    for role in RoleProfile.objects.all():
        address = reverse("workforce:job-description", args=[role.slug])
        path = artefacts / f"job-description-{role.slug}.pdf"
        count, text = print_to_pdf(page, f"{site}{address}?employer=Northshire+NHS+Trust", path)
        pages[role.slug] = count
        flat = " ".join(text.split())
        assert "Person specification" in flat and "Values and behaviours" in flat, role.slug
        assert "Build a job description" not in flat, "the form is not printed"
    assert {slug: count for slug, count in pages.items() if count > 4} == {}, pages
    print("Largest printed job description:", max(pages.items(), key=lambda item: item[1]))
