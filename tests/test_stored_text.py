"""Text that is safe everywhere: one rule for every writer, line endings made "\\n", and
every download up even when a bad value reaches the database by another road."""

import importlib
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from competences.models import Competence, LearningOpportunity
from interchange.editors import EDITOR_GROUP
from roles.models import Area, RoleProfile
from tests.test_import import content_row_counts, exported, run_import_file

pytestmark = pytest.mark.django_db

# Each character the rule refuses: C0 controls but tab and line feed, DEL, a C1 control,
# bidirectional overrides and isolates, and a lone surrogate.
REFUSED = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x85",
    "\u202e",
    "\u2066",
    "\ud800",
]


@pytest.mark.parametrize("character", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_a_model_refuses_each_character_naming_the_field(character):
    role = RoleProfile.objects.first()
    role.purpose = f"Purpose with {character} inside."
    with pytest.raises(ValidationError) as refused:
        role.full_clean()
    assert "purpose" in refused.value.message_dict
    assert "purpose and scope" in refused.value.message_dict["purpose"][0]
    assert f"U+{ord(character):04X}" in refused.value.message_dict["purpose"][0]
    # Code that saves without cleaning meets the same rule.
    with pytest.raises(ValidationError):
        role.save()
    assert character not in RoleProfile.objects.get(pk=role.pk).purpose


def test_line_endings_are_made_line_feeds_and_one_line_fields_get_spaces():
    role = RoleProfile.objects.first()
    role.purpose = "First line\r\nsecond line\rthird\u2028fourth"
    role.title = "A title\twith\na break"
    role.save()
    role.refresh_from_db()
    assert role.purpose == "First line\nsecond line\nthird\nfourth"
    assert role.title == "A title with a break"


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("text-editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    client.force_login(user)
    return client


def change_form_data(client, url) -> dict:
    """What the browser sends back when the admin change form is saved as it is."""
    from tests.test_editor_group import form_as_post_data

    return form_as_post_data(client.get(url))


# A browser cannot send NUL through a form field the admin accepts, nor half a
# character; the rest each reach the model's rule.
@pytest.mark.parametrize("character", REFUSED[1:-1], ids=lambda c: f"U+{ord(c):04X}")
def test_the_admin_refuses_each_character_with_a_message_and_keeps_what_was_typed(
    editor, character
):
    area = Area.objects.first()
    url = reverse("admin:roles_area_change", args=[area.pk])
    data = change_form_data(editor, url)
    typed = f"What the service does{character} for people."
    data["summary"] = typed
    response = editor.post(url, data)
    assert response.status_code == 200, "the form comes back, not a server error"
    page = response.content.decode()
    assert "cannot be stored" in page
    assert f"U+{ord(character):04X}" in page
    area.refresh_from_db()
    assert character not in area.summary


def test_an_admin_save_stores_line_feeds_so_history_shows_no_change_nobody_made(editor):
    role = RoleProfile.objects.first()
    url = reverse("admin:roles_roleprofile_change", args=[role.pk])
    data = change_form_data(editor, url)
    # Browsers send a textarea's lines with CRLF.
    data["purpose"] = data["purpose"].replace("\n", "\r\n")
    response = editor.post(url, data)
    assert response.status_code == 302
    role.refresh_from_db()
    assert "\r" not in role.purpose


@pytest.mark.parametrize(
    "character", ["\x0b", "\x00", "\x01", "\ud800"], ids=lambda c: f"U+{ord(c):04X}"
)
def test_an_import_with_a_refused_character_is_refused_naming_the_entry(character):
    document = exported()
    document["roles"][1]["title"] = f"Practitioner{character}"
    before = content_row_counts()
    with pytest.raises(CommandError) as refused:
        # Written as JSON escapes, as another program would write such a file.
        run_import_file(json.dumps(document).encode(), name="framework.json")
    message = str(refused.value)
    assert "roles[1]" in message and "cannot be stored" in message
    assert "Traceback" not in message
    assert content_row_counts() == before


def spoil_stored_text() -> None:
    """Bad values put straight into the database, past every writer's rule."""
    # PostgreSQL cannot hold NUL at all; SQLite can, so there it is put in too.
    nul = "" if connection.vendor == "postgresql" else "\x00"
    RoleProfile.objects.filter(pk=RoleProfile.objects.first().pk).update(
        title="Role\x0bwith a vertical tab", purpose=f"Purpose{nul}with NUL\x01"
    )
    statement = Competence.objects.filter(kind="statement").first()
    Competence.objects.filter(pk=statement.pk).update(title="Statement\x1fwith a unit separator")
    LearningOpportunity.objects.filter(pk=LearningOpportunity.objects.first().pk).update(
        title="Course\x0c with a form feed"
    )


def test_every_download_stays_up_when_a_bad_value_reaches_the_database(seeded):
    spoil_stored_text()
    client = Client()
    listing = client.get(reverse("interchange:export-list"))
    assert listing.status_code == 200
    import re

    addresses = set(re.findall(r'href="(/export/[^"#?]+)"', listing.content.decode()))
    assert len(addresses) >= 8
    for address in sorted(addresses):
        assert client.get(address).status_code == 200, address
    for role in RoleProfile.objects.all():
        url = reverse("workforce:job-description", args=[role.slug])
        assert client.get(url, {"format": "docx", "appendix": "on"}).status_code == 200, role
        assert client.get(f"/export/roles/{role.slug}.json").status_code == 200
    for area in Area.objects.all():
        query = {"area": area.slug}
        assert client.get(reverse("workforce:skill-mix-docx"), query).status_code == 200
        assert client.get(reverse("workforce:skill-mix-xlsx"), query).status_code == 200
        assert (
            client.get(reverse("workforce:area-workforce-xlsx", args=[area.slug])).status_code
            == 200
        )


def test_the_migration_cleans_what_is_already_stored():
    spoil_stored_text()
    Area.objects.filter(pk=Area.objects.first().pk).update(description="One\r\nTwo\rThree")
    migration = importlib.import_module("interchange.migrations.0007_clean_stored_text")
    migration.clean(apps, None)
    role = RoleProfile.objects.first()
    assert role.title == "Rolewith a vertical tab"
    assert role.purpose == "Purposewith NUL"
    assert Area.objects.first().description == "One\nTwo\nThree"
    from framework.health import findings

    assert not [f for f in findings() if f.check == "stored-text"]
    assert json.dumps([role.title, role.purpose])  # plain, storable text again
