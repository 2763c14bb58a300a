"""Reads that cross relations, for the role, area, level and overview pages."""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from competences.models import Competence, LearningOpportunity, Standard
from core import content_cache

from .models import Area, Level, Proficiency, Requirement, RoleCompetence, RoleProfile

# What a slug can be (Django's slug characters), with room to spare over the field.
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,150}")


def area_by_slug(slug: str) -> Area | None:
    """The area at this address, or None; kept per content generation."""
    return content_cache.get_or_set("area", (slug,), lambda: Area.objects.filter(slug=slug).first())


def role_by_slug(slug: str) -> RoleProfile | None:
    """The role at this address, with its level and areas, or None; kept per content
    generation. The slug may be hand-typed, so anything that cannot be a slug (a NUL
    byte, a long run of text) is answered without a query or a cache key."""
    if not SLUG.fullmatch(slug):
        return None
    return content_cache.get_or_set(
        "role",
        (slug,),
        lambda: (
            RoleProfile.objects.select_related("level")
            .prefetch_related("areas")
            .filter(slug=slug)
            .first()
        ),
    )


def areas_in_order() -> list[Area]:
    """Every area in its order; kept per content generation."""
    return content_cache.get_or_set("areas", (), lambda: list(Area.objects.all()))


def roles_for_listing() -> QuerySet[RoleProfile]:
    """Role profiles with their level and areas loaded, in level then title order."""
    return RoleProfile.objects.select_related("level").prefetch_related(
        Prefetch("areas", queryset=Area.objects.order_by("position", "name"))
    )


def with_depth_spread(roles: QuerySet[RoleProfile]) -> QuerySet[RoleProfile]:
    """``roles``, each counting its requirements, its essential ones and its requirements
    at each depth (``depth_1`` for Awareness to ``depth_4`` for Expert), in the same query."""
    return roles.annotate(
        requirement_count=Count("requirements"),
        essential_count=Count(
            "requirements", filter=Q(requirements__requirement=Requirement.ESSENTIAL)
        ),
        **{
            f"depth_{depth.value}": Count(
                "requirements", filter=Q(requirements__proficiency=depth.value)
            )
            for depth in Proficiency
        },
    )


def roles_highest_level_first(roles: QuerySet[RoleProfile]) -> QuerySet[RoleProfile]:
    """``roles`` in the order the role tables list them: highest level first, then title."""
    return roles.order_by("-level__number", "title", "pk")


@dataclass
class LevelCount:
    """How many of a list's role profiles sit at one level."""

    number: int
    name: str
    total: int


def role_counts_by_level(roles: QuerySet[RoleProfile]) -> list[LevelCount]:
    """How many of ``roles`` sit at each level, highest level first, counted in one query;
    levels with none are left out."""
    rows = (
        roles.order_by()
        .values("level__number", "level__name")
        .annotate(total=Count("pk", distinct=True))
        .values_list("level__number", "level__name", "total")
    )
    return sorted((LevelCount(*row) for row in rows), key=lambda count: -count.number)


def level_summary(roles: QuerySet[RoleProfile], *, params: dict) -> list[dict]:
    """Per level, how many of ``roles`` sit there and a link to the role list narrowed
    to them (keeping ``params``, the other filters)."""
    list_url = reverse("roles:role-list")
    kept = {key: value for key, value in params.items() if value}
    return [
        {"count": count, "href": f"{list_url}?{urlencode(kept | {'level': count.number})}"}
        for count in role_counts_by_level(roles)
    ]


def sections_by_tree() -> dict[int, Competence]:
    """Every top-level section keyed by its tree id (one query)."""
    return {
        section.tree_id: section
        for section in Competence.objects.filter(parent__isnull=True).only(
            "code", "title", "tree_id", "kind", "lft", "rght", "level", "parent"
        )
    }


@dataclass
class SectionRequirements:
    """One competence section and the requirements a role has within it, in tree order."""

    section: Competence
    requirements: list[RoleCompetence] = field(default_factory=list)

    @property
    def essential_count(self) -> int:
        return sum(1 for item in self.requirements if item.is_essential)

    @property
    def desirable_count(self) -> int:
        return len(self.requirements) - self.essential_count


def role_requirements_by_section(
    role: RoleProfile, *, with_learning: bool = False
) -> list[SectionRequirements]:
    """A role's required competences grouped under their sections, sections in tree order.

    Two queries; with ``with_learning`` each competence also carries its standards (by
    code) and learning opportunities (by title), two more however many there are.
    """
    sections = sections_by_tree()
    requirements = (
        RoleCompetence.objects.filter(role=role)
        .select_related("competence", "competence__parent")
        .order_by("competence__tree_id", "competence__lft")
    )
    if with_learning:
        requirements = requirements.prefetch_related(
            Prefetch("competence__standards", queryset=Standard.objects.order_by("code")),
            Prefetch(
                "competence__learning_opportunities",
                queryset=LearningOpportunity.objects.order_by("title"),
            ),
        )
    groups: dict[int, SectionRequirements] = {}
    for requirement in requirements:
        tree_id = requirement.competence.tree_id
        group = groups.get(tree_id)
        if group is None:
            group = groups[tree_id] = SectionRequirements(section=sections[tree_id])
        group.requirements.append(requirement)
    return list(groups.values())


def levels_with_role_counts() -> QuerySet[Level]:
    """All levels with ``role_count``, the number of role profiles at each."""
    return Level.objects.annotate(role_count=Count("roles"))


def areas_with_role_counts() -> QuerySet[Area]:
    """All areas with ``role_count``, the number of role profiles in each."""
    return Area.objects.annotate(role_count=Count("roles"))


def roles_grouped_by_level(roles) -> list[tuple[Level, list[RoleProfile]]]:
    """Group already-fetched roles under their levels, highest level last."""
    groups: dict[int, tuple[Level, list[RoleProfile]]] = {}
    for role in roles:
        groups.setdefault(role.level.number, (role.level, []))[1].append(role)
    return [groups[number] for number in sorted(groups)]
