"""The career map: levels against service areas, the roles in each cell and the moves
between them, a page at a time.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from roles.models import ROLE_LEVELS, Area, Level, RoleProfile

from .diagram import MAP_MOST_BOXES
from .models import MoveKind, Progression

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


def levels_against_areas() -> CareerMap:
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
