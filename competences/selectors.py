"""Reads of the competence tree that go beyond one row."""

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _

from core import content_cache

from .models import PLACEMENT_RULE, Competence, Kind, may_sit_under


def competence_tree_problems() -> list[str]:
    """Every way the stored nested sets disagree with the parent links; empty when sound.

    Reads the whole tree in one query. Checks, per tree: one root at left 1; the left
    and right numbers are exactly 1..2n; each node's level is its parent's plus one and
    it lies inside its parent; each node spans exactly its real descendants; no
    node breaks the placement rule (a database constraint also keeps sections at the top).
    """
    rows = list(
        Competence.objects.order_by().values_list(
            "pk", "code", "parent_id", "tree_id", "lft", "rght", "level", "kind"
        )
    )
    kinds = {row[0]: row[7] for row in rows}
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
    for pk, code, parent_id, tree_id, lft, rght, level, kind in rows:
        if lft >= rght:
            problems.append(_("%(code)s: left is not less than right.") % {"code": code})
        if parent_id in kinds or parent_id is None:
            if not may_sit_under(kind, kinds.get(parent_id)):
                problems.append(f"{code}: {PLACEMENT_RULE}")
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


# How many of a section's parts its card on the sections page names; the rest are a
# click away on the section's own page.
PARTS_ON_A_CARD = 12


def section_cards(sections: list[Competence]) -> list[Competence]:
    """``sections`` (top-level nodes), each with ``statement_count`` (the competence
    statements beneath it), ``parts`` (its subsections, at most ``PARTS_ON_A_CARD``) and
    ``more_parts`` (how many subsections the card leaves out).

    Two queries, whatever the size of the tree: the statements are counted in the
    database, never read.
    """
    tree_ids = [section.tree_id for section in sections]
    counts = dict(
        Competence.objects.filter(tree_id__in=tree_ids, kind=Kind.STATEMENT)
        # Without clearing the model's tree ordering, lft joins the GROUP BY.
        .order_by()
        .values("tree_id")
        .annotate(total=Count("pk"))
        .values_list("tree_id", "total")
    )
    parts = defaultdict(list)
    subsections = Competence.objects.filter(
        parent_id__in=[section.pk for section in sections]
    ).exclude(kind=Kind.STATEMENT)
    for part in subsections:
        parts[part.parent_id].append(part)
    for section in sections:
        section.statement_count = counts.get(section.tree_id, 0)
        section.parts = parts[section.pk][:PARTS_ON_A_CARD]
        section.more_parts = len(parts[section.pk]) - len(section.parts)
    return sections


def competence_subtree(node: Competence) -> Competence:
    """``node`` with its descendants cached beneath it, read in one query."""
    root = node.get_descendants(include_self=True).get_cached_trees()[0]
    _count_statements(root)
    return root


def sections_with_statement_counts(most: int | None = None) -> list[Competence]:
    """Top-level sections (the first ``most`` of them, when given), each with
    ``statement_count``: competence statements beneath it."""
    sections = Competence.objects.filter(parent__isnull=True)
    sections = list(sections[:most] if most is not None else sections)
    counts = dict(
        Competence.objects.filter(kind=Kind.STATEMENT, tree_id__in=[s.tree_id for s in sections])
        # Without clearing the model's tree ordering, lft joins the GROUP BY and every
        # statement becomes a group of one.
        .order_by()
        .values("tree_id")
        .annotate(total=Count("pk"))
        .values_list("tree_id", "total")
    )
    for section in sections:
        section.statement_count = counts.get(section.tree_id, 0)
    return sections


def competences_using(standard) -> list[Competence]:
    """Competences linked to ``standard``, in tree order, each with ``section`` set."""
    sections = {
        section.tree_id: section for section in Competence.objects.filter(parent__isnull=True)
    }
    competences = list(standard.competences.select_related("parent").order_by("tree_id", "lft"))
    for competence in competences:
        competence.section = sections.get(competence.tree_id)
    return competences


def codes_in_tree_order() -> dict[str, int]:
    """Every competence's code and its place in the framework's order (sections in
    turn, each depth first), for putting codes read from a file in that order; one
    query, kept until the content changes."""
    return content_cache.get_or_set(
        "codes-in-tree-order",
        (),
        lambda: {
            code: place
            for place, code in enumerate(
                Competence.objects.order_by("tree_id", "lft").values_list("code", flat=True)
            )
        },
    )
