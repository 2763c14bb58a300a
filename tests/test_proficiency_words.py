"""Every place a depth appears uses the four words of the proficiency page, and nothing else.

The words and their definitions are read from the proficiency page as a reader sees it;
each output (role page, compare, self-assessment, gap file, job description, workforce
view and its workbook, skill-mix workbook, open data) is then read as its user gets it.
"""

import csv
import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse
from lxml import html

from roles.models import RoleProfile
from tests.test_job_description import docx_text

pytestmark = pytest.mark.django_db

# Ways of naming a depth that the site does not use: other scales' words, and comparisons
# that are not "deeper" or "deepest".
OTHER_WORDS = re.compile(
    r"\b(basic|intermediate|advanced|novice|beginner|competent|highest|greatest|greater|"
    r"lesser|higher|lower)\s+(proficiency|proficiencies|depth)\b",
    re.I,
)


@pytest.fixture
def scale(client, seeded):
    """{label: definition} as the proficiency page gives them."""
    page = html.fromstring(client.get(reverse("roles:proficiency")).content.decode())
    found = {}
    for section in page.xpath('//section[contains(@class, "app-proficiency-definition")]'):
        label = re.sub(r"^\d+\.\s*", "", section.xpath(".//h2")[0].text_content().strip())
        found[label] = section.xpath("./p")[0].text_content().strip()
    assert list(found) == ["Awareness", "Working", "Proficient", "Expert"]
    return found


def tags(content: str) -> list[str]:
    """The depth named by each proficiency tag on a page."""
    page = html.fromstring(content)
    return [
        link.text.strip() for link in page.xpath('//strong[contains(@class, "app-proficiency")]/a')
    ]


def no_other_words(text: str) -> None:
    assert not OTHER_WORDS.search(text), OTHER_WORDS.search(text).group()


def test_pages_name_depths_only_by_the_four_words(client, scale):
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    other = RoleProfile.objects.get(slug="liaison-and-diversion-senior-practitioner")
    pages = {
        "role": role.get_absolute_url(),
        "compare": reverse("pathways:compare") + f"?from={role.slug}&to={other.slug}",
        "self-assessment": reverse("pathways:self-assessment-section", args=[role.slug, 1]),
        "result": reverse("pathways:self-assessment-result", args=[role.slug]),
        "job description": reverse("workforce:job-description", args=[role.slug]),
        "workforce": reverse("workforce:area-workforce", args=["liaison-and-diversion"]),
        "level": reverse("roles:level-detail", args=[role.level.number]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        content = response.content.decode()
        no_other_words(html.fromstring(content).text_content())
        assert set(tags(content)) <= set(scale), name
    # The self-assessment explains each depth in the definition page's own words.
    page = html.fromstring(client.get(pages["self-assessment"]).content.decode())
    definitions = page.xpath('//p[contains(@class, "app-definition")]')
    assert definitions
    for paragraph in definitions:
        label, _, meaning = paragraph.text_content().strip().partition(" means: ")
        assert scale[label] == meaning.strip()
    # The level page's spread of depths is headed by the same four words, linked to them.
    level = html.fromstring(client.get(pages["level"]).content.decode())
    headings = [
        a.text_content()
        for a in level.xpath('//table[contains(@class, "app-depth-spread")]//thead//a')
    ]
    assert headings == list(scale)
    # The workforce heat map names each cell's depth by one of the four words.
    workforce = html.fromstring(client.get(pages["workforce"]).content.decode())
    cells = [
        cell.text_content() for cell in workforce.xpath('//td[contains(@class, "app-heat--")]')
    ]
    named = {cell.split(" · ")[0].strip() for cell in cells if " · " in cell}
    assert named and named <= set(scale)


def test_downloads_name_depths_only_by_the_four_words(client, scale):
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    gaps = client.get(
        reverse("pathways:self-assessment-result", args=[role.slug]), {"format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(gaps.content.decode("utf-8-sig"))))
    assert rows and {row["required proficiency"] for row in rows} <= set(scale)
    no_other_words(gaps.content.decode("utf-8-sig"))

    word = client.get(
        reverse("workforce:job-description", args=[role.slug]),
        {"appendix": "on", "format": "docx"},
    )
    text = docx_text(word.content)
    needed = set(re.findall(r"Proficiency needed: (\w+)", text))
    assert needed and needed <= set(scale)
    no_other_words(text)

    for url in (
        reverse("workforce:area-workforce-xlsx", args=["liaison-and-diversion"]),
        reverse("workforce:skill-mix-xlsx") + "?area=liaison-and-diversion",
    ):
        book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
        seen = set()
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            for row in rows:
                no_other_words(" ".join(str(cell) for cell in row if cell is not None))
            header = [str(cell) for cell in rows[0]] if rows else []
            for column, name in enumerate(header):
                if name == "Deepest proficiency":
                    seen |= {row[column] for row in rows[1:] if row[column]}
            # The heat map's cells: "Proficient · 5".
            for row in rows[1:]:
                for cell in row:
                    match = re.fullmatch(r"(\w+) · \d+", str(cell or ""))
                    if match:
                        seen.add(match.group(1))
        assert seen and seen <= set(scale), url

    document = json.loads(client.get(reverse("interchange:framework-json")).content)
    names = {need["proficiency"] for role in document["roles"] for need in role["competences"]}
    assert names <= {label.lower() for label in scale}
