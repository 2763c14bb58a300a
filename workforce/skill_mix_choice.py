"""The skill-mix planner's input: a mix of roles and whole-time equivalents (WTE), read
from the page address and checked field by field, as the planner's form shows it.

- The default mix is 1 WTE of each role at levels 2 to 6 and 0.5 at levels 7 and 8.
- A mix holds at most ``MIX_MOST`` roles; a service with more starts from roles taken
  from each level in turn, and its other roles are offered to add.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import content_cache
from core.text import one_line
from pathways.forms import Problem, echo
from roles.models import Area, RoleProfile

FIELD_PREFIX = "wte-"
MAX_WTE = Decimal("99.9")
ONE_POST = Decimal("1")
SENIOR_LEVELS = (7, 8)
DEFAULT_WTE = Decimal("1")
DEFAULT_SENIOR_WTE = Decimal("0.5")
# The most roles a mix holds: more than the whole published framework has (21), and a
# bound on the planner's form however many roles a service comes to have. The service's
# other roles are offered to add, a page at a time.
MIX_MOST = 30
OTHERS_PER_PAGE = 10
# The address parameter that puts a role in the mix, and the one that marks a mix with
# no roles at all (without it, an address naming no role is the starting mix).
ADD = "add"
EMPTY = ("mix", "none")


class LevelName(NamedTuple):
    """A career framework level as the planner shows it."""

    number: int
    name: str


class RoleChoice(NamedTuple):
    """A role as the planner offers it: the few values its form, results and downloads
    show. Plain values, not model rows: a service of hundreds of roles comes out of the
    content cache on every request, and tuples unpickle several times faster."""

    pk: int
    slug: str
    code: str
    title: str
    level: LevelName


def area_roles(area: Area) -> list[RoleChoice]:
    """The area's roles with their levels, lowest level first (kept per generation)."""
    return content_cache.get_or_set("skill-mix-area-roles", (area.pk,), lambda: _role_choices(area))


def _role_choices(area: Area) -> list[RoleChoice]:
    levels: dict[int, LevelName] = {}
    rows = RoleProfile.objects.filter(areas=area).values_list(
        "pk", "slug", "code", "title", "level__number", "level__name"
    )
    return [
        # One LevelName per level, shared, so each is stored once.
        RoleChoice(pk, slug, code, title, levels.setdefault(number, LevelName(number, name)))
        for pk, slug, code, title, number, name in rows
    ]


def default_wte(level_number: int) -> Decimal:
    """The starting WTE for a role at this level."""
    return DEFAULT_SENIOR_WTE if level_number in SENIOR_LEVELS else DEFAULT_WTE


def field_name(role: RoleChoice) -> str:
    return FIELD_PREFIX + role.slug


# Django's own decimal checks, one field shared by every WTE the address sends; the
# message naming the role is made only for a value that could not be read.
WTE_FIELD = forms.DecimalField(
    required=False, min_value=0, max_value=MAX_WTE, max_digits=3, decimal_places=1
)
WTE_MESSAGES = {
    "invalid": gettext_lazy("Whole-time equivalents for %(title)s must be a number, like 1 or 0.5"),
    "min_value": gettext_lazy("Whole-time equivalents for %(title)s must be 0 or more"),
    "max_value": gettext_lazy("Whole-time equivalents for %(title)s must be 99.9 or less"),
    "max_digits": gettext_lazy("Whole-time equivalents for %(title)s must be 99.9 or less"),
    "max_whole_digits": gettext_lazy("Whole-time equivalents for %(title)s must be 99.9 or less"),
    "max_decimal_places": gettext_lazy(
        "Whole-time equivalents for %(title)s can have one decimal place, like 1.5"
    ),
}


def read_wte(raw: str, role: RoleChoice) -> tuple[Decimal, str]:
    """(WTE, "") for a value that reads, blank as 0; (0, message) for one that does not."""
    try:
        return WTE_FIELD.clean(raw) or Decimal(0), ""
    except forms.ValidationError as error:
        # Validators gather their errors into a list; the first one's code says why.
        code = error.error_list[0].code
        message = WTE_MESSAGES.get(code, WTE_MESSAGES["invalid"])
        return Decimal(0), str(message) % {"title": role.title}


@dataclass
class Post:
    """A role in the mix and its whole-time equivalents."""

    role: RoleChoice
    wte: Decimal
    # What the person typed, kept to show again when it could not be read.
    entered: str = ""
    error: str = ""

    @property
    def field_id(self) -> str:
        return field_name(self.role)

    @property
    def wte_text(self) -> str:
        return plain_number(self.wte)


@dataclass
class MixChoice:
    """The mix read from the address: the roles in it (those with more than 0 WTE, and
    any whose WTE could not be read), what was wrong, and the service's other roles."""

    posts: list[Post]
    problems: list[Problem] = field(default_factory=list)
    is_default: bool = False
    # The service's roles that are not in the mix, which the page offers to add.
    others: list[RoleChoice] = field(default_factory=list)

    @property
    def query(self) -> list[tuple[str, str]]:
        """The mix as address parameters, for the page's own address and the downloads."""
        sent = [(post.field_id, plain_number(post.wte)) for post in self.posts if not post.error]
        return sent or [EMPTY]


def plain_number(value: Decimal) -> str:
    """1.0 → "1", 0.50 → "0.5", 10 → "10": how the page shows a WTE."""
    return format(value.normalize(), "f")


def _shown(raw: str) -> str:
    """A typed value made safe to show again: cleaned, on one line, not too long."""
    return echo(one_line(raw))


def starting_roles(roles: list[RoleChoice]) -> list[RoleChoice]:
    """The roles of the starting mix: every role of the service, or, for a service with
    more than a mix holds, roles taken from each level in turn, lowest level first."""
    if len(roles) <= MIX_MOST:
        return roles
    by_level: dict[int, list[RoleChoice]] = {}
    for role in roles:
        by_level.setdefault(role.level.number, []).append(role)
    queues = [by_level[number] for number in sorted(by_level)]
    taken: list[RoleChoice] = []
    while len(taken) < MIX_MOST:
        for queue in queues:
            if queue and len(taken) < MIX_MOST:
                taken.append(queue.pop(0))
    return sorted(taken, key=roles.index)


def read_mix(params, roles: list[RoleChoice]) -> MixChoice:
    """The mix in ``params`` (a QueryDict), over ``roles`` (the service's, lowest level
    first). With no ``wte-`` parameter, no ``add`` and no ``mix=none`` it is the starting
    mix. A role sent with 0 or blank is left out of the mix, and ``add`` puts a role in
    at its starting WTE. Never raises."""
    sent = [key for key in params if key.startswith(FIELD_PREFIX)]
    adding = params.get(ADD, "")
    if not sent and not adding and EMPTY[0] not in params:
        posts = [Post(role, default_wte(role.level.number)) for role in starting_roles(roles)]
        for post in posts:
            post.entered = plain_number(post.wte)
        chosen = {post.role.pk for post in posts}
        return MixChoice(
            posts=posts,
            is_default=True,
            others=[role for role in roles if role.pk not in chosen],
        )
    choice = MixChoice(posts=[])
    known = {field_name(role): role for role in roles}
    for role in roles:
        name = field_name(role)
        if name in params:
            raw = params.get(name, "")
            wte, message = read_wte(raw, role)
            if message:
                choice.posts.append(Post(role, wte, entered=_shown(raw), error=message))
                choice.problems.append(Problem(message, name))
            elif wte > 0:
                choice.posts.append(Post(role, wte, entered=plain_number(wte)))
    for key in sent:
        if key not in known:
            choice.problems.append(
                Problem(
                    _("There is no role “%(slug)s” in this service, so it was left out")
                    % {"slug": _shown(key[len(FIELD_PREFIX) :])}
                )
            )
    in_mix = {post.role.pk for post in choice.posts}
    if adding:
        role = known.get(FIELD_PREFIX + adding)
        if role is None:
            choice.problems.append(
                Problem(
                    _("There is no role “%(slug)s” in this service to add")
                    % {"slug": _shown(adding)}
                )
            )
        elif role.pk not in in_mix:
            wte = default_wte(role.level.number)
            choice.posts.append(Post(role, wte, entered=plain_number(wte)))
            choice.posts.sort(key=lambda post: roles.index(post.role))
            in_mix.add(role.pk)
    if len(choice.posts) > MIX_MOST:
        choice.problems.append(
            Problem(
                _(
                    "A mix can hold at most %(most)d roles, and this one has %(count)d. "
                    "Set some to 0 to take them out."
                )
                % {"most": MIX_MOST, "count": len(choice.posts)},
                choice.posts[MIX_MOST].field_id,
            )
        )
    choice.others = [role for role in roles if role.pk not in in_mix]
    return choice


# --- The plan -------------------------------------------------------------------------
