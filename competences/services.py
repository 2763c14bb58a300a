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
from django.utils.translation import gettext as _

from core import versioning

from .history import ADDED, CHANGED, history_bulk_record
from .models import INSIDE_ITSELF, Competence, check_placement

# Any constant will do: it names the lock, and only this module takes it.
TREE_LOCK_ID = 7_402_113
TREE_FIELDS = ("tree_id", "lft", "rght", "level")
POSITIONS = ("first-child", "last-child", "left", "right")
# The change reason a move leaves in the node's history: a move within the same parent
# changes no field that history keeps, so the reason is what says it happened.
MOVED = "Moved in the tree"


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


def competence_save(*, competence: Competence) -> Competence:
    """Insert a new node or save changes to one (a new parent moves it, with its subtree)."""
    with transaction.atomic():
        _lock_tree()
        parent = competence.parent
        if parent is not None:
            _refresh_tree_fields(parent)
        check_placement(kind=competence.kind, parent_kind=parent.kind if parent else None)
        # Its children must still be allowed under it once it is saved.
        if competence.pk is not None:
            children = Competence.objects.filter(parent_id=competence.pk).order_by()
            for child_kind in set(children.values_list("kind", flat=True)):
                check_placement(kind=child_kind, parent_kind=competence.kind)
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
        check_placement(kind=competence.kind, parent_kind=new_parent.kind if new_parent else None)
        if competence.pk == target.pk or target.is_descendant_of(competence):
            raise ValidationError(INSIDE_ITSELF)
        # move_node saves the node, and that save writes its historical record.
        competence._change_reason = MOVED
        try:
            Competence.objects.move_node(competence, target, position)
        finally:
            del competence._change_reason
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
        # A rebuild writes no saves, so it raises the version itself.
        versioning.content_changed()


@dataclass
class TreeNode:
    """One node as seed content describes it; children keep the order they are given in."""

    code: str
    kind: str
    title: str
    description: str = ""
    knowledge: str = ""
    skills: str = ""
    foundation: bool = False
    standards: list = field(default_factory=list)
    children: list["TreeNode"] = field(default_factory=list)


def competence_tree_load(
    *, sections: Iterable[TreeNode], keep_others: bool = True
) -> dict[str, int]:
    """Create or update the given nodes so the stored tree matches them, in their order.

    Nodes already stored but absent from ``sections`` are kept, after the given ones
    among their siblings; with ``keep_others`` false they are left out of the numbering
    instead, and the caller must delete them before the transaction ends. Returns counts
    of created, updated and unchanged nodes.
    Must run inside the caller's transaction (the whole seed load is one).

    The tree is read once, laid out in Python (nested-set numbers follow the given
    order) and written in bulk: only new rows are inserted and only rows whose values,
    parent or tree numbers differ are updated, so loading unchanged content writes
    nothing.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        _lock_tree()
        stored = {node.code: node for node in Competence.objects.order_by("tree_id", "lft")}
        before = {node.pk: _tree_row(node) for node in stored.values()}
        given_children: dict[str | None, list[Competence]] = {None: []}
        parent_codes: dict[str, str | None] = {}

        def visit(item: TreeNode, parent_code: str | None) -> None:
            values = {
                "kind": item.kind,
                "title": item.title,
                "description": item.description,
                "knowledge": item.knowledge,
                "skills": item.skills,
                "foundation": item.foundation,
            }
            parent = stored[parent_code] if parent_code else None
            node = stored.get(item.code)
            if node is None:
                node = Competence(code=item.code, **values)
                counts["created"] += 1
            elif node.parent_id != (parent.pk if parent else None) or any(
                getattr(node, key) != value for key, value in values.items()
            ):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            for key, value in values.items():
                setattr(node, key, value)
            node.full_clean(
                exclude=["parent", "standards", "lft", "rght", "tree_id", "level"],
                validate_unique=False,
                validate_constraints=False,
            )
            stored[item.code] = node
            parent_codes[item.code] = parent_code
            given_children[parent_code].append(node)
            given_children[item.code] = []
            for child in item.children:
                visit(child, item.code)

        sections = list(sections)
        for section in sections:
            visit(section, None)
        _lay_out(stored, given_children, parent_codes, keep_others)
        new, changed = _write_tree(stored, before, parent_codes)
        relinked = _link_standards(sections, stored)
        # Recorded after the links are written, so each record's snapshot holds them.
        for node in stored.values():
            if node.pk in relinked and node.pk in before:
                changed[node.pk] = node
        history_bulk_record(Competence, new, ADDED)
        history_bulk_record(Competence, list(changed.values()), CHANGED)
    return counts


def _tree_row(node: Competence) -> tuple:
    return (
        node.kind,
        node.title,
        node.description,
        node.knowledge,
        node.skills,
        node.foundation,
        node.parent_id,
        *(getattr(node, name) for name in TREE_FIELDS),
    )


def _lay_out(stored: dict, given_children: dict, parent_codes: dict, keep_others: bool) -> None:
    """Number every node in place: the given nodes in their order, then the others.

    Nodes the content does not mention keep their parent and their order among
    themselves, after the given siblings. Nodes that the walk cannot reach (only a
    broken tree leaves any) keep their numbers; the caller's tree check reports them.
    """
    others: dict[int | None, list[Competence]] = {}
    for node in stored.values():
        if keep_others and node.code not in parent_codes:
            others.setdefault(node.parent_id, []).append(node)

    def children(node: Competence | None) -> list[Competence]:
        if node is None:
            return given_children[None] + others.get(None, [])
        return given_children.get(node.code, []) + (others.get(node.pk, []) if node.pk else [])

    def number(node: Competence, tree_id: int, left: int, level: int) -> int:
        right = left + 1
        for child in children(node):
            right = number(child, tree_id, right, level + 1)
        node.tree_id, node.lft, node.rght, node.level = tree_id, left, right, level
        return right + 1

    for tree_id, root in enumerate(children(None), start=1):
        number(root, tree_id, 1, 0)
    for node in stored.values():
        if node.pk is None and node.lft is None:
            node.tree_id = node.lft = node.rght = node.level = 0


def _write_tree(stored: dict, before: dict, parent_codes: dict) -> tuple[list, dict]:
    """Insert new nodes, parents before children, then update the nodes that changed.

    Returns the new nodes and, by key, the stored nodes whose content or parent changed
    (not those whose tree numbers alone moved: history leaves the numbers out).
    """
    fields = [
        "kind",
        "title",
        "description",
        "knowledge",
        "skills",
        "foundation",
        "parent",
        *TREE_FIELDS,
    ]
    new = [node for node in stored.values() if node.pk is None]
    # Bulk writes bypass django-mptt, which is what is wanted: the numbers are final.
    for depth in sorted({node.level for node in new}):
        batch = [node for node in new if node.level == depth]
        for node in batch:
            parent_code = parent_codes[node.code]
            node.parent_id = stored[parent_code].pk if parent_code else None
        Competence.objects.bulk_create(batch, batch_size=500)
    for code, parent_code in parent_codes.items():
        node = stored[code]
        if node.pk in before:
            node.parent_id = stored[parent_code].pk if parent_code else None
    changed = [
        node for node in stored.values() if node.pk in before and _tree_row(node) != before[node.pk]
    ]
    if changed:
        Competence.objects.bulk_update(changed, fields, batch_size=500)
    content = len(TREE_FIELDS)
    reworded = {
        node.pk: node
        for node in changed
        if _tree_row(node)[:-content] != before[node.pk][:-content]
    }
    return new, reworded


def _link_standards(sections: list[TreeNode], stored: dict) -> set[int]:
    """Make each given node's standards exactly the listed ones, writing only differences.

    Returns the keys of the nodes whose links changed."""
    through = Competence.standards.through
    wanted = set()
    given = set()

    def collect(item: TreeNode) -> None:
        pk = stored[item.code].pk
        if item.standards is not None:
            given.add(pk)
            wanted.update((pk, standard.pk) for standard in item.standards)
        for child in item.children:
            collect(child)

    for section in sections:
        collect(section)
    current = {
        (competence_id, standard_id): pk
        for pk, competence_id, standard_id in through.objects.values_list(
            "pk", "competence_id", "standard_id"
        )
    }
    gone = [pk for link, pk in current.items() if link[0] in given and link not in wanted]
    if gone:
        through.objects.filter(pk__in=gone).delete()
    added = [
        through(competence_id=competence_id, standard_id=standard_id)
        for competence_id, standard_id in sorted(wanted - current.keys())
    ]
    if added:
        through.objects.bulk_create(added, batch_size=500)
    removed = set(gone)
    return {link[0] for link, pk in current.items() if pk in removed} | {
        link.competence_id for link in added
    }
