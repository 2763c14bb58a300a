"""Loading the competence tree: the flat list of nodes checked, nested and reported.

The tree service (``competences.services.competence_tree_load``) writes it; this module
checks the entries against the placement rule, finds cycles, and reports each node's
changes against what is stored.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from competences.models import PLACEMENT_RULE, Competence, Kind, may_sit_under
from competences.services import TreeNode

from .bulk import delete_recorded
from .entries import Locate, entry_errors
from .errors import ContentError
from .load_report import shown_value


def _check_node(node: TreeNode, place: str) -> None:
    """Check a node's own fields as the tree service will, before anything is written,
    so every node's problem can be reported with where it is."""
    candidate = Competence(
        code=node.code,
        kind=node.kind,
        title=node.title,
        description=node.description,
        knowledge=node.knowledge,
        skills=node.skills,
        foundation=node.foundation,
    )
    try:
        candidate.full_clean(
            exclude=["parent", "standards", "lft", "rght", "tree_id", "level"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" if name != NON_FIELD_ERRORS else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
        raise ContentError(f"{place}: {node.code}: {problems}") from None


def tree_nodes(entries: list, standards: dict, locate: Locate) -> list[TreeNode]:
    """Check the flat list of nodes and nest it; children keep the order they come in."""
    nodes: dict[str, TreeNode] = {}
    parents: dict[str, str | None] = {}
    where: dict[str, str] = {}
    for index, item in enumerate(entries):
        place = locate("competences", index)
        with entry_errors(place):
            code = str(item["code"])
            if item["kind"] not in Kind.values:
                raise ContentError(f"{place}: unknown kind {item['kind']!r}")
            missing = [ref for ref in item.get("standards") or [] if ref not in standards]
            if missing:
                raise ContentError(f"{place}: {code} links to unknown standards {missing}")
            node = TreeNode(
                code=code,
                kind=item["kind"],
                title=item["title"],
                description=item.get("description", ""),
                knowledge=item.get("knowledge", ""),
                skills=item.get("skills", ""),
                foundation=bool(item.get("foundation", False)),
                standards=[standards[ref] for ref in item.get("standards") or []],
            )
            _check_node(node, place)
            nodes[code] = node
            parents[code] = item.get("parent") or None
            where[code] = place
    roots = []
    for code, node in nodes.items():
        parent = parents[code]
        if parent is not None and parent not in nodes:
            raise ContentError(f"{where[code]}: {code}'s parent {parent!r} is not in the tree")
        if not may_sit_under(node.kind, nodes[parent].kind if parent else None):
            raise ContentError(f"{where[code]}: {code}: {PLACEMENT_RULE}")
        if parent is None:
            roots.append(node)
        else:
            nodes[parent].children.append(node)
    reached = set()

    def reach(node: TreeNode) -> None:
        reached.add(node.code)
        for child in node.children:
            reach(child)

    for root in roots:
        reach(root)
    looped = [code for code in nodes if code not in reached]
    if looped:
        # Follow parents from a node that never reaches a section until one repeats.
        path = [looped[0]]
        while parents[path[-1]] not in path:
            path.append(parents[path[-1]])
        cycle = path[path.index(parents[path[-1]]) :]
        raise ContentError(
            f"{where[cycle[0]]}: the parents of {' and '.join(cycle)} form a cycle "
            f"({' → '.join([*cycle, cycle[0]])}), so they never reach a section"
        )
    if not roots:
        raise ContentError("competences: the tree has no sections")
    return roots


def record_tree_changes(report, entries: list, remove_missing: bool) -> list[int]:
    """Report each node's changes against what is stored; returns the nodes to remove."""
    stored = {
        row["code"]: row
        for row in Competence.objects.values(
            "pk",
            "code",
            "kind",
            "title",
            "description",
            "knowledge",
            "skills",
            "foundation",
            "parent__code",
        )
    }
    linked: dict[str, set] = {}
    for code, reference in Competence.standards.through.objects.values_list(
        "competence__code", "standard__reference"
    ):
        linked.setdefault(code, set()).add(reference)
    given = set()
    for item in entries:
        code = str(item["code"])
        given.add(code)
        row = stored.get(code)
        if row is None:
            report.record("Competences", code, "created")
            continue
        changes = [
            (name, row[name], item.get(name, ""))
            for name in ("kind", "title", "description", "knowledge", "skills")
            if row[name] != item.get(name, "")
        ]
        if row["foundation"] != bool(item.get("foundation", False)):
            changes.append(("foundation", row["foundation"], bool(item.get("foundation", False))))
        if (row["parent__code"] or None) != (item.get("parent") or None):
            changes.append(("parent", row["parent__code"] or "", item.get("parent") or ""))
        before, after = linked.get(code, set()), set(item.get("standards") or [])
        if before != after:
            changes.append(("standards", shown_value(before), shown_value(after)))
        if changes:
            report.record("Competences", code, "updated", changes)
        else:
            report.add("Competences", "unchanged")
    gone = []
    if remove_missing:
        for code, row in stored.items():
            if code not in given:
                report.record("Competences", code, "removed")
                gone.append(row["pk"])
    return gone


def delete_nodes(pks: list[int]) -> None:
    """Delete nodes deepest first: a node's parent link protects it from a blind delete."""
    if not pks:
        return
    rows = Competence.objects.filter(pk__in=pks).values_list("pk", "level")
    for depth in sorted({level for _pk, level in rows}, reverse=True):
        delete_recorded(
            Competence.objects.filter(pk__in=[pk for pk, level in rows if level == depth])
        )
