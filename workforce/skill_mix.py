"""The skill-mix planner's check: a mix of roles (``skill_mix_choice``) against the
competences the service area's roles need.

Rules, stated on the page too:
- "The area's competences" are those any role profile in the area needs, essential or
  desirable.
- A competence is covered when at least one role in the mix with more than 0 WTE needs
  it; its depth is the deepest proficiency any of those roles needs.
- A competence is "covered by a single post only" when exactly one role in the mix
  needs it and that role has 1 WTE or less: one person's absence leaves it uncovered.
"""

from array import array
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.utils.translation import ngettext

from competences.models import Competence
from core import content_cache
from roles.models import Area, RoleCompetence

from .area_workforce import depth_labels
from .skill_mix_choice import ONE_POST, LevelName, Post, RoleChoice, plain_number

# The most competences each of the page's three lists shows, in framework order: more
# than any published service needs (the largest has about 110), and a bound on the page's
# size however large the framework grows. The Excel workbook lists every one.
LIST_MOST = 120
# The most roles named in one line of the page (the largest published service has 9);
# past it the line says how many more there are.
POSTS_NAMED = 10


@dataclass
class LevelShare:
    """The whole-time equivalents at one career framework level, and their share of the mix
    as a whole-number percentage."""

    level: LevelName
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
    section_title: str
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
    role and proficiency the numbers of the competences the role needs at it.

    Kept compact, as it comes out of the content cache on every request for a mix of
    one's own: a service's thousands of codes and titles as two strings each, and
    each role's competence numbers packed into bytes, since a role needs a few dozen of
    a large service's competences. Only the roles in a mix are turned into bit masks
    (bit ``i`` is competence ``i``)."""

    codes: "Strings"
    titles: "Strings"
    trees: array
    # {role id: {proficiency: the competence numbers, as packed unsigned ints}}
    numbers: dict[int, dict[int, bytes]]

    def masks(self, role_id: int) -> dict[int, int]:
        """{proficiency: bit mask of the competences the role needs at it}."""
        return {
            depth: _mask(array(NUMBER_TYPE, packed))
            for depth, packed in self.numbers.get(role_id, {}).items()
        }


# Unsigned ints of at least 32 bits: enough competences for any framework.
NUMBER_TYPE = "I"


class Strings:
    """A sequence of strings kept as one string and where each one ends: it unpickles
    as two objects, not one per string, and gives the ``i``-th string by slicing."""

    def __init__(self, strings: list[str]):
        self.text = "".join(strings)
        ends, end = array(NUMBER_TYPE), 0
        for string in strings:
            end += len(string)
            ends.append(end)
        self.ends = ends

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> str:
        return self.text[self.ends[i - 1] if i else 0 : self.ends[i]]


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
    codes: list[str] = []
    titles: list[str] = []
    trees: list[int] = []
    needed: dict[int, dict[int, list[int]]] = {}
    for pk, code, title, tree_id, role_id, proficiency in rows:
        if pk not in numbers:
            numbers[pk] = len(codes)
            codes.append(code)
            titles.append(title)
            trees.append(tree_id)
        needed.setdefault(role_id, {}).setdefault(proficiency, []).append(numbers[pk])
    return AreaNeeds(
        codes=Strings(codes),
        titles=Strings(titles),
        trees=array(NUMBER_TYPE, trees),
        numbers={
            role_id: {depth: array(NUMBER_TYPE, bits).tobytes() for depth, bits in by_depth.items()}
            for role_id, by_depth in needed.items()
        },
    )


def _mask(bits) -> int:
    """The bit mask with each of ``bits`` set, built as bytes: one big-number operation,
    rather than one for each bit."""
    if not bits:
        return 0
    field = bytearray(max(bits) // 8 + 1)
    for bit in bits:
        field[bit >> 3] |= 1 << (bit & 7)
    return int.from_bytes(field, "little")


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
    def _depth_masks(self) -> dict[int, dict[int, int]]:
        """{role id: {proficiency: mask}} for the roles in the mix."""
        return {post.role.pk: self.needs.masks(post.role.pk) for post in self.chosen}

    @cached_property
    def _role_masks(self) -> dict[int, int]:
        """{role id: every competence it needs} for the roles in the mix."""
        return {pk: _mask_union(masks.values()) for pk, masks in self._depth_masks.items()}

    @cached_property
    def _masks(self) -> dict[str, int]:
        once = twice = small = 0
        for post in self.chosen:
            mask = self._role_masks[post.role.pk]
            twice |= once & mask
            once |= mask
            if post.wte <= ONE_POST:
                small |= mask
        everything = (1 << len(self.needs.codes)) - 1
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
                deeper |= self._depth_masks[post.role.pk].get(depth, 0)
            at_least[depth] = deeper
        return at_least

    @property
    def total(self) -> int:
        """How many competences the service's roles need."""
        return len(self.needs.codes)

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
    def _section_titles(self) -> dict[int, str]:
        return content_cache.get_or_set("section-titles", (), section_titles)

    def _items(self, which: str, most: int | None = None) -> list[Coverage]:
        titles = self._section_titles
        labels = depth_labels()
        depths = sorted(self._at_least, reverse=True)
        items = []
        for bit in _bits(self._masks[which], most):
            needs = self.needs
            item = Coverage(
                competence=Named(needs.codes[bit], needs.titles[bit]),
                section_title=titles[needs.trees[bit]],
                posts=[],
            )
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


def section_titles() -> dict[int, str]:
    """{tree id: title} of every top-level section: the downloads name each competence's."""
    return dict(Competence.objects.filter(parent__isnull=True).values_list("tree_id", "title"))


def _mask_union(masks) -> int:
    union = 0
    for mask in masks:
        union |= mask
    return union


def _posts_text(posts: list[Post]) -> str:
    """ "Role (1.5 WTE); Other role (2 WTE)", naming at most ``POSTS_NAMED`` roles."""
    text = "; ".join(f"{post.role.title} ({post.wte_text} WTE)" for post in posts[:POSTS_NAMED])
    more = len(posts) - POSTS_NAMED
    if more > 0:
        text += "; " + ngettext("and %(n)d more role", "and %(n)d more roles", more) % {"n": more}
    return text


def whole_percentages(amounts: list[Decimal]) -> list[int]:
    """Each amount's share of their total in whole percentages that add up to exactly 100
    (all 0 when the total is 0). Rounding each share on its own can make 98 or 102; here
    each is rounded down and the points left go one each to the largest remainders, the
    earlier amount first on a tie (the largest remainder method)."""
    total = sum(amounts, Decimal(0))
    if not total:
        return [0] * len(amounts)
    exact = [amount * 100 / total for amount in amounts]
    shares = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda at: exact[at] - shares[at], reverse=True)
    for at in by_remainder[: 100 - sum(shares)]:
        shares[at] += 1
    return shares


def plan_mix(area: Area, posts: list[Post], roles: list[RoleChoice]) -> Plan:
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
    shares = [levels[number] for number in sorted(levels)]
    for share, percent in zip(shares, whole_percentages([s.wte for s in shares]), strict=True):
        share.percent = percent
    return Plan(
        area=area,
        posts=posts,
        levels=shares,
        needs=needs,
    )
