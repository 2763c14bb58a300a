"""The Editor group: editors change the content in the admin, never people or rights."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from interchange.editors import EDITOR_GROUP, content_model_names, editor_group_sync
from roles.models import RoleProfile
from tests.helpers import sql

pytestmark = pytest.mark.django_db

CONTENT_MODELS = content_model_names()
CONTENT = [
    apps.get_model(app_label, model_name)
    for app_label, model_names in CONTENT_MODELS.items()
    for model_name in model_names
]
HISTORY = [
    model
    for app_label in CONTENT_MODELS
    for model in apps.get_app_config(app_label).get_models()
    if model._meta.model_name.startswith("historical")
]


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def group_permissions() -> set[tuple[str, str]]:
    """The Editor group's permissions as (app label, codename), read with plain SQL."""
    return set(
        sql(
            """
            SELECT ct.app_label, p.codename
            FROM auth_group g
            JOIN auth_group_permissions gp ON gp.group_id = g.id
            JOIN auth_permission p ON p.id = gp.permission_id
            JOIN django_content_type ct ON ct.id = p.content_type_id
            WHERE g.name = %s
            """,
            EDITOR_GROUP,
        )
    )


@pytest.fixture
def editor_client(client, django_user_model):
    """A client signed in as a staff user whose only rights come from the Editor group."""
    user = django_user_model.objects.create_user("editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    client.force_login(user)
    return client


def form_as_post_data(response) -> dict:
    """What the browser would send back if the admin change page were saved as it is."""
    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list | tuple):
                value = [str(item) for item in value]
            data[field.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def test_the_migration_gives_editors_every_content_permission_and_history_to_read():
    expected = {
        (model._meta.app_label, f"{action}_{model._meta.model_name}")
        for model in CONTENT
        for action in ("add", "change", "delete", "view")
    }
    expected |= {(model._meta.app_label, f"view_{model._meta.model_name}") for model in HISTORY}
    expected.add(("interchange", "import_framework"))
    # The job description's pay table, named here rather than read from the code.
    expected |= {
        ("workforce", f"{action}_{model}")
        for model in ("paytable", "payband")
        for action in ("add", "change", "delete", "view")
    }
    # The health report's accepted warnings.
    expected |= {
        ("framework", f"{action}_acceptedwarning") for action in ("add", "change", "delete", "view")
    }
    assert group_permissions() == expected


def test_editors_get_nothing_over_people_rights_or_history_records():
    held = group_permissions()
    assert not {app_label for app_label, _ in held} & {"auth", "admin", "axes", "contenttypes"}
    assert not [
        codename
        for _, codename in held
        if "historical" in codename and not codename.startswith("view_")
    ]


def test_setting_up_the_group_again_changes_nothing():
    before = (Permission.objects.count(), group_permissions())
    editor_group_sync()
    editor_group_sync()
    assert Group.objects.filter(name=EDITOR_GROUP).count() == 1
    assert (Permission.objects.count(), group_permissions()) == before


@pytest.mark.parametrize(
    "model", [model for model in CONTENT if model in admin.site._registry], ids=str
)
def test_an_editor_opens_every_content_list_in_the_admin(editor_client, model):
    assert editor_client.get(admin_url(model, "changelist")).status_code == 200


def test_an_editor_renames_a_role_in_the_admin(editor_client):
    role = RoleProfile.objects.order_by("pk").first()
    page = editor_client.get(admin_url(RoleProfile, "change", role.pk))
    assert page.status_code == 200
    data = form_as_post_data(page) | {"title": "Renamed by an editor"}
    response = editor_client.post(admin_url(RoleProfile, "change", role.pk), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert RoleProfile.objects.get(pk=role.pk).title == "Renamed by an editor"


@pytest.mark.parametrize(
    "address",
    [
        ("auth", "user", "changelist"),
        ("auth", "user", "add"),
        ("auth", "group", "changelist"),
        ("auth", "group", "add"),
    ],
    ids="-".join,
)
def test_an_editor_cannot_open_user_or_group_pages(editor_client, address):
    app_label, model_name, action = address
    response = editor_client.get(reverse(f"admin:{app_label}_{model_name}_{action}"))
    assert response.status_code == 403


def test_an_editor_cannot_open_their_own_account_or_the_group(editor_client):
    editor = editor_client.get(reverse("admin:index")).context["user"]
    group = Group.objects.get(name=EDITOR_GROUP)
    own_account = reverse("admin:auth_user_change", args=[editor.pk])
    assert editor_client.get(own_account).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 403


def test_an_editor_may_import_the_framework(editor_client):
    editor = editor_client.get(reverse("admin:index")).context["user"]
    assert editor.has_perm("interchange.import_framework")


def test_an_editor_corrects_and_confirms_a_pay_band_in_the_admin(editor_client):
    from workforce.models import PayBand, PayTable

    table = PayTable.objects.get()
    address = reverse("admin:workforce_paytable_change", args=[table.pk])
    data = form_as_post_data(editor_client.get(address))
    band = PayBand.objects.get(table=table, band="5")
    index = next(
        n for n in range(table.bands.count()) if str(data[f"bands-{n}-id"]) == str(band.pk)
    )
    data[f"bands-{index}-minimum"] = "31050"
    data[f"bands-{index}-confirmed"] = "on"
    response = editor_client.post(address, data)
    assert response.status_code == 302, response.content[:2000]
    band.refresh_from_db()
    assert (band.minimum, band.confirmed) == (31050, True)
