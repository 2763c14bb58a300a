"""Reads for comparing two or three roles side by side, and for choosing them.

Requirements are read in a single query and the shared, added, deepened and dropped
competences worked out in Python (``pathways.rules``), so the number of queries never
grows with the data. A role's own moves are in ``moves.py``, the career map in
``career_map.py``.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from competences.models import Competence
from roles.models import Requirement, RoleCompetence, RoleProfile
from roles.selectors import sections_by_tree

from .models import ProgressionDrop
from .rules import Drop, Need, competence_count, drops_sentence, find_drops


@dataclass
class CompareRow:
    """One competence and what each compared role needs of it (None: not needed)."""

    competence: Competence
    cells: list[Need | None]


@dataclass
class CompareSection:
    section: Competence
    rows: list[CompareRow] = field(default_factory=list)


@dataclass
class Deepening:
    competence: Competence
    before: Need
    after: Need


@dataclass
class CompareStep:
    """A move from one compared role to the next one in the chosen order."""

    before: RoleProfile
    after: RoleProfile
    added: list[Competence]
    deepened: list[Deepening]
    dropped: list[Drop] = field(default_factory=list)

    @property
    def summary(self) -> str:
        first = _(
            "Moving from %(before)s to %(after)s adds %(added)s and deepens %(deepened)d."
        ) % {
            "before": self.before.title,
            "after": self.after.title,
            "added": competence_count(len(self.added)),
            "deepened": len(self.deepened),
        }
        return f"{first} {drops_sentence(len(self.dropped), self.before.title)}"


@dataclass
class RoleOnly:
    role: RoleProfile
    competences: list[Competence]


@dataclass
class RoleComparison:
    roles: list[RoleProfile]
    sections: list[CompareSection]
    shared: list[Competence]
    only: list[RoleOnly]
    steps: list[CompareStep]


def compare_roles(roles: list[RoleProfile]) -> RoleComparison:
    """Compare ``roles`` (in the order given) competence by competence.

    ``shared`` holds the competences every role needs; ``only`` the ones each role needs
    and no other compared role does; each step, between consecutive roles, the
    competences the later role adds and the shared ones it needs at a higher proficiency.
    Everything is in tree order.
    """
    index = {role.pk: position for position, role in enumerate(roles)}
    # Plain values, not model rows: three large roles need hundreds of requirements.
    requirements = (
        RoleCompetence.objects.filter(role_id__in=list(index))
        .order_by("competence__tree_id", "competence__lft")
        .values_list(
            "role_id",
            "competence_id",
            "competence__code",
            "competence__title",
            "competence__tree_id",
            "proficiency",
            "requirement",
        )
    )
    by_competence: dict[int, list[Need | None]] = {}
    competences: dict[int, Competence] = {}
    for role_id, pk, code, title, tree_id, proficiency, requirement in requirements:
        cells = by_competence.get(pk)
        if cells is None:
            cells = by_competence[pk] = [None] * len(roles)
            competences[pk] = Competence.from_db(
                None, ["id", "code", "title", "tree_id"], (pk, code, title, tree_id)
            )
        cells[index[role_id]] = Need(
            pk, code, title, proficiency, requirement == Requirement.ESSENTIAL
        )
    section_of = sections_by_tree()
    sections: dict[int, CompareSection] = {}
    for pk, cells in by_competence.items():
        competence = competences[pk]
        tree_id = competence.tree_id
        group = sections.setdefault(tree_id, CompareSection(section=section_of[tree_id]))
        group.rows.append(CompareRow(competence=competence, cells=cells))

    rows = [row for group in sections.values() for row in group.rows]
    shared = [row.competence for row in rows if all(row.cells)]
    only = [
        RoleOnly(
            role=role,
            competences=[
                row.competence
                for row in rows
                if row.cells[position] and sum(1 for cell in row.cells if cell) == 1
            ],
        )
        for position, role in enumerate(roles)
    ]
    reasons = _recorded_drop_reasons(roles)
    steps = []
    for position in range(len(roles) - 1):
        start, end = roles[position], roles[position + 1]
        added, deepened = [], []
        before_map, after_map = {}, {}
        for row in rows:
            before, after = row.cells[position], row.cells[position + 1]
            if before:
                before_map[row.competence.pk] = before
            if after:
                after_map[row.competence.pk] = after
            if after and not before:
                added.append(row.competence)
            elif after and before and after.proficiency > before.proficiency:
                deepened.append(Deepening(competence=row.competence, before=before, after=after))
        steps.append(
            CompareStep(
                before=start,
                after=end,
                added=added,
                deepened=deepened,
                dropped=find_drops(before_map, after_map, reasons.get((start.pk, end.pk))),
            )
        )
    return RoleComparison(
        roles=roles, sections=list(sections.values()), shared=shared, only=only, steps=steps
    )


def _recorded_drop_reasons(roles: list[RoleProfile]) -> dict[tuple[int, int], dict[int, str]]:
    """{(from role id, to role id): {competence id: reason}} for moves among ``roles``."""
    ids = [role.pk for role in roles]
    reasons: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    recorded = ProgressionDrop.objects.filter(
        progression__from_role_id__in=ids, progression__to_role_id__in=ids
    ).values_list("progression__from_role_id", "progression__to_role_id", "competence_id", "reason")
    for start, end, competence_id, reason in recorded:
        reasons[(start, end)][competence_id] = reason
    return reasons


def roles_for_choosing() -> list[RoleProfile]:
    """Every role with its level, for the role pickers, lowest level first."""
    return list(RoleProfile.objects.select_related("level"))


def roles_named(slugs: list[str]) -> dict[str, RoleProfile]:
    """{slug: role with its level} for the roles among ``slugs`` (one query at most)."""
    # Nothing longer than a slug can be one, so hand-edited junk never reaches the query.
    longest = RoleProfile._meta.get_field("slug").max_length
    wanted = {slug.strip() for slug in slugs if 0 < len(slug.strip()) <= longest}
    return {
        role.slug: role
        for role in RoleProfile.objects.select_related("level").filter(slug__in=wanted)
    }
