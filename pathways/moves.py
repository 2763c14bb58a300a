"""A role's moves: where it leads, up and sideways, and which roles lead to it, each
move compared with the role (``pathways.rules``), closest first.

Requirements are read in a single query and compared in Python, so the number of
queries never grows with the data.
"""

from collections import defaultdict
from dataclasses import dataclass

from roles.models import Requirement, RoleCompetence, RoleProfile

from .models import Progression, ProgressionDrop
from .rules import Need, compare_requirements


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


def moves_among(role_ids) -> list[tuple[int, int]]:
    """(from role id, to role id) of every recorded move from one of ``role_ids`` to
    another, in the moves' own order (lowest starting level first); one query."""
    ids = list(role_ids)
    return list(
        Progression.objects.filter(from_role__in=ids, to_role__in=ids).values_list(
            "from_role_id", "to_role_id"
        )
    )


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
