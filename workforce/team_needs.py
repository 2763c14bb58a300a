"""A team's training needs, from the gap files its members downloaded.

Rules, stated on the page too:
- Each person is one gap file, or one part of a combined file (see
  ``pathways.gap_files``). People may hold different roles; a competence's count is how
  many people have it as a gap, whatever their role.
- Competences that are essential for at least one of the people with the gap come first,
  then the most shared, then the framework's order.
- A learning opportunity addresses a gap when the framework links it to that competence
  and it suits the level of the person who has the gap (their role's career framework
  level lies in the range of levels it is meant for). Its count is the number of such
  gaps (a person with two gaps it develops counts twice); most first, then by title.
  Learning that suits nobody with a gap it develops is left out, and each item says
  which of the team's levels it was counted for.
- Any count of 1 or 2 shows as "fewer than 3", unless exact numbers were asked for, so a
  small group's gaps cannot be told apart. Suppressed counts sort as equals, so the order
  does not give the number away either.
"""

from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _

from competences.models import Competence, LearningOpportunity
from core.spreadsheets import Sheet
from pathways.gap_files import GapFiles
from pathways.provider_summary import SUPPRESS_BELOW, Region
from roles.models import Requirement, RoleCompetence, RoleProfile
from roles.selectors import sections_by_tree

FILES_FIELD = "files"


class TeamNeedsForm(forms.Form):
    """The choices beside the uploaded files: exact numbers; the page, Excel or the
    summary for the commissioner (``json``); and the summary's service (an area's slug,
    blank to work it out from the roles) and region (blank: not given)."""

    exact = forms.BooleanField(required=False)
    format = forms.ChoiceField(
        choices=[("page", "page"), ("xlsx", "xlsx"), ("json", "json")], required=False
    )
    service = forms.ChoiceField(required=False)
    region = forms.ChoiceField(choices=[("", ""), *Region.choices], required=False)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", ""), *((area.slug, area.name) for area in areas)]


@dataclass
class TeamCount:
    """How many people (or gaps), and whether the page may show the exact number."""

    value: int
    exact: bool

    @property
    def suppressed(self) -> bool:
        return not self.exact and self.value < SUPPRESS_BELOW

    @property
    def text(self) -> str:
        return _("fewer than 3") if self.suppressed else str(self.value)

    @property
    def cell(self) -> int | None:
        """The number for a spreadsheet's count column, blank when it is suppressed: a
        number column that holds words cannot be summed or sorted."""
        return None if self.suppressed else self.value

    @property
    def note(self) -> str | None:
        """What a blank count stands for, in the column beside it."""
        return self.text if self.suppressed else None

    @property
    def sort_key(self) -> int:
        return 0 if self.suppressed else self.value


@dataclass
class TeamGap:
    """One competence that at least one person in the team has as a gap."""

    competence: Competence
    section_title: str
    people: TeamCount
    essential_for: int
    desirable_for: int

    @property
    def requirement_label(self) -> str:
        if self.essential_for and self.desirable_for:
            return _("Essential for some roles")
        return _("Essential") if self.essential_for else _("Desirable")


@dataclass
class TeamLearning:
    """A learning opportunity and the team's gaps it addresses."""

    learning: LearningOpportunity
    gaps: TeamCount
    competences: list[Competence] = field(default_factory=list)
    # The team's levels it was counted for: the levels of the people whose gaps it
    # addresses and whose level it suits.
    levels: list[int] = field(default_factory=list)

    @property
    def counted_for(self) -> str:
        if len(self.levels) == 1:
            return _("the team's level %(level)d members") % {"level": self.levels[0]}
        listed = ", ".join(str(level) for level in self.levels[:-1])
        return _("the team's members at levels %(levels)s and %(last)d") % {
            "levels": listed,
            "last": self.levels[-1],
        }


@dataclass
class TeamNeeds:
    people: int
    people_without_gaps: int
    roles: list[tuple[RoleProfile, int]]
    gaps: list[TeamGap]
    learning: list[TeamLearning]
    exact: bool


def team_needs(files: GapFiles, *, exact: bool) -> TeamNeeds:
    """Add up the gaps of everyone in ``files`` (already checked); five queries."""
    people = files.people
    counts = Counter(code for person in people for code in person.gaps)
    essential: Counter = Counter()
    desirable: Counter = Counter()
    requirement_of = {
        (slug, code): requirement
        for slug, code, requirement in RoleCompetence.objects.filter(
            role__slug__in=list(files.roles), competence__code__in=list(counts)
        ).values_list("role__slug", "competence__code", "requirement")
    }
    for person in people:
        for code in person.gaps:
            if requirement_of.get((person.role_slug, code)) == Requirement.ESSENTIAL:
                essential[code] += 1
            else:
                desirable[code] += 1
    sections = sections_by_tree()
    competences = Competence.objects.filter(code__in=list(counts)).order_by("tree_id", "lft")
    gaps = [
        TeamGap(
            competence=competence,
            section_title=sections[competence.tree_id].title,
            people=TeamCount(counts[competence.code], exact),
            essential_for=essential[competence.code],
            desirable_for=desirable[competence.code],
        )
        for competence in competences
    ]
    # sorted() keeps the tree order among equals.
    gaps.sort(key=lambda gap: (not gap.essential_for, -gap.people.sort_key))
    links = LearningOpportunity.competences.through.objects.filter(
        competence__code__in=list(counts)
    ).values_list("learningopportunity_id", "competence__code")
    developed: dict[int, list[str]] = {}
    for learning_id, code in links:
        developed.setdefault(learning_id, []).append(code)
    level_of = {slug: role.level.number for slug, role in files.roles.items()}
    learning = []
    for item in LearningOpportunity.objects.filter(pk__in=list(developed)):
        codes = set(developed[item.pk])
        suited = [
            person
            for person in people
            if person.role_slug in level_of and item.suits(level_of[person.role_slug])
        ]
        addressed = Counter(code for person in suited for code in person.gaps if code in codes)
        if not addressed:
            continue
        reached = [person for person in suited if codes.intersection(person.gaps)]
        # Whom it was counted for is named by level only, never by count, so a small
        # group cannot be told apart by it.
        learning.append(
            TeamLearning(
                learning=item,
                gaps=TeamCount(sum(addressed.values()), exact),
                competences=[gap.competence for gap in gaps if gap.competence.code in addressed],
                levels=sorted({level_of[person.role_slug] for person in reached}),
            )
        )
    learning.sort(key=lambda entry: (-entry.gaps.sort_key, entry.learning.title))
    role_counts = Counter(person.role_slug for person in people if person.role_slug)
    return TeamNeeds(
        people=len(people),
        people_without_gaps=sum(1 for person in people if not person.gaps),
        roles=sorted(
            ((files.roles[slug], count) for slug, count in role_counts.items()),
            key=lambda pair: (pair[0].level.number, pair[0].title),
        ),
        gaps=gaps,
        learning=learning,
        exact=exact,
    )


def team_sheets(needs: TeamNeeds) -> list[Sheet]:
    """The page's two tables as spreadsheet sheets, in the page's order. Counts are
    numbers; a suppressed one is blank, with "fewer than 3" in a column of its own."""
    not_shown = _("Count not shown")
    gaps = Sheet(
        title=_("Gaps"),
        header=[
            _("Code"),
            _("Competence"),
            _("Section"),
            _("Essential or desirable"),
            _("People with this gap"),
            not_shown,
        ],
        rows=[
            [
                gap.competence.code,
                gap.competence.title,
                gap.section_title,
                gap.requirement_label,
                gap.people.cell,
                gap.people.note,
            ]
            for gap in needs.gaps
        ],
    )
    learning = Sheet(
        title=_("Learning"),
        header=[
            _("Learning"),
            _("Kind"),
            _("Qualification level"),
            _("Suits career framework levels"),
            _("Counted for"),
            _("Team gaps it addresses"),
            not_shown,
            _("Competences"),
        ],
        rows=[
            [
                entry.learning.title,
                entry.learning.get_kind_display(),
                entry.learning.get_level_display() if entry.learning.level else "",
                f"{entry.learning.suits_from}-{entry.learning.suits_to}",
                entry.counted_for,
                entry.gaps.cell,
                entry.gaps.note,
                "; ".join(competence.code for competence in entry.competences),
            ]
            for entry in needs.learning
        ],
    )
    return [gaps, learning]
