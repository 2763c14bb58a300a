"""The skill-mix planner: read a mix of roles and whole-time equivalents (WTE) from the
page address, and check it against the competences the service area's roles need.

Rules, stated on the page too:
- "The area's competences" are those any role profile in the area needs, essential or
  desirable.
- A competence is covered when at least one role in the mix with more than 0 WTE needs
  it; its depth is the deepest proficiency any of those roles needs.
- A competence is "covered by a single post only" when exactly one role in the mix
  needs it and that role has 1 WTE or less: one person's absence leaves it uncovered.
- The default mix is 1 WTE of each role at levels 2 to 6 and 0.5 at levels 7 and 8.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competences.models import Competence
from framework_site import content_cache
from pathways.forms import Problem, echo
from roles.models import Area, Level, RoleCompetence, RoleProfile
from roles.selectors import sections_by_tree

from .area_workforce import depth_labels

FIELD_PREFIX = "wte-"
MAX_WTE = Decimal("99.9")
ONE_POST = Decimal("1")
SENIOR_LEVELS = (7, 8)
DEFAULT_WTE = Decimal("1")
DEFAULT_SENIOR_WTE = Decimal("0.5")
# The most competences each of the page's three lists shows, in framework order: more
# than any published service needs (the largest has about 110), and a bound on the page's
# size however large the framework grows. The Excel workbook lists every one.
LIST_MOST = 120
# The most roles named in one line of the page (the largest published service has 9);
# past it the line says how many more there are.
POSTS_NAMED = 10


def default_wte(level_number: int) -> Decimal:
    """The starting WTE for a role at this level."""
    return DEFAULT_SENIOR_WTE if level_number in SENIOR_LEVELS else DEFAULT_WTE


def field_name(role: RoleProfile) -> str:
    return FIELD_PREFIX + role.slug


class SkillMixForm(forms.Form):
    """One WTE field per role in the area, named ``wte-<role slug>``; blank means 0."""

    def __init__(self, data, *, roles: list[RoleProfile]):
        super().__init__(data)
        for role in roles:
            example = {"title": role.title}
            self.fields[field_name(role)] = forms.DecimalField(
                required=False,
                min_value=0,
                max_value=MAX_WTE,
                max_digits=3,
                decimal_places=1,
                error_messages={
                    "invalid": _(
                        "Whole-time equivalents for %(title)s must be a number, like 1 or 0.5"
                    )
                    % example,
                    "min_value": _("Whole-time equivalents for %(title)s must be 0 or more")
                    % example,
                    "max_value": _("Whole-time equivalents for %(title)s must be 99.9 or less")
                    % example,
                    "max_digits": _("Whole-time equivalents for %(title)s must be 99.9 or less")
                    % example,
                    "max_whole_digits": _(
                        "Whole-time equivalents for %(title)s must be 99.9 or less"
                    )
                    % example,
                    "max_decimal_places": _(
                        "Whole-time equivalents for %(title)s can have one decimal place, like 1.5"
                    )
                    % example,
                },
            )


@dataclass
class Post:
    """A role in the mix and its whole-time equivalents (0 when it is left out)."""

    role: RoleProfile
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
    """The mix read from the address: every role in the area, and what was wrong."""

    posts: list[Post]
    problems: list[Problem] = field(default_factory=list)
    is_default: bool = False

    @property
    def query(self) -> list[tuple[str, str]]:
        """The mix as address parameters, for the download links."""
        return [(post.field_id, plain_number(post.wte)) for post in self.posts]


def plain_number(value: Decimal) -> str:
    """1.0 → "1", 0.50 → "0.5", 10 → "10": how the page shows a WTE."""
    return format(value.normalize(), "f")


def _shown(raw: str) -> str:
    """A typed value made safe to show again: no control characters, not too long."""
    return echo("".join(ch for ch in raw if ch.isprintable()))


def read_mix(params, roles: list[RoleProfile]) -> MixChoice:
    """The mix in ``params`` (a QueryDict). With no ``wte-`` parameters at all it is the
    default mix; a role left out of the address counts as 0. Never raises."""
    sent = [key for key in params if key.startswith(FIELD_PREFIX)]
    if not sent:
        posts = [Post(role=role, wte=default_wte(role.level.number)) for role in roles]
        for post in posts:
            post.entered = plain_number(post.wte)
        return MixChoice(posts=posts, is_default=True)
    form = SkillMixForm(params, roles=roles)
    form.is_valid()
    choice = MixChoice(posts=[])
    for role in roles:
        name = field_name(role)
        raw = params.get(name, "")
        if name in form.errors:
            message = form.errors[name][0]
            choice.posts.append(Post(role=role, wte=Decimal(0), entered=_shown(raw), error=message))
            choice.problems.append(Problem(message, name))
        else:
            wte = form.cleaned_data.get(name) or Decimal(0)
            choice.posts.append(Post(role=role, wte=wte, entered=plain_number(wte)))
    known = {field_name(role) for role in roles}
    for key in sent:
        if key not in known:
            choice.problems.append(
                Problem(
                    _("There is no role “%(slug)s” in this service, so it was left out")
                    % {"slug": _shown(key[len(FIELD_PREFIX) :])}
                )
            )
    return choice


# --- The plan -------------------------------------------------------------------------


@dataclass
class LevelShare:
    """The whole-time equivalents at one career framework level, and their share of the mix
    as a whole-number percentage."""

    level: Level
    wte: Decimal
    posts: list[Post]
    percent: int = 0

    @property
    def wte_text(self) -> str:
        return plain_number(self.wte)


@dataclass(frozen=True, slots=True)
class Named:
    """A competence as the planner shows it: its code and title, without a model
    instance for each of a service's hundreds of competences."""

    code: str
    title: str


@dataclass
class Coverage:
    """One of the area's competences and the posts in the mix that need it."""

    competence: Named
    section: Competence
    posts: list[Post]
    deepest: int | None = None
    depth_label: str = ""
    # "Role (1.5 WTE); Other role (2 WTE)": worked out once for each distinct set of posts,
    # which many competences share, rather than looped over in every table row.
    posts_text: str = ""

    @property
    def covered(self) -> bool:
        return bool(self.posts)

    @property
    def single_post(self) -> bool:
        return len(self.posts) == 1 and self.posts[0].wte <= ONE_POST


@dataclass
class Plan:
    """The mix checked against the area. Its lists are worked out once, when first read:
    the page reads each several times."""

    area: Area
    posts: list[Post]
    levels: list[LevelShare]
    competences: list[Coverage]

    @cached_property
    def chosen(self) -> list[Post]:
        return [post for post in self.posts if post.wte > 0]

    @property
    def chosen_named(self) -> list[Post]:
        """The posts the page names in its summary; the rest are counted."""
        return self.chosen[:POSTS_NAMED]

    @property
    def chosen_more(self) -> int:
        return max(0, len(self.chosen) - POSTS_NAMED)

    @property
    def total_wte(self) -> Decimal:
        return sum((post.wte for post in self.posts), Decimal(0))

    @property
    def total_text(self) -> str:
        return plain_number(self.total_wte)

    @cached_property
    def covered(self) -> list[Coverage]:
        return [item for item in self.competences if item.covered]

    @cached_property
    def uncovered(self) -> list[Coverage]:
        return [item for item in self.competences if not item.covered]

    @cached_property
    def single_post(self) -> list[Coverage]:
        return [item for item in self.competences if item.covered and item.single_post]

    def covered_at(self) -> list[tuple[str, int]]:
        """(depth name, how many covered competences reach it as their deepest), deepest first."""
        labels = depth_labels()
        return [
            (labels[depth], sum(1 for item in self.covered if item.deepest == depth))
            for depth in sorted(labels, reverse=True)
        ]


def area_roles(area: Area) -> list[RoleProfile]:
    """The area's roles with their levels, lowest level first (kept per generation)."""
    return content_cache.remember(
        "skill-mix-area-roles",
        (area.pk,),
        lambda: list(RoleProfile.objects.filter(areas=area).select_related("level")),
    )


def _needs(roles: list[int]) -> list[tuple]:
    """(code, title, tree, ((role id, proficiency), ...)) for every competence that any
    of ``roles`` needs, in the tree's order: plain values, not model instances, grouped
    once per content generation, as an area's roles hold thousands of requirements."""
    rows = (
        RoleCompetence.objects.filter(role__in=roles)
        .order_by("competence__tree_id", "competence__lft", "role__level__number")
        .values_list(
            "competence_id",
            "competence__code",
            "competence__title",
            "competence__tree_id",
            "role_id",
            "proficiency",
        )
    )
    grouped: dict[int, tuple] = {}
    for pk, code, title, tree_id, role_id, proficiency in rows:
        if pk not in grouped:
            grouped[pk] = (code, title, tree_id, [])
        grouped[pk][3].append((role_id, proficiency))
    return [(code, title, tree, tuple(needs)) for code, title, tree, needs in grouped.values()]


def _posts_text(posts: list[Post]) -> str:
    """ "Role (1.5 WTE); Other role (2 WTE)", naming at most ``POSTS_NAMED`` roles."""
    text = "; ".join(f"{post.role.title} ({post.wte_text} WTE)" for post in posts[:POSTS_NAMED])
    more = len(posts) - POSTS_NAMED
    if more > 0:
        text += "; " + ngettext("and %(n)d more role", "and %(n)d more roles", more) % {"n": more}
    return text


def plan_mix(area: Area, posts: list[Post]) -> Plan:
    """Check ``posts`` (every role of the area, each with its WTE) against the area."""
    by_role = {post.role.pk: post for post in posts}
    roles = sorted(by_role)
    needs_by_competence = content_cache.remember("skill-mix-needs", (roles,), lambda: _needs(roles))
    sections = content_cache.remember("sections-by-tree", (), sections_by_tree)
    labels = depth_labels()
    chosen = {pk for pk, post in by_role.items() if post.wte > 0}
    # "Role (1.5 WTE); Other role (2 WTE)" for each distinct set of roles, which many
    # competences share.
    texts: dict[tuple[int, ...], str] = {}
    items = []
    for code, title, tree_id, needs in needs_by_competence:
        item = Coverage(competence=Named(code, title), section=sections[tree_id], posts=[])
        key = tuple(role_id for role_id, _depth in needs if role_id in chosen)
        if key:
            item.posts = [by_role[role_id] for role_id in key]
            item.deepest = max(depth for role_id, depth in needs if role_id in chosen)
            item.depth_label = labels[item.deepest]
            if key not in texts:
                texts[key] = _posts_text(item.posts)
            item.posts_text = texts[key]
        items.append(item)
    levels: dict[int, LevelShare] = {}
    for post in posts:
        share = levels.setdefault(
            post.role.level.number, LevelShare(level=post.role.level, wte=Decimal(0), posts=[])
        )
        share.wte += post.wte
        share.posts.append(post)
    total = sum((post.wte for post in posts), Decimal(0))
    for share in levels.values():
        share.percent = round(share.wte * 100 / total) if total else 0
    return Plan(
        area=area,
        posts=posts,
        levels=[levels[number] for number in sorted(levels)],
        competences=items,
    )
