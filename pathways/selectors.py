"""Reads for the career pathways: the map, compared moves and role comparison.

Every function reads requirements in a single query and works out shared, added,
deepened and dropped competences in Python, so the number of queries never grows with
the data.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competences.models import Competence
from roles.models import (
    ROLE_LEVELS,
    Area,
    Level,
    Proficiency,
    Requirement,
    RoleCompetence,
    RoleProfile,
)
from roles.selectors import sections_by_tree

from .diagram import MAP_MOST_BOXES
from .models import MoveKind, Progression, ProgressionDrop


def _competence_count(count: int) -> str:
    return ngettext("%(count)d competence", "%(count)d competences", count) % {"count": count}


# --- Moves from a role, with the difference each one makes ---------------------------


@dataclass(frozen=True, slots=True)
class Need:
    """What a role needs of one competence, read as plain values: comparing a role with
    every role it leads to reads hundreds of these, and model rows cost ten times more."""

    competence_id: int
    code: str
    title: str
    proficiency: int
    is_essential: bool

    @property
    def competence(self) -> Competence:
        """The competence with only its code and title loaded: enough to name and link it."""
        return Competence.from_db(
            None, ["id", "code", "title"], (self.competence_id, self.code, self.title)
        )

    @property
    def proficiency_label(self) -> str:
        return Proficiency(self.proficiency).label


@dataclass
class Drop:
    """A competence the starting role needs as essential that the next role needs less
    deeply, or not at all, with the reason the framework records (blank when none)."""

    competence: Competence
    before: int
    after: int | None
    reason: str = ""

    @property
    def before_label(self) -> str:
        return Proficiency(self.before).label

    @property
    def after_label(self) -> str:
        return Proficiency(self.after).label if self.after else _("Not needed")


def _drops_sentence(count: int, role: str) -> str:
    if not count:
        return _("It keeps everything %(role)s needs as essential.") % {"role": role}
    return ngettext(
        "It drops %(count)d competence %(role)s needs as essential.",
        "It drops %(count)d competences %(role)s needs as essential.",
        count,
    ) % {"count": count, "role": role}


def find_drops(
    before: dict[int, RoleCompetence | Need],
    after: dict[int, RoleCompetence | Need],
    reasons: dict[int, str] | None = None,
) -> list[Drop]:
    """The essential requirements in ``before`` that ``after`` lacks or needs less deeply.

    Both maps are {competence id: requirement}; ``reasons`` is {competence id: reason}.
    Drops come in the order of ``before``.
    """
    reasons = reasons or {}
    drops = []
    for pk, need in before.items():
        kept = after.get(pk)
        if need.is_essential and (kept is None or kept.proficiency < need.proficiency):
            drops.append(
                Drop(
                    competence=need.competence,
                    before=need.proficiency,
                    after=kept.proficiency if kept else None,
                    reason=reasons.get(pk, ""),
                )
            )
    return drops


@dataclass
class MoveComparison:
    """How a move changes what a person needs: shared, new, deeper and dropped competences."""

    shared: int
    added: int
    deepened: int
    dropped: list[Drop] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        first = _(
            "Shares %(shared)s with this role; the move adds %(added)s and deepens %(deepened)d."
        ) % {
            "shared": _competence_count(self.shared),
            "added": _competence_count(self.added),
            "deepened": self.deepened,
        }
        return f"{first} {_drops_sentence(len(self.dropped), _('this role'))}"

    def __str__(self) -> str:
        return self.sentence


def compare_requirements(
    before: dict[int, RoleCompetence | Need],
    after: dict[int, RoleCompetence | Need],
    reasons: dict[int, str] | None = None,
) -> MoveComparison:
    """Compare two roles' {competence id: requirement} maps, moving from ``before``.

    ``reasons`` gives the recorded reason for a drop, keyed by competence id.
    """
    shared = before.keys() & after.keys()
    return MoveComparison(
        shared=len(shared),
        added=len(after.keys() - before.keys()),
        deepened=sum(1 for pk in shared if after[pk].proficiency > before[pk].proficiency),
        dropped=find_drops(before, after, reasons),
    )


def requirement_maps(role_ids) -> dict[int, dict[int, Need]]:
    """{role id: {competence id: need}} for ``role_ids`` in tree order, one query."""
    maps: dict[int, dict[int, Need]] = {pk: {} for pk in role_ids}
    rows = (
        RoleCompetence.objects.filter(role_id__in=list(maps))
        .order_by("competence__tree_id", "competence__lft")
        .values_list(
            "role_id",
            "competence_id",
            "competence__code",
            "competence__title",
            "proficiency",
            "requirement",
        )
    )
    for role_id, competence_id, code, title, proficiency, requirement in rows:
        maps[role_id][competence_id] = Need(
            competence_id, code, title, proficiency, requirement == Requirement.ESSENTIAL
        )
    return maps


def role_moves(role: RoleProfile) -> dict[str, list[Progression]]:
    """Where a role leads (up and sideways) and which roles lead to it."""
    related = ["from_role__level", "to_role__level"]
    out = list(
        role.moves_out.select_related(*related).order_by("to_role__level__number", "to_role__title")
    )
    return {
        "up": [move for move in out if move.kind == "vertical"],
        "sideways": [move for move in out if move.kind == "lateral"],
        "into": list(
            role.moves_in.select_related(*related).order_by(
                "from_role__level__number", "from_role__title"
            )
        ),
    }


@dataclass
class ShownMoves:
    """A role's moves, as its page shows them: at most ``most`` of each kind (the closest
    first), with how many there are of each in all."""

    up: list[Progression]
    sideways: list[Progression]
    into: list[Progression]
    totals: dict[str, int]
    most: int

    def __getitem__(self, kind: str) -> list[Progression]:
        return getattr(self, kind)

    @property
    def complete(self) -> bool:
        """Whether every recorded move is shown."""
        return all(len(self[kind]) == total for kind, total in self.totals.items())

    @property
    def hidden(self) -> dict[str, int]:
        """How many moves of each kind are not shown."""
        return {kind: total - len(self[kind]) for kind, total in self.totals.items()}


def role_moves_shown(role: RoleProfile, most: int) -> ShownMoves:
    """``role_moves_compared``, keeping the ``most`` closest moves of each kind (and the
    first ``most`` roles that lead here), so a role page stays the same size however
    many moves a grown framework records."""
    moves = role_moves_compared(role)
    return ShownMoves(
        **{kind: moves[kind][:most] for kind in ("up", "sideways", "into")},
        totals={kind: len(moves[kind]) for kind in ("up", "sideways", "into")},
        most=most,
    )


def map_page_of_moves_from(role: RoleProfile) -> int:
    """The career map's page (``MAP_MOVES_PER_PAGE`` moves a page, in ``moves_for_map``
    order) on which the moves from ``role`` begin."""
    level = role.level.number
    before = Progression.objects.filter(
        Q(from_role__level__number__lt=level)
        | Q(from_role__level__number=level, from_role__title__lt=role.title)
        | Q(from_role__level__number=level, from_role__title=role.title, from_role_id__lt=role.pk)
    ).count()
    return before // MAP_MOVES_PER_PAGE + 1


def role_moves_compared(role: RoleProfile) -> dict[str, list[Progression]]:
    """``role_moves`` with ``comparison`` set on every move up or sideways.

    Within each list the closest moves come first: fewest added competences, then
    fewest deepened, then the destination's title. Each comparison lists what the move
    drops, with the recorded reasons (one more query, however many moves there are).
    """
    moves = role_moves(role)
    outgoing = moves["up"] + moves["sideways"]
    maps = requirement_maps({role.pk} | {move.to_role_id for move in outgoing})
    reasons: dict[int, dict[int, str]] = defaultdict(dict)
    recorded = ProgressionDrop.objects.filter(progression__from_role=role).values_list(
        "progression_id", "competence_id", "reason"
    )
    for move_id, competence_id, reason in recorded:
        reasons[move_id][competence_id] = reason
    for move in outgoing:
        move.comparison = compare_requirements(
            maps[role.pk], maps[move.to_role_id], reasons.get(move.pk)
        )

    def closeness(move):
        return (move.comparison.added, move.comparison.deepened, move.to_role.title)

    return moves | {
        "up": sorted(moves["up"], key=closeness),
        "sideways": sorted(moves["sideways"], key=closeness),
    }


# --- The career map -----------------------------------------------------------------

# The map names every role while they fit one picture (``diagram.MAP_MOST_BOXES`` role
# boxes; a role in two areas has two). Beyond that each cell names its first few roles
# by title and links to the rest, so the page stays the same size however large the
# framework grows.
MAP_ROLES_PER_CELL = 6
# Moves listed per page of the career map: the published framework's 49 fit on one, so
# the picture and the list beside it describe the same moves.
MAP_MOVES_PER_PAGE = 100


@dataclass
class MapCell:
    """The roles at one level in one area: the ones the map names, and how many in all."""

    area: Area
    level: Level
    roles: list[RoleProfile]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.roles)


@dataclass
class MapRow:
    level: Level
    cells: list[MapCell]


@dataclass
class RoleMoves:
    """One role and the recorded moves out of it."""

    role: RoleProfile
    moves: list[Progression] = field(default_factory=list)


@dataclass
class CareerMap:
    """Levels against areas, with how many moves there are of each kind.

    ``whole`` says whether every role is named (else each cell names at most
    ``MAP_ROLES_PER_CELL``). The moves themselves come from ``moves_for_map``, a page
    at a time.
    """

    areas: list[Area]
    rows: list[MapRow]
    whole: bool
    box_count: int
    moves_up: int
    moves_sideways: int

    roles_per_cell: int = MAP_ROLES_PER_CELL

    @property
    def move_count(self) -> int:
        return self.moves_up + self.moves_sideways


def career_map() -> CareerMap:
    """Levels 8 down to 2 against the areas, and the roles in each cell (all of them
    while the map is small enough to name every role). Five queries, whatever the size
    of the framework: the cells are counted in the database and at most
    ``MAP_ROLES_PER_CELL`` roles per cell are read once the map is large."""
    areas = list(Area.objects.all())
    levels = list(Level.objects.filter(number__in=ROLE_LEVELS).order_by("-number"))
    placements = RoleProfile.areas.through.objects.filter(
        roleprofile__level__number__in=ROLE_LEVELS
    )
    totals = {
        (number, area_id): total
        for area_id, number, total in placements.order_by()
        .values("area_id", "roleprofile__level__number")
        .annotate(total=Count("pk"))
        .values_list("area_id", "roleprofile__level__number", "total")
    }
    box_count = sum(totals.values())
    whole = box_count <= MAP_MOST_BOXES
    shown = placements.select_related("roleprofile__level")
    if not whole:
        shown = shown.annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("area_id"), F("roleprofile__level_id")],
                order_by=[F("roleprofile__title").asc(), F("roleprofile_id").asc()],
            )
        ).filter(position__lte=MAP_ROLES_PER_CELL)
    cells: dict[tuple[int, int], list[RoleProfile]] = defaultdict(list)
    for placement in shown.order_by("roleprofile__title", "roleprofile_id"):
        role = placement.roleprofile
        cells[(role.level.number, placement.area_id)].append(role)
    rows = [
        MapRow(
            level=level,
            cells=[
                MapCell(
                    area=area,
                    level=level,
                    roles=cells.get((level.number, area.pk), []),
                    total=totals.get((level.number, area.pk), 0),
                )
                for area in areas
            ],
        )
        for level in levels
    ]
    kinds = dict(
        Progression.objects.order_by()
        .values("kind")
        .annotate(total=Count("pk"))
        .values_list("kind", "total")
    )
    return CareerMap(
        areas=areas,
        rows=rows,
        whole=whole,
        box_count=box_count,
        moves_up=kinds.get(MoveKind.VERTICAL, 0),
        moves_sideways=kinds.get(MoveKind.LATERAL, 0),
    )


def moves_for_map() -> QuerySet[Progression]:
    """Every recorded move with both roles' levels, by the role it starts from."""
    return Progression.objects.select_related("from_role__level", "to_role__level").order_by(
        "from_role__level__number", "from_role__title", "from_role_id", "kind", "to_role__title"
    )


def moves_by_starting_role(moves) -> list[RoleMoves]:
    """``moves`` (in ``moves_for_map`` order) grouped under the role each starts from."""
    grouped: dict[int, RoleMoves] = {}
    for move in moves:
        grouped.setdefault(move.from_role_id, RoleMoves(role=move.from_role)).moves.append(move)
    return list(grouped.values())


# --- Two or three roles side by side -------------------------------------------------


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
            "added": _competence_count(len(self.added)),
            "deepened": len(self.deepened),
        }
        return f"{first} {_drops_sentence(len(self.dropped), self.before.title)}"


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
