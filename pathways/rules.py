"""The rules of moving from one role to another: what a move shares, adds, deepens and
drops.

A move drops a competence when the starting role needs it as essential and the next
role needs it less deeply or not at all; the framework may record why. These rules are
pure: callers read the requirements (in one query) and pass them in.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competences.models import Competence
from roles.models import Proficiency, RoleCompetence


def competence_count(count: int) -> str:
    return ngettext("%(count)d competence", "%(count)d competences", count) % {"count": count}


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


def drops_sentence(count: int, role: str) -> str:
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
            "shared": competence_count(self.shared),
            "added": competence_count(self.added),
            "deepened": self.deepened,
        }
        return f"{first} {drops_sentence(len(self.dropped), _('this role'))}"

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
