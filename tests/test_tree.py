"""The competence tree service, its placement rules and the integrity check."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections

from competences.models import PLACEMENT_RULE, Competence
from competences.selectors import competence_tree_problems
from competences.services import (
    competence_delete,
    competence_move,
    competence_save,
    competence_tree_rebuild,
)
from tests.factories import make_competence

pytestmark = pytest.mark.django_db


def titles_under(node):
    return list(Competence.objects.get(pk=node.pk).get_children().values_list("code", flat=True))


def test_service_inserts_children_in_order_and_keeps_tree_sound():
    section = make_competence(code="SEC")
    sub = make_competence(parent=section, kind="subsection", code="SEC.1")
    first = make_competence(parent=sub, code="SEC.1.1")
    second = make_competence(parent=sub, code="SEC.1.2")
    assert titles_under(sub) == ["SEC.1.1", "SEC.1.2"]
    assert first.level == 2 and second.get_ancestors().first() == section
    assert competence_tree_problems() == []


def test_move_places_a_node_beside_another_and_keeps_its_code():
    section = make_competence(code="MOV")
    a = make_competence(parent=section, code="MOV.1")
    b = make_competence(parent=section, code="MOV.2")
    competence_move(competence=b, target=a, position="left")
    assert titles_under(section) == ["MOV.2", "MOV.1"]
    assert Competence.objects.get(pk=b.pk).get_absolute_url() == "/competences/MOV.2/"
    assert competence_tree_problems() == []


def test_move_under_another_section_carries_the_subtree():
    one, two = make_competence(code="ONE"), make_competence(code="TWO")
    sub = make_competence(parent=one, kind="subsection", code="ONE.1")
    leaf = make_competence(parent=sub, code="ONE.1.1")
    competence_move(competence=sub, target=two, position="last-child")
    leaf.refresh_from_db()
    assert leaf.get_root().code == "TWO"
    assert competence_tree_problems() == []


@pytest.mark.parametrize(
    "moving, target, position, message",
    [
        ("statement", "section-a", "left", "never under a competence"),
        ("section-b", "section-a", "last-child", "never under a competence"),
        ("statement", "statement-2", "last-child", "never under a competence"),
        ("subsection", "statement-under-sub", "left", "inside itself"),
    ],
)
def test_moves_that_break_the_tree_shape_are_refused(moving, target, position, message):
    nodes = {"section-a": make_competence(code="SA"), "section-b": make_competence(code="SB")}
    nodes["subsection"] = make_competence(parent=nodes["section-a"], kind="subsection")
    nodes["statement"] = make_competence(parent=nodes["section-a"])
    nodes["statement-2"] = make_competence(parent=nodes["section-a"])
    nodes["statement-under-sub"] = make_competence(parent=nodes["subsection"])
    with pytest.raises(ValidationError, match=message):
        competence_move(competence=nodes[moving], target=nodes[target], position=position)
    assert competence_tree_problems() == []


def test_statement_with_children_cannot_be_saved_and_sections_cannot_have_parents():
    section = make_competence()
    statement = make_competence(parent=section)
    with pytest.raises(ValidationError):
        make_competence(parent=statement)
    with pytest.raises(ValidationError):
        competence_save(competence=Competence(code="X9", kind="section", title="x", parent=section))


def test_delete_refuses_a_node_with_children():
    section = make_competence()
    child = make_competence(parent=section)
    with pytest.raises(ValidationError):
        competence_delete(competence=section)
    competence_delete(competence=child)
    competence_delete(competence=section)
    assert competence_tree_problems() == []


def corrupt_tree():
    """Break the nested sets the way a raw load or a bad concurrent write would."""
    leaf = Competence.objects.filter(kind="statement").order_by("tree_id", "lft").first()
    Competence.objects.filter(pk=leaf.pk).update(lft=leaf.lft + 100, rght=leaf.rght + 100)
    return leaf


def test_seed_tree_is_sound():
    assert Competence.objects.count() > 0
    assert competence_tree_problems() == []
    call_command("check_competence_tree")


def test_check_reports_a_corrupted_tree_and_exits_non_zero(capsys):
    leaf = corrupt_tree()
    problems = competence_tree_problems()
    assert any(leaf.code in problem for problem in problems)
    with pytest.raises(CommandError, match="corrupt"):
        call_command("check_competence_tree")


def test_check_notices_a_wrong_level_and_a_parent_link_change():
    leaf = Competence.objects.filter(kind="statement").first()
    Competence.objects.filter(pk=leaf.pk).update(level=7)
    assert any("level" in problem for problem in competence_tree_problems())
    competence_tree_rebuild()
    other_section = (
        Competence.objects.filter(parent__isnull=True).exclude(tree_id=leaf.tree_id).first()
    )
    Competence.objects.filter(pk=leaf.pk).update(parent=other_section)
    assert competence_tree_problems() != []


def test_check_notices_a_statement_with_children():
    statement = Competence.objects.filter(kind="statement").first()
    sibling = Competence.objects.filter(kind="statement").exclude(pk=statement.pk).first()
    Competence.objects.filter(pk=sibling.pk).update(parent=statement)
    competence_tree_rebuild()
    problems = competence_tree_problems()
    assert f"{sibling.code}: {PLACEMENT_RULE}" in problems
    with pytest.raises(CommandError, match="corrupt"):
        call_command("check_competence_tree")


def test_rebuild_option_repairs_a_corrupted_tree():
    corrupt_tree()
    call_command("check_competence_tree", "--rebuild")
    assert competence_tree_problems() == []
    call_command("check_competence_tree")


# --- Nodes read before another editor's write --------------------------------------
# An admin view reads its nodes, then the service waits for the tree lock while other
# editors move them. Each test reads first, writes through another copy, and then
# hands the service the copy it read.


def test_a_move_beside_a_node_that_has_moved_since_it_was_read_follows_it():
    section = make_competence()
    old, new = (make_competence(parent=section, kind="subsection") for _ in range(2))
    target = make_competence(parent=old)
    moving = make_competence(parent=new)
    stale_target = Competence.objects.get(pk=target.pk)
    stale_moving = Competence.objects.get(pk=moving.pk)
    competence_move(
        competence=Competence.objects.get(pk=target.pk), target=new, position="first-child"
    )
    competence_move(competence=stale_moving, target=stale_target, position="right")
    assert competence_tree_problems() == []
    moving.refresh_from_db()
    assert moving.parent_id == new.pk
    assert titles_under(new) == [target.code, moving.code]


def test_a_moved_node_keeps_what_another_editor_saved_meanwhile():
    section = make_competence()
    node = make_competence(parent=section)
    stale = Competence.objects.get(pk=node.pk)
    edited = Competence.objects.get(pk=node.pk)
    edited.title = "Saved by another editor"
    competence_save(competence=edited)
    competence_move(competence=stale, target=section, position="first-child")
    node.refresh_from_db()
    assert node.title == "Saved by another editor"
    assert competence_tree_problems() == []


def test_a_form_saved_with_the_parent_it_was_read_with_puts_the_node_back_there():
    section = make_competence()
    old, new = (make_competence(parent=section, kind="subsection") for _ in range(2))
    node = make_competence(parent=old)
    form_copy = Competence.objects.get(pk=node.pk)  # the change form, read now
    competence_move(
        competence=Competence.objects.get(pk=node.pk), target=new, position="last-child"
    )
    form_copy.title = "Retitled on the form"
    competence_save(competence=form_copy)
    node.refresh_from_db()
    assert (node.parent_id, node.title) == (old.pk, "Retitled on the form")
    assert competence_tree_problems() == []


def test_saving_under_a_node_that_has_since_moved_inside_it_is_refused():
    section = make_competence()
    upper, lower = (make_competence(parent=section, kind="subsection") for _ in range(2))
    form_copy = Competence.objects.get(pk=upper.pk)
    form_copy.parent = Competence.objects.get(pk=lower.pk)
    competence_move(
        competence=Competence.objects.get(pk=lower.pk), target=upper, position="last-child"
    )
    with pytest.raises(ValidationError, match="inside itself"):
        competence_save(competence=form_copy)
    assert competence_tree_problems() == []


def test_deleting_a_node_someone_else_has_just_deleted_changes_nothing():
    section = make_competence()
    node = make_competence(parent=section)
    after = make_competence(parent=section)
    stale = Competence.objects.get(pk=node.pk)
    competence_delete(competence=Competence.objects.get(pk=node.pk))
    competence_delete(competence=stale)
    assert competence_tree_problems() == []
    assert Competence.objects.filter(pk=after.pk).exists()


def test_moving_a_node_someone_else_has_just_deleted_is_refused():
    section = make_competence()
    node = make_competence(parent=section)
    stale = Competence.objects.get(pk=node.pk)
    competence_delete(competence=Competence.objects.get(pk=node.pk))
    with pytest.raises(ValidationError, match="no longer exists"):
        competence_move(competence=stale, target=section, position="first-child")
    assert competence_tree_problems() == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's transaction mode")
def test_the_tree_lock_refuses_sqlite_transactions_that_begin_as_readers(monkeypatch):
    # The connection itself, not django.db.connection: pytest restores an attribute in
    # the object's own __dict__, which the proxy does not have.
    monkeypatch.setattr(connections["default"], "transaction_mode", "DEFERRED")
    with pytest.raises(ImproperlyConfigured, match="IMMEDIATE"):
        competence_save(competence=Competence(code="NEW-ROOT", kind="section", title="New"))
