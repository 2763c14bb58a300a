"""Ways in: from where a person is now to the roles they could apply for, the roles a
route would open, and the steps beyond on the career map.

The rule is the one the guided page states (``APPLY_NOW_RULE``), worked out from each
role's entry rule (``RoleEntry``) and routes (``EntryRoute``), never from role names.
Nothing a person answers is kept: the answers arrive in a POST body and leave with the
page.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from roles.models import Area, RoleProfile

from .models import (
    EntryRoute,
    MoveKind,
    PreEmploymentCheck,
    Progression,
    Qualification,
    Register,
    RoleEntry,
    RouteKind,
    StartingPoint,
)

APPLY_NOW_RULE = _(
    "We say you could apply now for a role when all of these are true: the profile's "
    "entry requirements accept people from where you are now; your highest qualification "
    "is at least the one the profile asks for at the start (where a profile lets people "
    "gain a qualification once in post, we do not count it); you hold one of the "
    "registrations the profile names, if it needs one; and, for peer roles that are only "
    "open to people with lived experience of the justice system, you have told us you "
    "have it. Senior roles that ask for years of experience in these services are not "
    "listed here: people reach them by moving up the career map."
)

# NHS Jobs' own search, found by keyword. The address format is how NHS Jobs' search
# pages link to themselves; NHS Jobs does not publish it, so the page says so.
NHS_JOBS_SEARCH = "https://www.jobs.nhs.uk/candidate/search/results"
# Steps shown beyond each role a person could apply for: the next role up and the one
# after it.
STEPS_BEYOND = 2
ANY_SERVICE = "any"
# The routes that open a role to someone from outside: a course, an apprenticeship, a
# registration, volunteering or a peer post. Experience in a role below is a move up the
# career map, shown as a step beyond instead.
ROUTES_FROM_OUTSIDE = frozenset(RouteKind.values) - {RouteKind.EXPERIENCE}


def nhs_jobs_search(title: str) -> str:
    """The NHS Jobs search for vacancies matching ``title``."""
    return f"{NHS_JOBS_SEARCH}?{urlencode({'keyword': title})}"


LIVED_EXPERIENCE_CHOICES = [
    ("yes", _("Yes")),
    ("no", _("No")),
    ("not-saying", _("I would rather not say")),
]


class WaysInForm(forms.Form):
    """The guided page's four questions (and the register, for registered people)."""

    starting_point = forms.ChoiceField(
        label=_("Where are you now?"),
        choices=StartingPoint.choices,
        error_messages={
            "required": _("Choose where you are now"),
            "invalid_choice": _("Choose where you are now"),
        },
    )
    register = forms.ChoiceField(
        label=_("If you are a registered professional, which register are you on?"),
        choices=Register.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose the register you are on")},
    )
    qualification = forms.TypedChoiceField(
        label=_("What is your highest qualification?"),
        choices=Qualification.choices,
        coerce=int,
        error_messages={
            "required": _("Choose your highest qualification"),
            "invalid_choice": _("Choose your highest qualification"),
        },
    )
    service = forms.ChoiceField(
        label=_("Which service interests you?"),
        choices=(),
        error_messages={
            "required": _("Choose a service, or say you are not sure yet"),
            "invalid_choice": _("Choose a service, or say you are not sure yet"),
        },
    )
    lived_experience = forms.ChoiceField(
        label=_("Do you have lived experience of the criminal justice system? (optional)"),
        choices=LIVED_EXPERIENCE_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Choose yes, no or rather not say, or leave it")},
    )

    def __init__(self, *args, areas: list[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            *((area.slug, area.name) for area in areas),
            (ANY_SERVICE, _("I am not sure yet: show me all of them")),
        ]

    def clean(self):
        data = super().clean()
        if data.get("starting_point") == StartingPoint.REGISTERED and not data.get("register"):
            self.add_error("register", _("Choose the register you are on"))
        return data


@dataclass(frozen=True)
class Answers:
    starting_point: str
    qualification: int
    register: str
    lived_experience: bool
    area: Area | None

    @property
    def starting_point_label(self) -> str:
        return StartingPoint(self.starting_point).label

    @property
    def register_label(self) -> str:
        return Register(self.register).label if self.register else ""

    @property
    def qualification_label(self) -> str:
        return Qualification(self.qualification).label

    @classmethod
    def from_form(cls, data: dict, areas: list[Area]) -> "Answers":
        by_slug = {area.slug: area for area in areas}
        return cls(
            starting_point=data["starting_point"],
            qualification=data["qualification"],
            register=data.get("register") or "",
            lived_experience=data.get("lived_experience") == "yes",
            area=by_slug.get(data["service"]),
        )


def could_apply_now(entry: RoleEntry, answers: Answers) -> bool:
    """The rule in ``APPLY_NOW_RULE``."""
    return (
        answers.starting_point in entry.starting_points
        and answers.qualification >= entry.qualification
        and (not entry.registers or answers.register in entry.registers)
        and (answers.lived_experience or not entry.lived_experience)
    )


def can_start(route: EntryRoute, answers: Answers) -> bool:
    """Whether the person could start ``route`` from where they are now."""
    return (
        (not route.open_to or answers.starting_point in route.open_to)
        and answers.qualification >= route.qualification
        and (answers.lived_experience or not route.lived_experience)
    )


@dataclass
class Step:
    """A move up from a role, and the moves up from where it leads."""

    move: Progression
    then: list["Step"] = field(default_factory=list)


@dataclass
class OpenRole:
    role: RoleProfile
    steps: list[Step] = field(default_factory=list)


@dataclass
class RoleAfterRoute:
    role: RoleProfile
    routes: list[EntryRoute]


@dataclass
class WaysIn:
    answers: Answers
    now: list[OpenRole]
    after: list[RoleAfterRoute]


def _roles_for(answers: Answers) -> list[RoleProfile]:
    roles = (
        RoleProfile.objects.filter(entry__isnull=False)
        .select_related("level", "entry")
        .prefetch_related(
            "areas",
            Prefetch("entry_routes", queryset=EntryRoute.objects.order_by("position", "title")),
        )
        .order_by("level__number", "title")
    )
    if answers.area is not None:
        roles = roles.filter(areas=answers.area)
    return list(roles)


def _vertical_moves() -> dict[int, list[Progression]]:
    moves = defaultdict(list)
    for move in Progression.objects.filter(kind=MoveKind.VERTICAL).select_related("to_role__level"):
        moves[move.from_role_id].append(move)
    for listed in moves.values():
        listed.sort(key=lambda move: (move.to_role.level.number, move.to_role.title))
    return moves


def _steps(role_id: int, moves: dict[int, list[Progression]], depth: int) -> list[Step]:
    if depth == 0:
        return []
    return [
        Step(move, _steps(move.to_role_id, moves, depth - 1)) for move in moves.get(role_id, [])
    ]


def find_ways_in(answers: Answers) -> WaysIn:
    """The roles in the chosen service (or all) that the person could apply for now, with
    the two steps beyond each; and the roles a route they could start would open."""
    roles = _roles_for(answers)
    moves = _vertical_moves()
    now, after = [], []
    for role in roles:
        if could_apply_now(role.entry, answers):
            now.append(OpenRole(role, _steps(role.pk, moves, STEPS_BEYOND)))
        elif role.entry.starting_points:
            routes = [
                route
                for route in role.entry_routes.all()
                if route.kind in ROUTES_FROM_OUTSIDE and can_start(route, answers)
            ]
            if routes:
                after.append(RoleAfterRoute(role, routes))
    return WaysIn(answers, now, after)


@dataclass
class RoleWayIn:
    """What a role page says under "How to get into this role"."""

    entry: RoleEntry | None
    routes: list[EntryRoute]
    checks: list[PreEmploymentCheck]
    vacancies: list[tuple[str, str]]

    @property
    def dbs_label(self) -> str:
        return self.entry.get_dbs_display() if self.entry else ""


def role_way_in(role: RoleProfile, areas: list[Area]) -> RoleWayIn:
    """The role's entry rule, its routes, the checks for its services and the NHS Jobs
    searches for its typical titles: three queries."""
    entry = RoleEntry.objects.filter(role=role).first()
    routes = list(EntryRoute.objects.filter(role=role).order_by("position", "title"))
    checks = list(
        PreEmploymentCheck.objects.filter(Q(every_area=True) | Q(areas__in=areas))
        .distinct()
        .order_by("position", "name")
    )
    titles = role.job_title_list or [role.title]
    return RoleWayIn(
        entry=entry,
        routes=routes,
        checks=checks,
        vacancies=[(title, nhs_jobs_search(title)) for title in titles],
    )


def lived_experience_roles() -> list[RoleProfile]:
    """The roles with a lived-experience route, lowest level first."""
    return list(
        RoleProfile.objects.with_lived_experience_route()
        .select_related("level", "entry")
        .prefetch_related("areas")
        .order_by("level__number", "title")
    )
