"""Importing the framework in the admin: permission, preview, confirm and refusals.

The preview must show each changed field's stored and new value and write nothing; only
the confirmation writes, and only when the stored framework is still the one the
preview was worked out against. A bad or oversized file is refused on the upload page,
with the database as it was.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html
from openpyxl import load_workbook

from core import spreadsheets
from interchange import formats
from interchange.document import framework_document
from interchange.models import PendingImport
from roles.models import RoleProfile
from tests.helpers import sql
from tests.measure import content_row_counts

pytestmark = pytest.mark.django_db

NEW_PURPOSE = "Keeps the records and referrals of the team in order, so nothing is missed."

VERSION_URL = "admin:core_frameworkversion_changelist"
IMPORT_URL = "admin:core_frameworkversion_import"
TEMPLATE_URL = "admin:core_frameworkversion_blank_template"


def stored_purpose(slug: str) -> str:
    return sql("SELECT purpose FROM roles_roleprofile WHERE slug = %s", slug)[0][0]


def stored_version() -> tuple:
    return tuple(sql("SELECT number, last_changed FROM core_frameworkversion")[0])


def upload(client, data: bytes, name: str = "framework.json"):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, data)})


def page_text(element) -> str:
    return " ".join(element.text_content().split())


def error_summary(response) -> str:
    summary = html.fromstring(response.content).get_element_by_id("error-summary")
    assert "errornote" in summary.get("class")
    return page_text(summary)


@pytest.fixture
def changed_role(seeded):
    """The exported framework with one role's purpose rewritten and a later version."""
    document = framework_document()
    role = document["roles"][0]
    old = role["purpose"]
    role["purpose"] = NEW_PURPOSE
    document["framework"]["version"] = stored_version()[0] + 5
    document["framework"]["last_changed"] = "2030-01-15"
    return {"document": document, "slug": role["slug"], "old": old}


@pytest.fixture
def editor(client, django_user_model):
    """Staff who may edit content but were not given the import permission."""
    user = django_user_model.objects.create_user("writer", "writer@example.org", "pw")
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="roles"))
    client.force_login(user)
    return user


def test_staff_without_the_import_permission_are_refused(client, editor, seeded):
    before = content_row_counts()
    version_page = client.get(reverse(VERSION_URL))
    assert version_page.status_code == 200
    assert reverse(IMPORT_URL).encode() not in version_page.content
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    data = formats.json_bytes(framework_document())
    assert upload(client, data).status_code == 403
    assert not PendingImport.objects.exists()
    assert content_row_counts() == before


def test_the_permission_can_be_granted_to_staff(client, editor, seeded):
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="interchange", codename="import_framework")
    )
    version_page = client.get(reverse(VERSION_URL))
    assert reverse(IMPORT_URL).encode() in version_page.content
    assert client.get(reverse(IMPORT_URL)).status_code == 200


def test_version_page_shows_the_stored_version_and_its_links(staff_client, seeded):
    response = staff_client.get(reverse(VERSION_URL))
    assert response.status_code == 200
    page = html.fromstring(response.content)
    number, last_changed = stored_version()
    cells = [page_text(td) for td in page.xpath('//*[@id="content-main"]//table//td')]
    assert cells[0] == str(number)
    assert cells[1] == datetime.date.fromisoformat(str(last_changed)).strftime("%-d %B %Y")
    links = {page_text(a): a.get("href") for a in page.xpath('//*[@id="content-main"]//a')}
    assert links["Import the framework from a file"] == reverse(IMPORT_URL)
    assert links["Download a blank Excel template"] == reverse(TEMPLATE_URL)
    assert links["Open data downloads"] == "/export/"
    assert page.xpath('//*[@class="breadcrumbs"]//a')[0].get("href") == reverse("admin:index")
    assert page_text(page.xpath("//h1")[0]) == "Framework version"


def test_import_form_has_a_labelled_file_field(staff_client, seeded):
    page = html.fromstring(staff_client.get(reverse(IMPORT_URL)).content)
    field = page.get_element_by_id("id_file")
    assert field.get("type") == "file"
    assert page.xpath('//label[@for="id_file"]')[0].text_content() == "Framework file"
    assert page.get_element_by_id(field.get("aria-describedby")) is not None
    assert page.xpath('//form//input[@name="csrfmiddlewaretoken"]')


def test_upload_and_confirm_need_the_csrf_token(changed_role, django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_superuser("e", "e@example.org", "pw"))
    data = formats.json_bytes(changed_role["document"])
    file = SimpleUploadedFile("framework.json", data)
    assert client.post(reverse(IMPORT_URL), {"file": file}).status_code == 403
    assert not PendingImport.objects.exists()

    form = html.fromstring(client.get(reverse(IMPORT_URL)).content)
    token = form.xpath('//input[@name="csrfmiddlewaretoken"]')[0].get("value")
    file = SimpleUploadedFile("framework.json", data)
    response = client.post(reverse(IMPORT_URL), {"file": file, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    preview_url = response["Location"]
    assert client.post(preview_url).status_code == 403
    assert stored_purpose(changed_role["slug"]) == changed_role["old"]
    response = client.post(preview_url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert stored_purpose(changed_role["slug"]) == NEW_PURPOSE


def test_preview_shows_old_and_new_value_and_writes_nothing(staff_client, changed_role):
    before_counts, before_version = content_row_counts(), stored_version()
    response = upload(staff_client, formats.json_bytes(changed_role["document"]))
    assert response.status_code == 302
    preview = staff_client.get(response["Location"])
    assert preview.status_code == 200

    page = html.fromstring(preview.content)
    tables = [t for t in page.xpath("//table") if t.find("caption") is not None]
    role_table = next(t for t in tables if t.find("caption").text == changed_role["slug"])
    rows = {page_text(tr.find("th")): tr.findall("td") for tr in role_table.xpath("./tbody/tr")}
    old_shown, new_shown = (page_text(cell) for cell in rows["purpose"])
    old_words = " ".join(changed_role["old"].split())
    assert old_shown[:150] == old_words[:150]
    assert new_shown == NEW_PURPOSE
    # Only the purpose differs, so the summary counts one changed role and nothing else.
    summary = next(t for t in tables if "by kind" in t.find("caption").text)
    counts = {
        page_text(tr.find("th")): [page_text(td) for td in tr.findall("td")]
        for tr in summary.xpath("./tbody/tr")
    }
    assert counts["Role profiles"][:3] == ["0", "1", "0"]
    totals = [page_text(td) for td in summary.xpath("./tfoot//td")]
    assert totals[:3] == ["0", "1", "0"]
    assert page.xpath('//form[@method="post"]//input[@name="csrfmiddlewaretoken"]')
    assert page.xpath('//input[@type="submit"][@value="Confirm import"]')

    assert stored_purpose(changed_role["slug"]) == changed_role["old"]
    assert content_row_counts() == before_counts
    assert stored_version() == before_version


def test_confirm_stores_the_file_and_its_version(staff_client, changed_role):
    before_counts = content_row_counts()
    preview_url = upload(staff_client, formats.json_bytes(changed_role["document"]))["Location"]
    response = staff_client.post(preview_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(VERSION_URL)
    message = " ".join(str(m) for m in response.context["messages"])
    assert "0 added, 1 changed, 0 removed" in message

    assert stored_purpose(changed_role["slug"]) == NEW_PURPOSE
    framework = changed_role["document"]["framework"]
    number, last_changed = stored_version()
    # The framework already held content, so the changed content takes a version above
    # both the stored one and the file's, dated today: no two files share a version.
    assert number == framework["version"] + 1
    assert last_changed == timezone.localdate()
    assert f"version {number}" in message
    assert content_row_counts() == before_counts
    assert not PendingImport.objects.exists()


def test_confirm_is_refused_when_the_framework_changed_after_the_preview(
    staff_client, changed_role, django_capture_on_commit_callbacks
):
    preview_url = upload(staff_client, formats.json_bytes(changed_role["document"]))["Location"]
    # Meanwhile another editor changes a role, which raises the version when it commits.
    other = RoleProfile.objects.exclude(slug=changed_role["slug"]).first()
    with django_capture_on_commit_callbacks(execute=True):
        other.title = "Retitled by someone else"
        other.save()
    version_after_edit = stored_version()

    response = staff_client.post(preview_url)
    assert response.status_code == 200
    assert "framework has changed" in error_summary(response)
    assert stored_purpose(changed_role["slug"]) == changed_role["old"]
    assert stored_version() == version_after_edit
    # The preview shown again is worked out against the edit: the file would undo it.
    assert b"Retitled by someone else" in response.content
    assert response.context["stored_number"] == version_after_edit[0]

    # Confirming this fresh preview goes through.
    staff_client.post(preview_url)
    assert stored_purpose(changed_role["slug"]) == NEW_PURPOSE


def _level_42(document):
    document["roles"][3]["level"] = 42
    return ("roles[3]", "42")


def _move_to_nowhere(document):
    document["progressions"][2]["to"] = "no-such-role"
    return ("progressions[2]", "no-such-role")


@pytest.mark.parametrize("spoil", [_level_42, _move_to_nowhere], ids=lambda f: f.__name__[1:])
def test_a_bad_file_is_refused_with_its_problem(staff_client, seeded, spoil):
    document = framework_document()
    expected = spoil(document)
    before_counts, before_version = content_row_counts(), stored_version()
    response = upload(staff_client, formats.json_bytes(document))
    assert response.status_code == 200
    summary = error_summary(response)
    for words in expected:
        assert words in summary
    assert content_row_counts() == before_counts
    assert stored_version() == before_version
    assert not PendingImport.objects.exists()


def test_a_bad_workbook_names_the_sheet_and_row(staff_client, seeded):
    document = framework_document()
    document["roles"][3]["level"] = 42
    before_counts = content_row_counts()
    response = upload(staff_client, formats.workbook_bytes(document), "framework.xlsx")
    assert response.status_code == 200
    summary = error_summary(response)
    assert "roles" in summary and "42" in summary
    assert content_row_counts() == before_counts


def test_a_workbook_previews_like_the_json(staff_client, changed_role):
    data = formats.workbook_bytes(changed_role["document"])
    response = upload(staff_client, data, "framework.xlsx")
    assert response.status_code == 302
    preview = staff_client.get(response["Location"])
    assert NEW_PURPOSE.encode() in preview.content
    assert stored_purpose(changed_role["slug"]) == changed_role["old"]


def test_a_file_of_another_kind_is_refused(staff_client, seeded):
    response = upload(staff_client, b"slug,title\n", "roles.csv")
    assert response.status_code == 200
    assert "roles.csv" in error_summary(response)


@pytest.mark.parametrize("size", [5_000, 300_000], ids=["read", "refused-by-length"])
def test_an_oversized_upload_names_its_size_and_the_limit(staff_client, seeded, settings, size):
    settings.FRAMEWORK_IMPORT_MAX_BYTES = 2048
    before_counts = content_row_counts()
    response = upload(staff_client, b" " * size)
    assert response.status_code == 200
    summary = error_summary(response)
    assert "2 KB" in summary
    assert f"{round(size / 1024)} KB" in summary
    assert content_row_counts() == before_counts
    assert not PendingImport.objects.exists()


def test_blank_template_downloads_as_a_workbook(staff_client, seeded):
    response = staff_client.get(reverse(TEMPLATE_URL))
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheets.XLSX_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == list(formats.SHEETS)
    roles = book["roles"]
    assert [cell.value for cell in roles[1]] == list(formats.SHEETS["roles"])
    assert roles.max_row == 1


def test_another_editors_upload_is_not_shown(staff_client, changed_role, django_user_model):
    preview_url = upload(staff_client, formats.json_bytes(changed_role["document"]))["Location"]
    other = django_user_model.objects.create_superuser("other", "other@example.org", "pw")
    staff_client.force_login(other)
    assert staff_client.get(preview_url).status_code == 404
    staff_client.post(preview_url)
    assert stored_purpose(changed_role["slug"]) == changed_role["old"]
