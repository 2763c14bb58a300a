"""Every write to the competence tree goes through here.

The tree is stored as nested sets (django-mptt): one insert or move rewrites the
left/right numbers of many rows. Two such writes at once can interleave and corrupt
the tree, so each one runs in a transaction that first takes a tree-wide lock, and
re-reads the tree numbers it relies on after taking it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .models import Competence, Kind

# Any constant will do: it names the lock, and only this module takes it.
TREE_LOCK_ID = 7_402_113
TREE_FIELDS = ("tree_id", "lft", "rght", "level")
POSITIONS = ("first-child", "last-child", "left", "right")


def _lock_tree() -> None:
    """Serialise tree writers until the surrounding transaction ends.

    PostgreSQL gets a transaction-scoped advisory lock; SQLite already allows only one
    writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_ID])


def _refresh_tree_fields(node: Competence) -> None:
    """Replace possibly stale nested-set numbers on ``node`` with the stored ones."""
    if node.pk is None:
        return
    stored = Competence.objects.filter(pk=node.pk).values(*TREE_FIELDS).first()
    if stored:
        for name, value in stored.items():
            setattr(node, name, value)


def _check_placement(*, kind: str, parent: Competence | None) -> None:
    """Raise ValidationError unless a node of ``kind`` may sit under ``parent``."""
    if kind == Kind.SECTION and parent is not None:
        raise ValidationError(_("A section sits at the top of the tree and has no parent."))
    if kind != Kind.SECTION and parent is None:
        raise ValidationError(_("Only sections can sit at the top of the tree."))
    if parent is not None and parent.kind == Kind.STATEMENT:
        raise ValidationError(
            _("Competence statements are the leaves of the tree; nothing can sit under one.")
        )


def competence_save(*, competence: Competence) -> Competence:
    """Insert a new node or save changes to one (a new parent moves it, with its subtree)."""
    with transaction.atomic():
        _lock_tree()
        parent = competence.parent
        if parent is not None:
            _refresh_tree_fields(parent)
        _check_placement(kind=competence.kind, parent=parent)
        is_statement_with_children = (
            competence.kind == Kind.STATEMENT
            and competence.pk is not None
            and Competence.objects.filter(parent_id=competence.pk).exists()
        )
        if is_statement_with_children:
            raise ValidationError(
                _("This node has children, so it cannot become a competence statement.")
            )
        _refresh_tree_fields(competence)
        competence.save()
    return competence


def competence_move(*, competence: Competence, target: Competence, position: str) -> Competence:
    """Move ``competence`` and its subtree next to or under ``target``.

    ``position`` is one of ``first-child``/``last-child`` (under target) or
    ``left``/``right`` (beside target, under target's parent).
    """
    if position not in POSITIONS:
        raise ValidationError(_("Unknown position “%(position)s”.") % {"position": position})
    with transaction.atomic():
        _lock_tree()
        _refresh_tree_fields(competence)
        _refresh_tree_fields(target)
        new_parent = target if position.endswith("child") else target.parent
        _check_placement(kind=competence.kind, parent=new_parent)
        if competence.pk == target.pk or target.is_descendant_of(competence):
            raise ValidationError(_("A node cannot be moved inside itself."))
        Competence.objects.move_node(competence, target, position)
    return competence


def competence_delete(*, competence: Competence) -> None:
    """Delete a node with no children and no roles that require it."""
    with transaction.atomic():
        _lock_tree()
        _refresh_tree_fields(competence)
        if competence.get_children().exists():
            raise ValidationError(_("Move or delete this node’s children first."))
        competence.delete()


def competence_tree_rebuild() -> None:
    """Recompute every node's nested-set numbers from the parent links."""
    with transaction.atomic():
        _lock_tree()
        Competence.objects.rebuild()


@dataclass
class TreeNode:
    """One node as seed content describes it; children keep the order they are given in."""

    code: str
    kind: str
    title: str
    description: str = ""
    knowledge: str = ""
    skills: str = ""
    standards: list = field(default_factory=list)
    children: list["TreeNode"] = field(default_factory=list)


def competence_tree_load(*, sections: Iterable[TreeNode]) -> dict[str, int]:
    """Create or update the given nodes so the stored tree matches them, in their order.

    Nodes already stored but absent from ``sections`` are kept, after the given ones
    among their siblings. Returns counts of created, updated and unchanged nodes.
    Must run inside the caller's transaction (the whole seed load is one).
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    # Temporary (tree_id, lft) values that sort in the given order; rebuild() walks
    # siblings in that order and writes correct numbers. Nodes not in the content are
    # pushed after the given ones.
    Competence.objects.update(lft=F("lft") + 1_000_000)
    existing = {node.code: node for node in Competence.objects.all()}
    order = 0

    def visit(item: TreeNode, parent: Competence | None, tree_id: int) -> None:
        nonlocal order
        order += 1
        values = {
            "kind": item.kind,
            "title": item.title,
            "description": item.description,
            "knowledge": item.knowledge,
            "skills": item.skills,
            "parent_id": parent.pk if parent else None,
        }
        node = existing.get(item.code)
        if node is None:
            node = Competence(code=item.code, **values)
            counts["created"] += 1
        elif any(getattr(node, key) != value for key, value in values.items()):
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        for key, value in values.items():
            setattr(node, key, value)
        node.tree_id, node.lft, node.rght, node.level = tree_id, order, order, 0
        node.full_clean(
            exclude=["parent", "standards", "lft", "rght", "tree_id", "level"],
            validate_unique=False,
            validate_constraints=False,
        )
        node.save()
        existing[item.code] = node
        if item.standards is not None:
            node.standards.set(item.standards)
        for child in item.children:
            visit(child, node, tree_id)

    with Competence.objects.disable_mptt_updates():
        for tree_id, section in enumerate(sections, start=1):
            visit(section, None, tree_id)
    competence_tree_rebuild()
    return counts
