"""Reads of the competence tree that go beyond one row."""

from collections import defaultdict

from django.utils.translation import gettext as _

from .models import Competence


def competence_tree_problems() -> list[str]:
    """Every way the stored nested sets disagree with the parent links; empty when sound.

    Reads the whole tree in one query. Checks, per tree: one root at left 1; the left
    and right numbers are exactly 1..2n; each node's level is its parent's plus one and
    it lies inside its parent; each node spans exactly its real descendants.
    """
    rows = list(
        Competence.objects.order_by().values_list(
            "pk", "code", "parent_id", "tree_id", "lft", "rght", "level"
        )
    )
    by_pk = {row[0]: row for row in rows}
    trees = defaultdict(list)
    children = defaultdict(list)
    for row in rows:
        trees[row[3]].append(row)
        if row[2] is not None:
            children[row[2]].append(row[0])

    def descendant_count(pk: int, seen: set) -> int:
        total = 0
        for child in children[pk]:
            if child in seen:
                return -1  # a cycle; reported below
            seen.add(child)
            below = descendant_count(child, seen)
            if below < 0:
                return -1
            total += 1 + below
        return total

    problems = []
    for tree_id, nodes in sorted(trees.items()):
        roots = [row for row in nodes if row[2] is None]
        if len(roots) != 1:
            problems.append(
                _("Tree %(tree)s has %(count)d top-level nodes instead of one.")
                % {"tree": tree_id, "count": len(roots)}
            )
        numbers = sorted([row[4] for row in nodes] + [row[5] for row in nodes])
        if numbers != list(range(1, 2 * len(nodes) + 1)):
            problems.append(
                _("Tree %(tree)s: left and right numbers are not a clean run from 1 to %(end)d.")
                % {"tree": tree_id, "end": 2 * len(nodes)}
            )
    for pk, code, parent_id, tree_id, lft, rght, level in rows:
        if lft >= rght:
            problems.append(_("%(code)s: left is not less than right.") % {"code": code})
        if parent_id is None:
            if level != 0 or lft != 1:
                problems.append(
                    _("%(code)s: a top-level node must start at left 1, level 0.") % {"code": code}
                )
        else:
            parent = by_pk.get(parent_id)
            if parent is None:
                problems.append(_("%(code)s: its parent is missing.") % {"code": code})
                continue
            if parent[3] != tree_id:
                problems.append(
                    _("%(code)s: stored in a different tree from its parent %(parent)s.")
                    % {"code": code, "parent": parent[1]}
                )
            if not (parent[4] < lft and rght < parent[5]):
                problems.append(
                    _("%(code)s: lies outside its parent %(parent)s.")
                    % {"code": code, "parent": parent[1]}
                )
            if level != parent[6] + 1:
                problems.append(
                    _("%(code)s: level %(level)d under a parent at level %(parent_level)d.")
                    % {"code": code, "level": level, "parent_level": parent[6]}
                )
        count = descendant_count(pk, {pk})
        if count < 0:
            problems.append(_("%(code)s: its parent links form a loop.") % {"code": code})
        elif rght - lft - 1 != 2 * count:
            problems.append(
                _("%(code)s: spans %(span)d places but has %(count)d descendants.")
                % {"code": code, "span": (rght - lft - 1) // 2, "count": count}
            )
    return problems
