"""Hostile requests to the admin get a 4xx or the plain form, never a server error.

Each of the probes the production issue listed, as a test: junk in an add form's
prefill, junk among the ticked items of an action, a formset claiming a hundred thousand
rows, an over-long username, a ``next`` address that leads nowhere, and a requirement
added to a role that already lists it. ``tests/test_fuzz.py`` searches the same ground
with generated input; this file pins each case the issue named.
"""

import time

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import NoReverseMatch, reverse

from competences.models import Competence, Standard
from roles.models import RoleCompetence, RoleProfile
from tests.test_history import admin_url, form_data

pytestmark = pytest.mark.django_db

JUNK = ["abc", "NaN", "1e99", "9" * 30, "9223372036854775808", "-1", "1.5", "1,abc", "a\x00b"]


def add_forms() -> list[tuple[str, str]]:
    """(model label, add address) of every admin add form, Django's own included."""
    found = []
    for model in admin.site._registry:
        try:
            found.append((model._meta.label, admin_url(model, "add")))
        except NoReverseMatch:
            continue  # a model whose admin adds nothing (the health report)
    return sorted(found)


def prefills(model) -> list[str]:
    """The names an add form takes a prefill for: its relations, and the usual ones."""
    names = {
        field.name
        for field in model._meta.get_fields()
        if field.concrete and (field.is_relation or field.many_to_many)
    }
    return sorted(names | {"parent", "competences", "competence", "role"})


@pytest.fixture
def superuser_client(django_user_model):
    """A signed-in superuser whose client answers a server error as a 500, as a
    browser would see it, rather than raising it in the test."""
    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_superuser("chief", "c@example.org", "x"))
    return client


@pytest.mark.parametrize(("label", "address"), add_forms(), ids=lambda value: value)
def test_every_add_form_opens_empty_with_junk_in_its_prefill(superuser_client, label, address):
    model = next(model for model in admin.site._registry if model._meta.label == label)
    # The form as it opens with no prefill; a model that takes no additions (django-axes'
    # records) answers 403 to everyone, with or without junk.
    plain = superuser_client.get(address).status_code
    assert plain in (200, 403)
    failed = []
    for name in prefills(model):
        for junk in JUNK:
            response = superuser_client.get(address, {name: junk})
            if response.status_code != plain:
                failed.append((name, junk, response.status_code))
    assert failed == []


def test_a_valid_prefill_still_fills_the_form(superuser_client):
    section = Competence.objects.filter(kind="section").first()
    statements = list(Competence.objects.filter(kind="statement")[:2])
    form = (
        superuser_client.get(admin_url(Competence, "add"), {"parent": section.pk})
        .context["adminform"]
        .form
    )
    assert str(form["parent"].value()) == str(section.pk)
    address = admin_url(Competence._meta.apps.get_model("competences.LearningOpportunity"), "add")
    junk_and_valid = f"{statements[0].pk},abc"
    form = superuser_client.get(address, {"competences": junk_and_valid}).context["adminform"].form
    assert not form["competences"].value()
    both = f"{statements[0].pk},{statements[1].pk}"
    form = superuser_client.get(address, {"competences": both}).context["adminform"].form
    assert sorted(map(str, form["competences"].value())) == sorted(
        str(statement.pk) for statement in statements
    )


@pytest.mark.parametrize("junk", ["abc", "NaN", "9" * 30, "1.5", "", "a\x00b"])
def test_delete_selected_with_a_junk_identifier_deletes_nothing(superuser_client, junk):
    before = Standard.objects.count()
    for confirmed in ({}, {"post": "yes"}):
        response = superuser_client.post(
            admin_url(Standard, "changelist"),
            {"action": "delete_selected", "_selected_action": [junk]} | confirmed,
        )
        assert response.status_code in (200, 302)
    assert Standard.objects.count() == before


def test_a_junk_identifier_beside_a_real_one_is_ignored(superuser_client):
    unused = Standard.objects.filter(competences__isnull=True).first()
    if unused is None:
        unused = Standard.objects.create(code="UNUSED1", reference="UNUSED1", title="Unused")
    response = superuser_client.post(
        admin_url(Standard, "changelist"),
        {"action": "delete_selected", "_selected_action": ["NaN", unused.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Standard.objects.filter(pk=unused.pk).exists()


def test_a_formset_claiming_a_hundred_thousand_rows_is_refused_at_once(superuser_client):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    address = admin_url(RoleProfile, "change", role.pk)
    fields = form_data(superuser_client.get(address))
    started = time.monotonic()
    response = superuser_client.post(address, fields | {"requirements-TOTAL_FORMS": "100000"})
    assert response.status_code == 400
    assert time.monotonic() - started < 2
    # A count just past the rows the form could carry is refused too; the form as read
    # still saves.
    response = superuser_client.post(
        address, fields | {"requirements-TOTAL_FORMS": str(len(fields) + 1)}
    )
    assert response.status_code == 400
    assert superuser_client.post(address, fields).status_code == 302


def test_a_requirement_the_role_already_lists_is_a_form_error(superuser_client):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    address = admin_url(RoleProfile, "change", role.pk)
    fields = form_data(superuser_client.get(address))
    listed = role.requirements.first().competence
    rows = int(fields["requirements-TOTAL_FORMS"])
    response = superuser_client.post(
        address,
        fields
        | {
            "requirements-TOTAL_FORMS": str(rows + 1),
            f"requirements-{rows}-competence": listed.pk,
            f"requirements-{rows}-proficiency": "3",
            f"requirements-{rows}-requirement": "desirable",
        },
    )
    assert response.status_code == 200
    assert "This role already lists that competence." in response.content.decode()
    assert RoleCompetence.objects.filter(role=role, competence=listed).count() == 1


@pytest.fixture
def quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("length", [151, 256, 900_000])
def test_a_username_longer_than_any_account_is_a_form_error(client, quick_hashing, length):
    client.raise_request_exception = False
    response = client.post(reverse("admin:login"), {"username": "u" * length, "password": "x"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    # Refused before signing in was tried, so no failed attempt is counted against it.
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize(
    "next_address",
    [
        "https://evil.example/",
        "//evil.example/admin/",
        "/accounts/profile/",
        "/admin/no-such-page/",
        "/roles/",
        "",
    ],
)
def test_signing_in_with_a_next_that_leads_nowhere_lands_on_the_admin_index(
    client, quick_hashing, next_address
):
    get_user_model().objects.create_user("editor", password="long enough", is_staff=True)
    response = client.post(
        reverse("admin:login") + "?next=" + next_address,
        {"username": "editor", "password": "long enough", "next": next_address},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_signing_in_with_a_next_naming_an_admin_page_goes_there(client, quick_hashing):
    get_user_model().objects.create_user("editor", password="long enough", is_staff=True)
    page = admin_url(RoleProfile, "changelist")
    response = client.post(
        reverse("admin:login"), {"username": "editor", "password": "long enough", "next": page}
    )
    assert response["Location"] == page


def test_without_a_next_django_sends_signed_in_editors_to_the_admin(settings):
    assert resolve_url(settings.LOGIN_REDIRECT_URL) == reverse("admin:index")
    assert resolve_url(settings.LOGIN_URL) == reverse("admin:login")


@pytest.mark.parametrize(
    "cookie",
    [
        "a\x00b" * 11,
        "\x00",
        "abcdefgh" * 4 + "\x00",
        "0" * 41,
        "x" * 4000,
        "évilsession0000000000000000",
    ],
    ids=["nul-inside", "nul", "nul-after-a-key", "too-long", "far-too-long", "not-ascii"],
)
def test_a_session_cookie_no_session_could_have_is_no_session(client, settings, cookie):
    client.raise_request_exception = False
    header = f"{settings.SESSION_COOKIE_NAME}={cookie}".encode().decode("iso-8859-1")
    response = client.get(reverse("admin:index"), HTTP_COOKIE=header)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:login"), HTTP_COOKIE=header).status_code == 200


def test_a_csrf_cookie_with_a_nul_refuses_the_form_and_fails_nothing(settings):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    header = f"{settings.CSRF_COOKIE_NAME}=a\x00b{'x' * 30}"
    assert client.get(reverse("admin:login"), HTTP_COOKIE=header).status_code == 200
    response = client.post(
        reverse("admin:login"),
        {"username": "someone", "password": "x", "csrfmiddlewaretoken": "a\x00b" + "x" * 30},
        HTTP_COOKIE=header,
    )
    assert response.status_code == 403
