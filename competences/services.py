"""Every write to the competence tree goes through here.

The tree is stored as nested sets (django-mptt): one insert or move rewrites the
left/right numbers of many rows. Two such writes at once can interleave and corrupt
the tree, so each one runs in a transaction that first takes a tree-wide lock, and
only then reads what it relies on: the nodes' tree numbers and parent links, the
parent's kind, whether the node still exists. Whatever the caller read before the lock
(an admin form reads its item first) may be out of date by the time the lock is
granted, so only the caller's intended change is taken from it, never the tree.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import locks, versioning

from .history import ADDED, CHANGED, history_bulk_record
from .models import INSIDE_ITSELF, Competence, check_placement

TREE_FIELDS = ("tree_id", "lft", "rght", "level")
POSITIONS = ("first-child", "last-child", "left", "right")
# The change reason a move leaves in the node's history: a move within the same parent
# changes no field that history keeps, so the reason is what says it happened.
MOVED = "Moved in the tree"
GONE = gettext_lazy("That item no longer exists: someone else has just deleted it.")


def _lock_tree() -> None:
    """Serialise tree writers until the surrounding transaction ends (``core.locks``:
    an advisory lock on PostgreSQL; on SQLite, the write lock every transaction takes as
    it begins)."""
    locks.hold(locks.TREE)


@contextmanager
def tree_locked() -> Iterator[None]:
    """A transaction holding the tree lock, for a caller that must read the tree and
    check what it is about to ask of this module against the tree as it will be."""
    with locks.holding(locks.TREE):
        yield


def _stored(pk) -> dict | None:
    """The node's tree numbers and parent link as stored now, or None once deleted."""
    return Competence.objects.filter(pk=pk).values(*TREE_FIELDS, "parent_id").first()


def _take_stored_place(node: Competence, stored: dict) -> None:
    """Give ``node`` its stored tree numbers, and tell django-mptt its stored parent.

    django-mptt decides whether a save moves the node by comparing the parent with the
    one it saw when the node was read; read before the lock, that could be a parent the
    node has since left, and the save would then write the new numbers under the old
    parent (or the old numbers under the new one).
    """
    for name in TREE_FIELDS:
        setattr(node, name, stored[name])
    node._mptt_cached_fields["parent"] = stored["parent_id"]


def _read_again(node: Competence, *, whole: bool = False) -> Competence:
    """Bring the caller's ``node`` up to date where the tree is concerned: its kind,
    parent link and tree numbers as stored now (its other fields are left as given),
    or with ``whole``, every field."""
    try:
        node.refresh_from_db(fields=None if whole else ["kind", "parent", *TREE_FIELDS])
    except Competence.DoesNotExist:
        raise ValidationError(GONE, code="gone") from None
    node._mptt_cached_fields["parent"] = node.parent_id
    return node


def competence_save(*, competence: Competence) -> Competence:
    """Insert a new node or save changes to one (a new parent moves it, with its subtree)."""
    with transaction.atomic():
        _lock_tree()
        stored = None
        if competence.pk is not None and not competence._state.adding:
            stored = _stored(competence.pk)
            if stored is None:
                raise ValidationError(GONE, code="gone")
        try:
            parent = competence.parent
        except Competence.DoesNotExist:
            raise ValidationError(GONE, code="gone") from None
        if parent is not None:
            _read_again(parent)
        check_placement(kind=competence.kind, parent_kind=parent.kind if parent else None)
        if stored is not None:
            # Its children must still be allowed under it once it is saved.
            children = Competence.objects.filter(parent_id=competence.pk).order_by()
            for child_kind in set(children.values_list("kind", flat=True)):
                check_placement(kind=child_kind, parent_kind=competence.kind)
            if parent is not None and (
                parent.pk == competence.pk
                or (
                    parent.tree_id == stored["tree_id"]
                    and stored["lft"] < parent.lft < stored["rght"]
                )
            ):
                raise ValidationError(INSIDE_ITSELF, code="inside-itself")
            _take_stored_place(competence, stored)
        competence.save()
    return competence


def competence_move(*, competence: Competence, target: Competence, position: str) -> Competence:
    """Move ``competence`` and its subtree next to or under ``target``.

    ``position`` is one of ``first-child``/``last-child`` (under target) or
    ``left``/``right`` (beside target, under target's parent). Both nodes are read
    again under the lock; ``competence`` is brought up to date with its new place.
    """
    if position not in POSITIONS:
        raise ValidationError(_("Unknown position “%(position)s”.") % {"position": position})
    with transaction.atomic():
        _lock_tree()
        # django-mptt saves the moved node whole, so every field is read again: a title
        # another editor saved meanwhile must not be written back as it was.
        _read_again(competence, whole=True)
        # The target as it is now: where it sits, and under which parent, decides the
        # new place, and the caller's copy may predate another editor's move.
        _read_again(target)
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
    """Delete a node with no children and no roles that require it.

    A node someone else has deleted meanwhile is left alone: django-mptt would close
    the gap it left a second time, with the numbers it had when it was read.
    """
    with transaction.atomic():
        _lock_tree()
        stored = _stored(competence.pk)
        if stored is None:
            return
        _take_stored_place(competence, stored)
        if Competence.objects.filter(parent_id=competence.pk).exists():
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
