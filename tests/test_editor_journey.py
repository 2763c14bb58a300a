"""The production issue's editorial journey, end to end, as a member of the Editor group.

An Editor (not a superuser) changes a role and moves a competence in the admin, sees both
in their history with the differences, reverts both, and leaves a sound tree; the public
change log lists the change and the version rises. People and rights stay out of reach.
"""

import pytest

from competences.models import Competence
from competences.selectors import competence_tree_problems
from roles.models import RoleProfile
from tests.helpers import sql
from tests.test_editor_group import editor_client  # noqa: F401 - a fixture
from tests.test_history import admin_url, edit_in_admin, records_of, revert, visible_text

pytestmark = pytest.mark.django_db


def stored_version() -> int:
    return sql("SELECT number FROM core_frameworkversion")[0][0]


@pytest.fixture
def editor(editor_client):  # noqa: F811 - the imported fixture, by another name
    return editor_client


def test_an_editor_changes_moves_reviews_and_reverts(
    editor, client, django_capture_on_commit_callbacks
):
    role = RoleProfile.objects.order_by("pk").first()
    old_purpose = role.purpose
    role_before = records_of("roles_historicalroleprofile", role.pk)[-1][0]
    version = stored_version()

    # Change a role.
    with django_capture_on_commit_callbacks(execute=True):
        edit_in_admin(editor, RoleProfile, role, purpose="Purpose rewritten by an editor.")
    assert sql("SELECT purpose FROM roles_roleprofile WHERE id = %s", role.pk) == [
        ("Purpose rewritten by an editor.",)
    ]
    assert stored_version() == version + 1

    # Move a competence by drag and drop.
    statement = Competence.objects.filter(kind="statement", parent__kind="subsection").first()
    old_parent = statement.parent_id
    target = Competence.objects.filter(kind="subsection").exclude(pk=old_parent).first()
    moved_from = records_of("competences_historicalcompetence", statement.pk)[-1][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            admin_url(Competence, "changelist"),
            {
                "cmd": "move_node",
                "cut_item": statement.pk,
                "pasted_on": target.pk,
                "position": "last-child",
            },
        )
    assert response.content == b"OK, moved."
    assert sql("SELECT parent_id FROM competences_competence WHERE id = %s", statement.pk) == [
        (target.pk,)
    ]
    assert competence_tree_problems() == []
    assert stored_version() > version + 1

    # Both are in their history, with the differences.
    role_history = visible_text(editor.get(admin_url(RoleProfile, "history", role.pk)))
    assert "Purpose rewritten by an editor." in role_history
    assert "editor" in role_history
    move_history = visible_text(editor.get(admin_url(Competence, "history", statement.pk)))
    assert "Moved in the tree" in move_history

    # The public change log says so, and shows the risen version.
    changes = visible_text(client.get("/changes/"))
    # Today also holds the seed load, so the day is summed up by kind.
    assert "Roles changed: 1" in changes or role.title in changes
    assert f"version {stored_version()}" in changes.lower()

    # Revert both; the tree stays sound.
    with django_capture_on_commit_callbacks(execute=True):
        revert(editor, RoleProfile, role, role_before)
        revert(editor, Competence, statement, moved_from)
    assert sql("SELECT purpose FROM roles_roleprofile WHERE id = %s", role.pk) == [(old_purpose,)]
    assert sql("SELECT parent_id FROM competences_competence WHERE id = %s", statement.pk) == [
        (old_parent,)
    ]
    assert competence_tree_problems() == []


def test_an_editor_cannot_open_people_or_rights(editor):
    for model in ("user", "group"):
        response = editor.get(f"/admin/auth/{model}/")
        assert response.status_code == 403
