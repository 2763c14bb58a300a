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
- A mix holds at most ``MIX_MOST`` roles; a service with more starts from roles taken
  from each level in turn, and its other roles are offered to add.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from competences.models import Competence
from core import content_cache
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
# The most roles a mix holds: more than the whole published framework has (21), and a
# bound on the planner's form however many roles a service comes to have. The service's
# other roles are offered to add, a page at a time.
MIX_MOST = 30
OTHERS_PER_PAGE = 10
# The address parameter that puts a role in the mix, and the one that marks a mix with
# no roles at all (without it, an address naming no role is the starting mix).
ADD = "add"
EMPTY = ("mix", "none")


def default_wte(level_number: int) -> Decimal:
    """The starting WTE for a role at this level."""
    return DEFAULT_SENIOR_WTE if level_number in SENIOR_LEVELS else DEFAULT_WTE


def field_name(role: RoleProfile) -> str:
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


def read_wte(raw: str, role: RoleProfile) -> tuple[Decimal, str]:
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
    """The mix read from the address: the roles in it (those with more than 0 WTE, and
    any whose WTE could not be read), what was wrong, and the service's other roles."""

    posts: list[Post]
    problems: list[Problem] = field(default_factory=list)
    is_default: bool = False
    # The service's roles that are not in the mix, which the page offers to add.
    others: list[RoleProfile] = field(default_factory=list)

    @property
    def query(self) -> list[tuple[str, str]]:
        """The mix as address parameters, for the page's own address and the downloads."""
        sent = [(post.field_id, plain_number(post.wte)) for post in self.posts if not post.error]
        return sent or [EMPTY]


def plain_number(value: Decimal) -> str:
    """1.0 → "1", 0.50 → "0.5", 10 → "10": how the page shows a WTE."""
    return format(value.normalize(), "f")


def _shown(raw: str) -> str:
    """A typed value made safe to show again: no control characters, not too long."""
    return echo("".join(ch for ch in raw if ch.isprintable()))


def starting_roles(roles: list[RoleProfile]) -> list[RoleProfile]:
    """The roles of the starting mix: every role of the service, or, for a service with
    more than a mix holds, roles taken from each level in turn, lowest level first."""
    if len(roles) <= MIX_MOST:
        return roles
    by_level: dict[int, list[RoleProfile]] = {}
    for role in roles:
        by_level.setdefault(role.level.number, []).append(role)
    queues = [by_level[number] for number in sorted(by_level)]
    taken: list[RoleProfile] = []
    while len(taken) < MIX_MOST:
        for queue in queues:
            if queue and len(taken) < MIX_MOST:
                taken.append(queue.pop(0))
    return sorted(taken, key=roles.index)


def read_mix(params, roles: list[RoleProfile]) -> MixChoice:
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


@dataclass
class LevelShare:
    """The whole-time equivalents at one career framework level, and their share of the mix
    as a whole-number percentage."""

    level: Level
    wte: Decimal
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


@dataclass(frozen=True)
class AreaNeeds:
    """What an area's roles need, in a form a mix is checked against in a few operations
    however large the area: its competences numbered in framework order, and for each
    role and proficiency a bit mask of the competences the role needs at it (bit ``i``
    is competence ``i``)."""

    # (code, title, tree id) of competence ``i``.
    names: tuple[tuple[str, str, int], ...]
    # {role id: {proficiency: mask}}
    masks: dict[int, dict[int, int]]


def _area_needs(roles: list[int]) -> AreaNeeds:
    rows = (
        RoleCompetence.objects.filter(role__in=roles)
        .order_by("competence__tree_id", "competence__lft")
        .values_list(
            "competence_id",
            "competence__code",
            "competence__title",
            "competence__tree_id",
            "role_id",
            "proficiency",
        )
    )
    numbers: dict[int, int] = {}
    names: list[tuple[str, str, int]] = []
    needed: dict[int, dict[int, list[int]]] = {}
    for pk, code, title, tree_id, role_id, proficiency in rows:
        if pk not in numbers:
            numbers[pk] = len(names)
            names.append((code, title, tree_id))
        needed.setdefault(role_id, {}).setdefault(proficiency, []).append(numbers[pk])
    return AreaNeeds(
        names=tuple(names),
        masks={
            role_id: {depth: _mask(bits) for depth, bits in by_depth.items()}
            for role_id, by_depth in needed.items()
        },
    )


def _mask(bits: list[int]) -> int:
    """The bit mask with each of ``bits`` set."""
    mask = 0
    for bit in bits:
        mask |= 1 << bit
    return mask


def _bits(mask: int, most: int | None = None):
    """The bits set in ``mask``, lowest first: at most ``most`` of them."""
    count = 0
    while mask and (most is None or count < most):
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
        count += 1


@dataclass
class Plan:
    """The mix checked against the area. Counts come from bit masks over the area's
    competences, and only the competences a page lists are looked at one by one."""

    area: Area
    posts: list[Post]
    levels: list[LevelShare]
    needs: AreaNeeds

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
    def _role_masks(self) -> dict[int, int]:
        """{role id: every competence it needs} for the roles in the mix."""
        return {
            post.role.pk: _mask_union(self.needs.masks.get(post.role.pk, {}).values())
            for post in self.chosen
        }

    @cached_property
    def _masks(self) -> dict[str, int]:
        once = twice = small = 0
        for post in self.chosen:
            mask = self._role_masks[post.role.pk]
            twice |= once & mask
            once |= mask
            if post.wte <= ONE_POST:
                small |= mask
        everything = (1 << len(self.needs.names)) - 1
        # A competence needed by exactly one post, which is one of the small ones.
        return {
            "all": everything,
            "covered": once,
            "uncovered": everything & ~once,
            "single_post": once & ~twice & small,
        }

    @cached_property
    def _at_least(self) -> dict[int, int]:
        """{proficiency: the competences some post in the mix needs at it or deeper}."""
        at_least, deeper = {}, 0
        for depth in sorted(depth_labels(), reverse=True):
            for post in self.chosen:
                deeper |= self.needs.masks.get(post.role.pk, {}).get(depth, 0)
            at_least[depth] = deeper
        return at_least

    @property
    def total(self) -> int:
        """How many competences the service's roles need."""
        return len(self.needs.names)

    @property
    def covered_count(self) -> int:
        return self._masks["covered"].bit_count()

    @property
    def uncovered_count(self) -> int:
        return self._masks["uncovered"].bit_count()

    @property
    def single_post_count(self) -> int:
        return self._masks["single_post"].bit_count()

    def covered_at(self) -> list[tuple[str, int]]:
        """(depth name, how many covered competences reach it as their deepest), deepest first."""
        labels = depth_labels()
        counts = []
        for depth in sorted(labels, reverse=True):
            deeper = self._at_least.get(depth + 1, 0)
            counts.append((labels[depth], (self._at_least[depth] & ~deeper).bit_count()))
        return counts

    # The lists the page shows: the first LIST_MOST of each, in framework order.
    @cached_property
    def uncovered_listed(self) -> list[Coverage]:
        return self._items("uncovered", LIST_MOST)

    @cached_property
    def single_post_listed(self) -> list[Coverage]:
        return self._items("single_post", LIST_MOST)

    @cached_property
    def covered_listed(self) -> list[Coverage]:
        return self._items("covered", LIST_MOST)

    # Every one, for the downloads.
    @cached_property
    def competences(self) -> list[Coverage]:
        return self._items("all")

    @cached_property
    def covered(self) -> list[Coverage]:
        return self._items("covered")

    @cached_property
    def uncovered(self) -> list[Coverage]:
        return self._items("uncovered")

    @cached_property
    def single_post(self) -> list[Coverage]:
        return self._items("single_post")

    @cached_property
    def _sections(self) -> dict:
        return content_cache.get_or_set("sections-by-tree", (), sections_by_tree)

    def _items(self, which: str, most: int | None = None) -> list[Coverage]:
        sections = self._sections
        labels = depth_labels()
        depths = sorted(self._at_least, reverse=True)
        items = []
        for bit in _bits(self._masks[which], most):
            code, title, tree_id = self.needs.names[bit]
            item = Coverage(competence=Named(code, title), section=sections[tree_id], posts=[])
            item.posts = [post for post in self.chosen if self._role_masks[post.role.pk] >> bit & 1]
            if item.posts:
                item.deepest = next(d for d in depths if self._at_least[d] >> bit & 1)
                item.depth_label = labels[item.deepest]
                item.posts_text = self._posts_text(tuple(post.role.pk for post in item.posts))
            items.append(item)
        return items

    @cached_property
    def _texts(self) -> dict[tuple[int, ...], str]:
        return {}

    def _posts_text(self, key: tuple[int, ...]) -> str:
        """ "Role (1.5 WTE); Other role (2 WTE)" for a set of posts, worked out once for
        each set, which many competences share."""
        texts = self._texts
        if key not in texts:
            by_role = {post.role.pk: post for post in self.chosen}
            texts[key] = _posts_text([by_role[pk] for pk in key])
        return texts[key]


def _mask_union(masks) -> int:
    union = 0
    for mask in masks:
        union |= mask
    return union


def area_roles(area: Area) -> list[RoleProfile]:
    """The area's roles with their levels, lowest level first (kept per generation)."""
    return content_cache.get_or_set(
        "skill-mix-area-roles",
        (area.pk,),
        lambda: list(RoleProfile.objects.filter(areas=area).select_related("level")),
    )


def _posts_text(posts: list[Post]) -> str:
    """ "Role (1.5 WTE); Other role (2 WTE)", naming at most ``POSTS_NAMED`` roles."""
    text = "; ".join(f"{post.role.title} ({post.wte_text} WTE)" for post in posts[:POSTS_NAMED])
    more = len(posts) - POSTS_NAMED
    if more > 0:
        text += "; " + ngettext("and %(n)d more role", "and %(n)d more roles", more) % {"n": more}
    return text


def plan_mix(area: Area, posts: list[Post], roles: list[RoleProfile]) -> Plan:
    """Check ``posts`` (the mix) against the competences the area's ``roles`` need."""
    # Kept under the area alone: which roles it has is content, and any change to it
    # starts a new generation.
    needs = content_cache.get_or_set(
        "skill-mix-needs", (area.pk,), lambda: _area_needs([role.pk for role in roles])
    )
    levels: dict[int, LevelShare] = {}
    for post in posts:
        share = levels.setdefault(
            post.role.level.number, LevelShare(level=post.role.level, wte=Decimal(0))
        )
        share.wte += post.wte
    total = sum((post.wte for post in posts), Decimal(0))
    for share in levels.values():
        share.percent = round(share.wte * 100 / total) if total else 0
    return Plan(
        area=area,
        posts=posts,
        levels=[levels[number] for number in sorted(levels)],
        needs=needs,
    )
