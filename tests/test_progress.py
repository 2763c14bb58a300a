"""Progress without an account: an earlier gap file pre-fills the self-assessment, and the
new result says which gaps closed, which are new and which are still open."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from roles.models import RoleProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def role():
    return max(RoleProfile.objects.all(), key=lambda role: role.requirements.count())


def codes_of(role) -> list[str]:
    return sorted(role.requirements.values_list("competence__code", flat=True))


def result_url(role) -> str:
    return reverse("pathways:self-assessment-result", args=[role.slug])


def earlier_url(role) -> str:
    return reverse("pathways:self-assessment-earlier", args=[role.slug])


def gap_file(client, role, answers: dict[str, str]) -> bytes:
    response = client.get(
        result_url(role), {**{f"c-{c}": a for c, a in answers.items()}, "format": "csv"}
    )
    assert response.status_code == 200
    return response.content


def upload(client, role, content: bytes, name="gaps.csv"):
    return client.post(earlier_url(role), {"earlier": SimpleUploadedFile(name, content)})


@pytest.fixture
def earlier(role):
    """Answers for every competence: two Partly, one Not yet, one left unanswered."""
    codes = codes_of(role)
    answers = {code: "confident" for code in codes}
    answers.update({codes[0]: "partly", codes[1]: "not-yet", codes[2]: "partly"})
    del answers[codes[3]]
    return answers


def test_the_start_page_offers_to_start_from_the_last_result(client, role):
    page = client.get(reverse("pathways:self-assessment", args=[role.slug])).content.decode()
    assert f'href="{earlier_url(role)}"' in page
    form = client.get(earlier_url(role)).content.decode()
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file"' in form


def test_an_earlier_file_prefills_exactly_its_answers(client, role, earlier):
    response = upload(client, role, gap_file(client, role, earlier))
    assert response.status_code == 303
    address = urlsplit(response["Location"])
    assert address.path == reverse("pathways:self-assessment-section", args=[role.slug, 1])
    query = parse_qs(address.query, keep_blank_values=True)
    before = query.pop("before")
    answers = {key[2:]: values[0] for key, values in query.items()}
    assert answers == earlier, "the unanswered competence stays unanswered"
    codes = codes_of(role)
    assert before == [",".join(sorted(codes[:4]))]
    section = client.get(response["Location"]).content.decode()
    assert f'name="before" value="{before[0]}"' in section, "the earlier gaps ride along"


def test_the_result_shows_closed_new_and_still_open_gaps(client, role, earlier):
    location = upload(client, role, gap_file(client, role, earlier))["Location"]
    query = parse_qs(urlsplit(location).query)
    codes = codes_of(role)
    # Since then: the first gap closed, the second still open, a new gap in codes[4].
    query[f"c-{codes[0]}"] = ["confident"]
    query[f"c-{codes[4]}"] = ["not-yet"]
    page = client.get(result_url(role), query, follow=False).content.decode()
    tree = html.fromstring(page)

    def listed(css_class):
        items = tree.xpath(f'//ul[contains(@class, "{css_class}")]/li/span[@class="app-code"]')
        return [item.text for item in items]

    assert listed("app-progress-closed") == [codes[0]]
    assert listed("app-progress-new") == [codes[4]]
    assert sorted(listed("app-progress-open")) == sorted([codes[1], codes[2], codes[3]])
    summary = tree.xpath('//p[@id="progress-summary"]')[0].text_content()
    assert summary == "1 gap closed, 1 new gap, 3 still open."


def test_a_result_without_an_earlier_file_shows_no_progress(client, role):
    page = client.get(result_url(role)).content.decode()
    assert "Since your last result" not in page


def test_a_file_for_another_role_is_refused_with_a_message(client, role):
    other = RoleProfile.objects.exclude(pk=role.pk).filter(requirements__isnull=False).first()
    other_codes = sorted(other.requirements.values_list("competence__code", flat=True))
    content = gap_file(client, other, {other_codes[0]: "partly"})
    response = upload(client, role, content, name=f"gaps-{other.slug}.csv")
    assert response.status_code == 400
    assert re.search(
        rf"“gaps-{other.slug}.csv” is a result for {re.escape(other.title)}, not for "
        rf"{re.escape(role.title)}",
        response.content.decode(),
    )


def test_a_tampered_earlier_file_is_refused_and_nothing_is_stored(client, role):
    with CaptureQueriesContext(connection) as queries:
        response = upload(client, role, b"\x89PNG\r\n\x00\x00", name="me.png")
        blank = client.post(earlier_url(role))
    assert response.status_code == 400
    assert "“me.png” is not a CSV file" in response.content.decode()
    assert "Choose at least one gap file" in blank.content.decode()
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert "no-store" in response["Cache-Control"]


def test_an_edited_earlier_gap_list_in_the_address_is_explained(client, role):
    response = client.get(result_url(role), {"before": "NOT-A-CODE"})
    assert response.status_code == 400
    assert "lists competences this role does not have" in response.content.decode()
