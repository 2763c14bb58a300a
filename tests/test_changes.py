"""The public change log, the version in the footer, and the version every download carries.

The seed content is loaded when the test database is made, so its records are dated
today; tests that look for one change first move that history into the past. Expected
lines are written out from values read with SQL, not from the change log's own code.
"""

import datetime
import io
import re
from html import unescape

import docx
import openpyxl
import pytest
from django.db.models import F
from django.utils import timezone

from competences.models import Competence, LearningOpportunity, Standard
from competences.services import competence_save
from framework.change_sources import SOURCES
from framework.changes import DAYS_PER_PAGE
from roles.models import Area, RoleCompetence, RoleProfile
from tests.factories import make_competence, make_requirement, make_role
from tests.helpers import sql

pytestmark = pytest.mark.django_db


def history_models():
    for source in SOURCES:
        yield source.history


def age_history(days: int) -> None:
    """Move every recorded change ``days`` into the past."""
    for history in history_models():
        history.objects.update(history_date=F("history_date") - datetime.timedelta(days=days))


def text_of(response) -> str:
    """The page's words as a reader sees them: links run on inside their sentence."""
    html = re.sub(r"</?a\b[^>]*>", "", response.content.decode())
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", text)


def day_heading(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def stored_version() -> tuple[int, datetime.date]:
    number, last_changed = sql("SELECT number, last_changed FROM core_frameworkversion")[0]
    if isinstance(last_changed, str):
        last_changed = datetime.date.fromisoformat(last_changed)
    return number, last_changed


@pytest.fixture
def role():
    return RoleProfile.objects.filter(requirements__isnull=False).first()


def test_an_edited_role_is_listed_under_today_in_plain_words(client, role):
    age_history(3)
    role.purpose = "A purpose rewritten for the change log."
    role.save()
    (title,) = sql("SELECT title FROM roles_roleprofile WHERE id = %s", role.pk)[0]
    page = text_of(client.get("/changes/"))
    today = day_heading(timezone.localdate())
    assert f"{today} Role changed: {title} (purpose and scope)" in page
    earlier = day_heading(timezone.localdate() - datetime.timedelta(days=3))
    assert page.index(today) < page.index(earlier), "newest first"


def test_requirements_rewording_and_relinking_are_said_plainly(client, role):
    age_history(3)
    statement = Competence.objects.filter(kind="statement").exclude(roles=role).first()
    make_requirement(role, statement)
    reworded = Competence.objects.filter(kind="statement").exclude(pk=statement.pk).first()
    reworded.title = "A reworded competence"
    competence_save(competence=reworded)
    standard = Standard.objects.exclude(competences=reworded).first()
    reworded.standards.add(standard)

    (role_title,) = sql("SELECT title FROM roles_roleprofile WHERE id = %s", role.pk)[0]
    code, title = sql("SELECT code, title FROM competences_competence WHERE id = %s", statement.pk)[
        0
    ]
    (reworded_code,) = sql("SELECT code FROM competences_competence WHERE id = %s", reworded.pk)[0]
    (reference,) = sql("SELECT reference FROM competences_standard WHERE id = %s", standard.pk)[0]
    page = text_of(client.get("/changes/"))
    assert f"Role {role_title} now needs {code} {title} (essential, at working proficiency)" in page
    assert f"Competence reworded: {reworded_code} A reworded competence" in page
    assert f"Standard relinked: {reference} now underpins {reworded_code}" in page


def test_removed_items_are_listed_once(client):
    age_history(3)
    learning = LearningOpportunity.objects.first()
    (learning_title,) = sql(
        "SELECT title FROM competences_learningopportunity WHERE id = %s", learning.pk
    )[0]
    learning.delete()
    doomed = make_role(title="A role made to be removed")
    make_requirement(doomed, Competence.objects.filter(kind="statement").first())
    age_history(1)
    RoleProfile.objects.get(pk=doomed.pk).delete()
    page = text_of(client.get("/changes/"))
    assert f"Learning removed: {learning_title}" in page
    assert "Role removed: A role made to be removed" in page
    # Its requirements went with it; the role's own line says so.
    assert "Role A role made to be removed no longer needs" not in page


def test_the_page_and_the_footer_show_the_stored_version(client):
    role = RoleProfile.objects.first()
    role.purpose = "Changed so that the version rises."
    role.save()
    number, last_changed = stored_version()
    page = text_of(client.get("/changes/"))
    assert (
        f"This is version {number} of the framework. "
        f"It last changed on {day_heading(last_changed)}." in page
    )
    footer = text_of(client.get("/roles/"))
    footer = footer[footer.index("Support links") :]
    assert f"Framework version {number}, last changed {day_heading(last_changed)}" in footer
    assert 'href="/changes/"' in client.get("/").content.decode()


def test_with_no_history_the_page_says_what_will_appear(client):
    for history in history_models():
        history.objects.all().delete()
    response = client.get("/changes/")
    assert response.status_code == 200
    assert "No changes have been published yet." in text_of(response)


def test_the_log_shows_the_newest_days_and_pages_back_to_older_ones(client, role):
    age_history(30)
    days = []
    for back in range(DAYS_PER_PAGE + 1, 0, -1):
        role.purpose = f"Purpose as of {back} days ago."
        role.save()
        role.history.filter(history_date__gt=timezone.now() - datetime.timedelta(hours=1)).update(
            history_date=F("history_date") - datetime.timedelta(days=back)
        )
        days.append(timezone.localdate() - datetime.timedelta(days=back))
    distinct = sorted({*days, timezone.localdate() - datetime.timedelta(days=30)}, reverse=True)

    first = client.get("/changes/")
    headings = re.findall(r'<h2 class="nhsuk-heading-m">([^<]+)</h2>', first.content.decode())
    assert headings == [day_heading(day) for day in distinct[:DAYS_PER_PAGE]]
    older = re.search(r'href="(/changes/\?before=[^"]+)"', first.content.decode()).group(1)
    link = re.search(r'<a [^>]*href="/changes/\?before=.*?</a>', first.content.decode(), re.S)
    assert 'class="nhsuk-icon nhsuk-icon--arrow-right"' in link.group(0), "the arrow"
    second = client.get(unescape(older))
    headings = re.findall(r'<h2 class="nhsuk-heading-m">([^<]+)</h2>', second.content.decode())
    assert headings == [day_heading(day) for day in distinct[DAYS_PER_PAGE:]]
    assert "Older changes" in text_of(second)
    latest = re.search(r'<a [^>]*href="/changes/".*?</a>', second.content.decode(), re.S)
    assert 'class="nhsuk-icon nhsuk-icon--arrow-left"' in latest.group(0), "the arrow"


def test_a_day_of_bulk_changes_is_summed_up_and_has_its_own_pages(client):
    # The seed load added every item today: far more than the log says line by line.
    roles = sql("SELECT COUNT(*) FROM roles_roleprofile")[0][0]
    standards = sql("SELECT COUNT(*) FROM competences_standard")[0][0]
    today = timezone.localdate().isoformat()
    log = client.get("/changes/")
    assert f'href="/changes/{today}/"' in log.content.decode()
    summed = text_of(log)
    assert f"Roles added: {roles} " in summed
    assert f"Standards added: {standards} " in summed
    assert "Role added: " not in summed

    texts = []
    for number in range(1, 200):
        response = client.get(f"/changes/{today}/", {"page": number})
        assert response.status_code == 200
        texts.append(text_of(response))
        if f"?page={number + 1}" not in response.content.decode():
            break
    assert len(texts) > 1, "a page at a time"
    assert f"Roles added: {roles} " in texts[0]
    assert sum(text.count(" Role added: ") for text in texts) == roles
    assert sum(text.count(" Standard added: ") for text in texts) == standards
    assert client.get(f"/changes/{today}/", {"page": len(texts) + 1}).status_code == 404
    assert client.get("/changes/2001-01-01/").status_code == 404
    assert client.get("/changes/2026-02-30/").status_code == 404
    assert client.get("/changes/yesterday/").status_code == 404


def test_the_word_job_description_carries_the_version(client, role):
    role.purpose = "Changed so that the version is dated."
    role.save()
    number, last_changed = stored_version()
    response = client.get(f"/roles/{role.slug}/job-description/", {"format": "docx"})
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert f"(2023 edition), version {number}, last changed {day_heading(last_changed)}" in text


def test_workforce_downloads_carry_the_version(client):
    number, last_changed = stored_version()
    area = Area.objects.first()
    workbook = client.get(f"/areas/{area.slug}/workforce/workforce.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    cited = f"version {number}, last changed {day_heading(last_changed)}"
    assert cited in book.properties.description
    assert all(cited in sheet.oddFooter.left.text for sheet in book.worksheets)
    table = client.get(f"/areas/{area.slug}/workforce/workforce.csv")
    assert f"framework-version-{number}.csv" in table["Content-Disposition"]


def test_a_requirement_changed_in_depth_says_what_it_was(client, role):
    age_history(3)
    need = RoleCompetence.objects.filter(role=role, proficiency__lt=4).first()
    old = need.get_proficiency_display().lower()
    need.proficiency += 1
    need.save()
    new = need.get_proficiency_display().lower()
    (code,) = sql(
        "SELECT c.code FROM competences_competence c JOIN roles_rolecompetence r "
        "ON r.competence_id = c.id WHERE r.id = %s",
        need.pk,
    )[0]
    page = text_of(client.get("/changes/"))
    assert re.search(rf"now needs {re.escape(code)} .*at {new} proficiency; was .*at {old}", page)


def test_a_competence_moved_by_an_editor_is_listed_as_moved(client):
    age_history(3)
    section = Competence.objects.filter(kind="section").first()
    node = make_competence(parent=section, title="Wandering node")
    other = Competence.objects.filter(kind="section").exclude(pk=section.pk).first()
    age_history(1)
    node.parent = other
    competence_save(competence=node)
    (other_code,) = sql("SELECT code FROM competences_competence WHERE id = %s", other.pk)[0]
    page = text_of(client.get("/changes/"))
    assert f"moved: {node.code} Wandering node, now under {other_code}" in page
