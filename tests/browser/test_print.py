"""Printed role profiles and gap reports are short, complete, free of site addresses and
say what they are: the content's status, the framework version and the page printed."""

import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from core import versioning
from core.provenance import status_statement
from pathways.assessment import ANSWER_PREFIX, Answer
from roles.models import RoleProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_PROFILE_PAGES = 5
MIN_GAPS_PER_PAGE = 6
POINTS_PER_MM = 72 / 25.4
# The left margin of every printed page, as site.css's @page rule sets it.
LEFT_MARGIN_PT = 12 * POINTS_PER_MM
# Printed pages are read back as pictures at this resolution, in grey levels.
PICTURE_DPI = 36
# The tallest band of one flat colour (not white) a printed page may hold: taller than
# this is a block of background, not a rule or a border.
MAX_BAND_MM = 10


def print_to_pdf(page, address: str, path, *, background: bool = False) -> tuple[int, str]:
    """Print ``address`` on A4 as Chromium does; return the page count and the text.
    ``background``: as with the print dialog's "Background graphics" ticked."""
    page.goto(address)
    page.emulate_media(media="print")
    # Text stays invisible while a web font is still loading (here: failing to load).
    page.evaluate("document.fonts.ready.then(() => true)")
    page.pdf(path=str(path), format="A4", print_background=background)
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


def text_lines(path) -> list[tuple[int, float, str]]:
    """Each printed line of text: its page number, its left edge in points from the
    paper's edge, and its words (pdftotext's bounding boxes)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    space = {"x": "http://www.w3.org/1999/xhtml"}
    lines = []
    for number, sheet in enumerate(ET.fromstring(xhtml).iterfind(".//x:page", space), start=1):
        for line in sheet.iterfind(".//x:line", space):
            words = " ".join(word.text or "" for word in line.iterfind("x:word", space))
            lines.append((number, float(line.get("xMin")), words))
    return lines


def tallest_flat_band_mm(path, number: int) -> float:
    """The height of the tallest band of printed page ``number`` in which every row is
    one flat colour other than white, across the printable width."""
    picture = subprocess.run(
        ["pdftoppm", "-gray", "-r", str(PICTURE_DPI), "-f", str(number), "-l", str(number)]
        + ["-singlefile", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    # A binary PGM: "P5", width, height and the largest grey level, then one byte a pixel.
    magic, width, height, _, pixels = picture.split(maxsplit=4)
    assert magic == b"P5"
    width, height = int(width), int(height)
    margin = round(LEFT_MARGIN_PT / 72 * PICTURE_DPI) + 1
    tallest = run = 0
    for row in range(height):
        shades = pixels[row * width + margin : (row + 1) * width - margin]
        flat = max(shades) - min(shades) <= 2 and max(shades) < 250
        run = run + 1 if flat else 0
        tallest = max(tallest, run)
    return tallest / PICTURE_DPI * 25.4


def gap_report_address(role) -> str:
    """The result page of ``role``'s self-assessment with every answer Not yet."""
    answers = "&".join(
        f"{ANSWER_PREFIX}{item.competence.code}={Answer.NOT_YET.value}"
        for item in role.requirements.select_related("competence")
    )
    return reverse("pathways:self-assessment-result", args=[role.slug]) + "?" + answers


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
    address = gap_report_address(role)
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


def test_printed_gap_report_and_profile_keep_every_line_inside_the_margin(
    site, page, artefacts, poppler
):
    """Paper clips what lies outside its margins: a line starting left of the margin
    loses its first letter."""
    role = max(RoleProfile.objects.all(), key=lambda role: role.requirements.count())
    for name, address in [
        ("gap-report-margins", gap_report_address(role)),
        ("profile-margins", role.get_absolute_url()),
    ]:
        path = artefacts / f"{name}.pdf"
        print_to_pdf(page, site + address, path)
        lines = text_lines(path)
        assert len(lines) > 100, name
        # A tenth of a point for rounding; a clipped letter is a point or more outside.
        outside = [line for line in lines if line[1] < LEFT_MARGIN_PT - 0.1]
        assert outside == [], (name, min(x for _, x, _ in lines), outside[:5])


def test_gap_report_printed_with_background_graphics_has_no_grey_block(
    site, page, artefacts, poppler
):
    role = max(RoleProfile.objects.all(), key=lambda role: role.requirements.count())
    path = artefacts / "gap-report-background.pdf"
    pages, _ = print_to_pdf(page, site + gap_report_address(role), path, background=True)
    bands = {number: tallest_flat_band_mm(path, number) for number in range(1, pages + 1)}
    assert max(bands.values()) < MAX_BAND_MM, bands
