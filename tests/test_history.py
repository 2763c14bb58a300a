"""Every editorial change is recorded, shown with its differences, and can be reverted.

Records are counted and read with SQL, not through the history models, so a test fails
if the admin shows something the database does not hold.
"""

import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competences.content_admin import resting_on
from competences.models import Competence, Standard
from competences.selectors import competence_tree_problems
from competences.services import MOVED
from interchange import formats
from interchange.document import framework_document
from interchange.loading import framework_apply, framework_load
from roles.models import Area, RoleProfile
from tests.factories import make_competence, make_requirement, make_role
from tests.helpers import sql
from tests.test_editor_group import editor_client  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

HISTORY_TABLES = [
    "roles_historicalarea",
    "roles_historicallevel",
    "roles_historicalroleprofile",
    "roles_historicalroleprofile_areas",
    "roles_historicalrolecompetence",
    "competences_historicalcompetence",
    "competences_historicalcompetence_standards",
    "competences_historicalstandard",
    "competences_historicallearningopportunity",
    "competences_historicallearningopportunity_competences",
    "pathways_historicalprogression",
    "pathways_historicalprogressiondrop",
]


def history_rows() -> dict[str, int]:
    return {table: sql(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in HISTORY_TABLES}


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def form_data(response) -> dict:
    """What the admin form on ``response`` would send back unchanged, inlines included."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif value in (None, False):
                data[key] = ""
            elif isinstance(value, (list, tuple)):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            data[formset.management_form.add_prefix(name)] = str(
                formset.management_form[name].value() or field.initial or 0
            )
        for form in formset.initial_forms:
            add(form)
        data[formset.management_form.add_prefix("TOTAL_FORMS")] = str(len(formset.initial_forms))
    return {key: value for key, value in data.items() if value != ""}


def edit_in_admin(client, model, obj, **changes):
    url = admin_url(model, "change", obj.pk)
    data = form_data(client.get(url)) | changes
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]


def records_of(table: str, pk: int) -> list[tuple]:
    """(history id, type, user name, change reason) of an item's records, oldest first."""
    return sql(
        "SELECT h.history_id, h.history_type, u.username, h.history_change_reason "
        f'FROM "{table}" h LEFT JOIN auth_user u ON u.id = h.history_user_id '
        "WHERE h.id = %s "
        "ORDER BY h.history_date, h.history_id",
        pk,
    )


def revert(client, model, obj, history_id: int) -> None:
    """Open a version in the admin and press its Revert button."""
    url = admin_url(model, "simple_history", obj.pk, history_id)
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, form_data(page))
    assert response.status_code == 302, response.context and response.context["errors"]


def visible_text(response) -> str:
    text = unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+", " ", text)


def test_editing_a_role_records_who_changed_which_field_and_the_history_page_shows_it(
    staff_client,
):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    old_purpose = role.purpose
    before = records_of("roles_historicalroleprofile", role.pk)
    edit_in_admin(staff_client, RoleProfile, role, purpose="A purpose written for the test.")

    after = records_of("roles_historicalroleprofile", role.pk)
    assert len(after) == len(before) + 1, "one save, one record"
    _id, kind, user, _reason = after[-1]
    assert (kind, user) == ("~", "editor")
    stored = sql("SELECT purpose FROM roles_historicalroleprofile WHERE history_id = %s", _id)
    assert stored == [("A purpose written for the test.",)]

    page = visible_text(staff_client.get(admin_url(RoleProfile, "history", role.pk)))
    assert "editor" in page
    # The diff shows the field, the old value (long ones shortened) and the new one.
    old_start = " ".join(old_purpose.split())[:40]
    assert re.search(
        rf"Purpose and scope: {re.escape(old_start)}.* → A purpose written for the test\.", page
    )


def test_reverting_a_role_restores_its_fields_and_its_areas(staff_client):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    old_purpose = role.purpose
    old_areas = set(role.areas.values_list("pk", flat=True))
    other = Area.objects.exclude(pk__in=old_areas).first()
    requirements = sql("SELECT COUNT(*) FROM roles_rolecompetence WHERE role_id = %s", role.pk)
    previous = records_of("roles_historicalroleprofile", role.pk)[-1][0]

    edit_in_admin(staff_client, RoleProfile, role, purpose="Changed.", areas=[str(other.pk)])
    assert set(role.areas.values_list("pk", flat=True)) == {other.pk}

    revert(staff_client, RoleProfile, role, previous)
    assert sql("SELECT purpose FROM roles_roleprofile WHERE id = %s", role.pk) == [(old_purpose,)]
    stored_areas = sql(
        "SELECT area_id FROM roles_roleprofile_areas WHERE roleprofile_id = %s", role.pk
    )
    assert {area for (area,) in stored_areas} == old_areas
    # The requirements are rows of their own: a revert of the role leaves them alone.
    assert (
        sql("SELECT COUNT(*) FROM roles_rolecompetence WHERE role_id = %s", role.pk) == requirements
    )
    assert records_of("roles_historicalroleprofile", role.pk)[-1][1:3] == ("~", "editor")


def test_reverting_a_competence_moves_it_back_under_its_old_parent(staff_client):
    statement = Competence.objects.filter(kind="statement", parent__kind="subsection").first()
    old_parent = statement.parent
    new_parent = Competence.objects.filter(kind="subsection").exclude(pk=old_parent.pk).first()
    old_title = statement.title
    previous = records_of("competences_historicalcompetence", statement.pk)[-1][0]

    edit_in_admin(
        staff_client, Competence, statement, parent=str(new_parent.pk), title="Moved and renamed"
    )
    assert sql("SELECT parent_id FROM competences_competence WHERE id = %s", statement.pk) == [
        (new_parent.pk,)
    ]
    assert competence_tree_problems() == []

    revert(staff_client, Competence, statement, previous)
    assert sql(
        "SELECT parent_id, title FROM competences_competence WHERE id = %s", statement.pk
    ) == [(old_parent.pk, old_title)]
    assert competence_tree_problems() == []
    moved_back = Competence.objects.get(pk=statement.pk)
    assert moved_back in Competence.objects.get(pk=old_parent.pk).get_children()


def test_a_drag_and_drop_move_is_recorded_with_its_editor(staff_client):
    section = make_competence(code="DRAG")
    first, last = make_competence(parent=section), make_competence(parent=section)
    before = records_of("competences_historicalcompetence", last.pk)
    response = staff_client.post(
        admin_url(Competence, "changelist"),
        {"cmd": "move_node", "cut_item": last.pk, "pasted_on": first.pk, "position": "left"},
    )
    assert response.content == b"OK, moved."
    after = records_of("competences_historicalcompetence", last.pk)
    assert len(after) == len(before) + 1
    assert after[-1][1:] == ("~", "editor", MOVED)
    assert competence_tree_problems() == []
    page = staff_client.get(admin_url(Competence, "history", last.pk))
    assert page.status_code == 200
    assert MOVED in visible_text(page)


def test_loading_unchanged_seed_content_writes_no_history():
    before = history_rows()
    framework_load()
    assert history_rows() == before


def test_the_seed_load_recorded_every_item_it_added():
    # The test database was loaded from the seed files once, in bulk.
    assert (
        sql("SELECT COUNT(*) FROM roles_roleprofile")[0][0]
        == sql(
            "SELECT COUNT(DISTINCT id) FROM roles_historicalroleprofile WHERE history_type = '+'"
        )[0][0]
    )
    linked = sql(
        "SELECT COUNT(*) FROM competences_competence_standards l WHERE EXISTS (SELECT 1 FROM "
        "competences_historicalcompetence_standards s WHERE s.competence_id = l.competence_id "
        "AND s.standard_id = l.standard_id)"
    )[0][0]
    assert linked == sql("SELECT COUNT(*) FROM competences_competence_standards")[0][0]


def test_deleting_an_area_that_roles_use_is_refused_naming_the_roles(staff_client):
    area = Area.objects.filter(roles__isnull=False).distinct().first()
    titles = [
        title
        for (title,) in sql(
            "SELECT r.title FROM roles_roleprofile r JOIN roles_roleprofile_areas l "
            "ON l.roleprofile_id = r.id WHERE l.area_id = %s ORDER BY r.title",
            area.pk,
        )
    ]
    links = sql("SELECT COUNT(*) FROM roles_roleprofile_areas WHERE area_id = %s", area.pk)
    response = staff_client.post(admin_url(Area, "delete", area.pk), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    page = visible_text(response)
    assert f"“{area.name}” was not deleted, because it is in use." in page
    for title in titles[:10]:
        assert title in page
    assert sql("SELECT COUNT(*) FROM roles_area WHERE id = %s", area.pk) == [(1,)]
    assert sql("SELECT COUNT(*) FROM roles_roleprofile_areas WHERE area_id = %s", area.pk) == links


@pytest.fixture
def editor(editor_client):  # noqa: F811 - the imported fixture, by another name
    """A member of the Editor group, not a superuser."""
    return editor_client


def test_an_editor_cannot_delete_a_role_that_requirements_and_moves_rest_on(editor):
    role = RoleProfile.objects.filter(requirements__isnull=False, moves_out__isnull=False)[0]
    need = role.requirements.select_related("competence").first().competence
    move = role.moves_out.select_related("to_role").first()
    counted = sql("SELECT COUNT(*) FROM roles_rolecompetence WHERE role_id = %s", role.pk)
    response = editor.post(admin_url(RoleProfile, "delete", role.pk), {"post": "yes"}, follow=True)
    page = visible_text(response)
    assert f"“{role.title}” was not deleted, because it is in use." in page
    assert f"Competences it requires: {need.code} {need.title}" in page
    assert f"{role.title} → {move.to_role.title}" in page
    response = editor.post(
        admin_url(RoleProfile, "changelist"),
        {"action": "delete_selected", "_selected_action": [role.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "Competences it requires" in visible_text(response)
    assert RoleProfile.objects.filter(pk=role.pk).exists()
    assert sql("SELECT COUNT(*) FROM roles_rolecompetence WHERE role_id = %s", role.pk) == counted


def test_content_that_cascades_from_a_role_is_found_without_being_named():
    """A model added later whose rows would go with a deleted role protects it too."""
    role = RoleProfile.objects.filter(requirements__isnull=False, moves_out__isnull=False)[0]
    found = " ".join(resting_on(role, known=set()))
    assert "Role competences: " in found
    assert "Progressions: " in found
    # Its routes in came later than the admin's own list, and protect it all the same.
    assert "Routes in: " in found
    assert "Routes in: " in " ".join(
        resting_on(role, known={"requirements", "moves_out", "moves_in"})
    )
    assert resting_on(role, known={"requirements", "moves_out", "moves_in", "entry_routes"}) == []


def test_a_role_nothing_rests_on_can_be_deleted(editor):
    role = make_role(title="Drafted by mistake")
    response = editor.post(admin_url(RoleProfile, "delete", role.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not RoleProfile.objects.filter(pk=role.pk).exists()


def test_deleting_a_linked_standard_from_the_list_is_refused(staff_client):
    standard = Standard.objects.filter(competences__isnull=False).first()
    code = standard.competences.first().code
    response = staff_client.post(
        admin_url(Standard, "changelist"),
        {"action": "delete_selected", "_selected_action": [standard.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert code in visible_text(response)
    assert Standard.objects.filter(pk=standard.pk).exists()
    assert standard.competences.exists()


def test_deleting_a_competence_that_roles_need_is_refused_naming_them(staff_client):
    statement = make_competence(parent=Competence.objects.filter(kind="section").first())
    role = make_role(title="Role that needs it")
    make_requirement(role, statement)
    response = staff_client.post(
        admin_url(Competence, "delete", statement.pk), {"post": "yes"}, follow=True
    )
    page = visible_text(response)
    assert "was not deleted, because it is in use" in page
    assert "Roles that need it: Role that needs it." in page
    assert Competence.objects.filter(pk=statement.pk).exists()


def test_an_import_records_what_it_removes_in_bulk():
    document = json.loads(formats.json_bytes(framework_document()))
    gone = [role["slug"] for role in document["roles"][-3:]]
    document["roles"] = document["roles"][:-3]
    document["progressions"] = [
        move
        for move in document["progressions"]
        if move["from"] not in gone and move["to"] not in gone
    ]
    placeholders = ", ".join(["%s"] * len(gone))
    role_ids = [
        pk
        for (pk,) in sql(f"SELECT id FROM roles_roleprofile WHERE slug IN ({placeholders})", *gone)
    ]
    requirement_ids = {
        pk
        for (pk,) in sql(
            f"SELECT id FROM roles_rolecompetence WHERE role_id IN ({', '.join(['%s'] * 3)})",
            *role_ids,
        )
    }
    with CaptureQueriesContext(connection) as queries:
        framework_apply(document, remove_missing=True, take_version=False)

    removed_roles = sql(
        "SELECT id FROM roles_historicalroleprofile WHERE history_type = '-' "
        f"AND id IN ({', '.join(['%s'] * 3)})",
        *role_ids,
    )
    assert sorted(pk for (pk,) in removed_roles) == sorted(role_ids)
    removed_needs = sql("SELECT id FROM roles_historicalrolecompetence WHERE history_type = '-'")
    assert {pk for (pk,) in removed_needs} == requirement_ids
    inserts = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('INSERT INTO "roles_historicalrolecompetence"')
    ]
    # Written in bulk: one insert per batch the database allows, never one per row.
    assert 0 < len(inserts) and len(inserts) * 50 <= len(requirement_ids)


def test_a_deleted_competence_cannot_be_reverted_into_the_tree(staff_client):
    node = make_competence(parent=Competence.objects.filter(kind="section").first())
    record = records_of("competences_historicalcompetence", node.pk)[-1][0]
    pk = node.pk
    staff_client.post(admin_url(Competence, "delete", pk), {"post": "yes"})
    assert not Competence.objects.filter(pk=pk).exists()
    url = admin_url(Competence, "simple_history", pk, record)
    response = staff_client.post(url, {"code": "BACK", "kind": "section", "title": "Back"})
    assert response.status_code == 302
    assert "cannot be reverted" in visible_text(staff_client.get(response["Location"]))
    assert not Competence.objects.filter(pk=pk).exists()
    assert competence_tree_problems() == []


def test_saving_a_role_unchanged_logs_nothing_and_a_change_logs_one_record(staff_client):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    # A first edit, so the latest record is the admin's own.
    edit_in_admin(staff_client, RoleProfile, role, purpose="First line.\n\nSecond line.")
    before = records_of("roles_historicalroleprofile", role.pk)
    # Saved as it is, with CRLF line endings, as a browser sends a textarea.
    edit_in_admin(staff_client, RoleProfile, role, purpose="First line.\r\n\r\nSecond line.")
    assert records_of("roles_historicalroleprofile", role.pk) == before
    edit_in_admin(staff_client, RoleProfile, role, purpose="Second wording of the purpose.")
    assert len(records_of("roles_historicalroleprofile", role.pk)) == len(before) + 1


def test_requirement_history_names_the_role_the_competence_and_the_depths_in_words(
    staff_client,
):
    from roles.models import Proficiency, RoleCompetence

    requirement = (
        RoleCompetence.objects.filter(proficiency=Proficiency.WORKING)
        .select_related("role", "competence")
        .first()
    )
    edit_in_admin(
        staff_client, RoleCompetence, requirement, proficiency=str(Proficiency.PROFICIENT)
    )
    page = visible_text(staff_client.get(admin_url(RoleCompetence, "history", requirement.pk)))
    assert f"{requirement.role.title} needs {requirement.competence.code}" in page
    assert re.search(r"Required proficiency: Working\s*→\s*Proficient", page), page[:2000]


def test_reverting_a_role_offers_to_put_its_requirements_back_too(staff_client):
    from roles.models import Proficiency, RoleCompetence

    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    edit_in_admin(staff_client, RoleProfile, role, purpose="The purpose at the version.")
    version = role.history.order_by("-history_date", "-history_id").first()
    # After the version: one requirement deepened, one removed.
    deepened, removed = list(
        RoleCompetence.objects.filter(role=role, proficiency=Proficiency.WORKING)[:2]
    )
    deepened.proficiency = Proficiency.PROFICIENT
    deepened.save()
    removed_id, removed_depth = removed.competence_id, removed.proficiency
    removed.delete()
    edit_in_admin(staff_client, RoleProfile, role, purpose="A later purpose.")

    url = admin_url(RoleProfile, "history", role.pk) + f"{version.history_id}/"
    page = staff_client.get(url)
    text = visible_text(page)
    assert "Requirements changed since this version" in text
    assert deepened.competence.code in text and removed.competence.code in text
    data = form_data(page) | {"revert_requirements": "on"}
    response = staff_client.post(url, data)
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.purpose == "The purpose at the version."
    deepened.refresh_from_db()
    assert deepened.proficiency == Proficiency.WORKING
    assert RoleCompetence.objects.get(role=role, competence_id=removed_id).proficiency == (
        removed_depth
    )
