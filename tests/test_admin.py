"""The Django admin works for editors on every model, including the tree and role form."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from competences.models import Competence
from competences.selectors import competence_tree_problems
from competences.services import competence_delete
from roles.models import Area, Level, RoleProfile
from tests.factories import make_competence, make_requirement, make_role

pytestmark = pytest.mark.django_db

REGISTERED = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"roles", "competences", "pathways"}
]


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def test_admin_lives_at_the_configured_address():
    assert reverse("admin:index") == "/" + settings.ADMIN_URL


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_open_for_staff(staff_client, model):
    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    assert staff_client.get(admin_url(model, "add")).status_code == 200
    instance = model.objects.first()
    assert instance is not None, f"seed content has no {model.__name__}"
    assert staff_client.get(admin_url(model, "change", instance.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_changelist_search_and_filters_answer(staff_client, model):
    response = staff_client.get(admin_url(model, "changelist"), {"q": "a"})
    assert response.status_code == 200


def test_competence_changelist_filters_by_section(staff_client):
    section = Competence.objects.filter(parent__isnull=True).first()
    response = staff_client.get(admin_url(Competence, "changelist"), {"section": section.code})
    assert response.status_code == 200
    shown = {obj.tree_id for obj in response.context["cl"].result_list}
    assert shown == {section.tree_id}


def test_admin_needs_a_staff_login(client):
    response = client.get(admin_url(RoleProfile, "changelist"))
    assert response.status_code == 302


def role_form_data(**overrides):
    level = Level.objects.get(number=4)
    area = Area.objects.first()
    statements = list(Competence.objects.filter(kind="statement")[:2])
    data = {
        "title": "Test Navigator",
        "slug": "test-navigator",
        "code": "TEST-NAV-4",
        "level": level.pk,
        "areas": [area.pk],
        "purpose": "Helps people find their way.",
        "responsibilities": "Meet people\nBook appointments",
        "typical_job_titles": "Navigator",
        "entry_requirements": "Some experience.",
        "education_and_training": "Induction.",
        "continuing_development": "Supervision.",
        "requirements-TOTAL_FORMS": "2",
        "requirements-INITIAL_FORMS": "0",
        "requirements-MIN_NUM_FORMS": "0",
        "requirements-MAX_NUM_FORMS": "1000",
        "requirements-0-competence": statements[0].pk,
        "requirements-0-proficiency": "2",
        "requirements-0-requirement": "essential",
        "requirements-1-competence": statements[1].pk,
        "requirements-1-proficiency": "1",
        "requirements-1-requirement": "desirable",
    }
    return data | overrides


def test_role_form_saves_with_inline_competences(staff_client):
    response = staff_client.post(admin_url(RoleProfile, "add"), role_form_data())
    assert response.status_code == 302, response.context["errors"]
    role = RoleProfile.objects.get(slug="test-navigator")
    assert sorted(role.requirements.values_list("proficiency", "requirement")) == [
        (1, "desirable"),
        (2, "essential"),
    ]


def test_role_form_explains_a_missing_lived_experience_description(staff_client):
    response = staff_client.post(
        admin_url(RoleProfile, "add"), role_form_data(lived_experience_route="on")
    )
    assert response.status_code == 200
    assert "Describe the lived-experience route" in response.content.decode()
    assert not RoleProfile.objects.filter(slug="test-navigator").exists()


def test_role_form_refuses_a_section_as_a_required_competence(staff_client):
    section = Competence.objects.filter(kind="section").first()
    response = staff_client.post(
        admin_url(RoleProfile, "add"), role_form_data(**{"requirements-0-competence": section.pk})
    )
    assert response.status_code == 200
    assert "not a section or subsection" in response.content.decode()


def test_competence_form_explains_placement_errors(staff_client):
    statement = Competence.objects.filter(kind="statement").first()
    response = staff_client.post(
        admin_url(Competence, "add"),
        {"code": "NEW.1", "kind": "statement", "parent": statement.pk, "title": "Under a leaf"},
    )
    assert response.status_code == 200
    assert "never under a competence" in response.content.decode()
    assert not Competence.objects.filter(code="NEW.1").exists()


def test_competence_added_in_admin_lands_in_a_sound_tree(staff_client):
    section = Competence.objects.filter(kind="section").first()
    response = staff_client.post(
        admin_url(Competence, "add"),
        {"code": "NEW.2", "kind": "statement", "parent": section.pk, "title": "A new statement"},
    )
    assert response.status_code == 302
    assert Competence.objects.get(code="NEW.2").get_root() == section
    assert competence_tree_problems() == []


def test_drag_and_drop_move_goes_through_the_tree_service(staff_client):
    section = make_competence(code="DRAG")
    first, last = make_competence(parent=section), make_competence(parent=section)
    response = staff_client.post(
        admin_url(Competence, "changelist"),
        {"cmd": "move_node", "cut_item": last.pk, "pasted_on": first.pk, "position": "left"},
    )
    assert response.content == b"OK, moved."
    assert list(section.get_children())[0] == last
    assert competence_tree_problems() == []


def test_drag_and_drop_refuses_a_move_that_breaks_the_tree(staff_client):
    sections = list(Competence.objects.filter(kind="section")[:2])
    response = staff_client.post(
        admin_url(Competence, "changelist"),
        {
            "cmd": "move_node",
            "cut_item": sections[1].pk,
            "pasted_on": sections[0].pk,
            "position": "last-child",
        },
    )
    assert response.content.startswith(b"FAIL")
    assert Competence.objects.get(pk=sections[1].pk).parent is None


def test_delete_selected_deletes_through_the_tree_service_and_refuses_what_is_in_use(
    staff_client, monkeypatch
):
    section = make_competence(code="DELETING")
    free, needed = make_competence(parent=section), make_competence(parent=section)
    make_requirement(make_role(), needed)
    deleted = []
    monkeypatch.setattr(
        "competences.admin.competence_delete",
        lambda competence: (
            deleted.append(competence.pk) or competence_delete(competence=competence)
        ),
    )
    refused = staff_client.post(
        admin_url(Competence, "changelist"),
        {"action": "delete_selected", "_selected_action": [free.pk, needed.pk], "post": "yes"},
    )
    assert refused.status_code == 200
    assert "Roles that need it" in refused.content.decode()
    assert Competence.objects.filter(pk__in=[free.pk, needed.pk]).count() == 2
    response = staff_client.post(
        admin_url(Competence, "changelist"),
        {"action": "delete_selected", "_selected_action": [free.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert deleted == [free.pk]
    assert not Competence.objects.filter(pk=free.pk).exists()
    assert competence_tree_problems() == []


def test_autocomplete_for_role_competences_offers_only_statements(staff_client):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "roles",
            "model_name": "rolecompetence",
            "field_name": "competence",
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {int(item["id"]) for item in response.json()["results"]}
    assert ids
    assert set(Competence.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {
        "statement"
    }


def test_role_form_keeps_a_band_of_its_own_and_refuses_a_made_up_one(staff_client):
    response = staff_client.post(
        admin_url(RoleProfile, "add"), role_form_data(indicative_band="8c-8d")
    )
    assert response.status_code == 302
    assert RoleProfile.objects.get(slug="test-navigator").band == "8c-8d"
    response = staff_client.post(
        admin_url(RoleProfile, "add"),
        role_form_data(slug="other", code="OTHER-4", title="Other", indicative_band="band six"),
    )
    assert response.status_code == 200
    assert "such as 6 or 8c-8d" in response.content.decode()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model.__name__)
def test_a_nul_in_an_admin_search_or_filter_is_not_an_error(staff_client, model):
    """On PostgreSQL a NUL that reaches a query raises an error; it never gets there."""
    for params in ({"q": "risk\x00"}, {"q": "\x00", "o": "1"}):
        assert staff_client.get(admin_url(model, "changelist"), params).status_code == 200
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "roles",
            "model_name": "rolecompetence",
            "field_name": "competence",
            "term": "COM\x00",
        },
    )
    assert response.status_code == 200
