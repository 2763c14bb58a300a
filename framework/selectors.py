"""Reads that join the competence tree to the roles that need it.

They sit here, above ``competences`` and ``roles``, because the competence and standard
pages list roles: ``competences`` itself never reads role data.
"""

from dataclasses import dataclass, field

from competences.models import Competence, Standard
from roles.models import RoleCompetence, RoleProfile


@dataclass
class RoleNeed:
    """A role that needs a competence (or competences under a branch), and how deeply."""

    role: RoleProfile
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


@dataclass
class RoleUse:
    """A role that needs competences underpinned by one standard."""

    role: RoleProfile
    requirements: list[RoleCompetence] = field(default_factory=list)


def roles_using(standard: Standard) -> list[RoleUse]:
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
