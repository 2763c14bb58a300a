"""Reads of the competence tree that go beyond one row."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from roles.models import RoleCompetence

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


def _count_statements(node: Competence) -> int:
    """Set ``statement_count`` on ``node`` and every cached descendant; return node's."""
    total = 0
    for child in node.get_children():
        total += 1 if child.is_statement else _count_statements(child)
    node.statement_count = total
    return total


def competence_forest() -> list[Competence]:
    """The whole tree in one query: sections with cached children, each node counted."""
    sections = Competence.objects.all().get_cached_trees()
    for section in sections:
        _count_statements(section)
    return sections


def competence_subtree(node: Competence) -> Competence:
    """``node`` with its descendants cached beneath it, read in one query."""
    root = node.get_descendants(include_self=True).get_cached_trees()[0]
    _count_statements(root)
    return root


@dataclass
class RoleNeed:
    """A role that needs a competence (or competences under a branch), and how deeply."""

    role: object
    proficiency: int | None = None
    proficiency_label: str = ""
    essential: bool = False
    statement_count: int = 0


def requirements_for(node: Competence) -> list[RoleNeed]:
    """The roles that need ``node``: for a statement, at which proficiency; for a branch,
    how many of the statements beneath it each role needs. Lowest level first."""
    requirements = RoleCompetence.objects.select_related("role", "role__level").order_by(
        "role__level__number", "role__title"
    )
    if node.is_statement:
        return [
            RoleNeed(
                role=item.role,
                proficiency=item.proficiency,
                proficiency_label=item.get_proficiency_display(),
                essential=item.is_essential,
                statement_count=1,
            )
            for item in requirements.filter(competence=node)
        ]
    needs: dict[int, RoleNeed] = {}
    beneath = requirements.filter(
        competence__tree_id=node.tree_id,
        competence__lft__gt=node.lft,
        competence__rght__lt=node.rght,
    )
    for item in beneath:
        need = needs.setdefault(item.role_id, RoleNeed(role=item.role))
        need.statement_count += 1
        need.essential = need.essential or item.is_essential
    return list(needs.values())


def competences_using(standard) -> list[Competence]:
    """Competences linked to ``standard``, in tree order, each with ``section`` set."""
    sections = {
        section.tree_id: section for section in Competence.objects.filter(parent__isnull=True)
    }
    competences = list(standard.competences.select_related("parent").order_by("tree_id", "lft"))
    for competence in competences:
        competence.section = sections.get(competence.tree_id)
    return competences


@dataclass
class RoleUse:
    """A role that needs competences underpinned by one standard."""

    role: object
    requirements: list = field(default_factory=list)


def roles_using(standard) -> list[RoleUse]:
    """Roles needing any competence linked to ``standard``, with those requirements."""
    uses: dict[int, RoleUse] = {}
    requirements = (
        RoleCompetence.objects.filter(competence__standards=standard)
        .select_related("role", "role__level", "competence")
        .order_by("role__level__number", "role__title", "competence__tree_id", "competence__lft")
    )
    for item in requirements:
        uses.setdefault(item.role_id, RoleUse(role=item.role)).requirements.append(item)
    return list(uses.values())
