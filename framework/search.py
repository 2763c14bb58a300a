"""Search across role profiles, competences and standards.

On PostgreSQL this is full-text search: weighted vectors (titles and codes weigh most)
matched against a web-style query, using the GIN expression indexes the
``*_search_index`` migrations create. SQLite has no full-text search here, so it falls
back to matching every word somewhere in the same fields. Either way, results whose
code or title match come before results that match only in the body text. The database
counts, ranks and cuts the results, so however broad a search, a page reads only the
few rows it shows.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import Case, Count, FloatField, IntegerField, Q, Value, When, Window
from django.utils.translation import gettext_lazy as _

from competences.fulltext import (
    COMPETENCE_FIELDS,
    ROLE_FIELDS,
    SEARCH_CONFIG,
    STANDARD_FIELDS,
    search_vector,
)
from competences.models import Competence, Standard
from core.text import one_line
from roles.models import RoleProfile, bands_in

MAX_QUERY_LENGTH = 200
PAGE_SIZE = 20
# The deepest page of results offered. A search matching more than this many pages is
# too broad to read through: the page says how many matched and asks for another word,
# and no request ever ranks more than this many rows of each kind.
MOST_PAGES = 25
MOST_RESULTS = MOST_PAGES * PAGE_SIZE

# The kinds of result a search can be narrowed to: (key, plural label).
KINDS = (
    ("roles", _("Role profiles")),
    ("competences", _("Competences")),
    ("standards", _("Standards")),
)
BAND_WORDS = re.compile(r"\b(?:agenda for change\s+)?band\s+(\d[a-d]?)\b", re.IGNORECASE)
# Agenda for Change bands in order, so that a range such as "7-8a" can be expanded.


@dataclass
class SearchResult:
    """One hit: what it is, where it sits in the framework, and where to find it."""

    kind: str
    title: str
    code: str
    url: str
    context: str
    title_match: bool
    rank: float = 0.0
    group: str = ""
    exact_title: bool = False
    code_hit: bool = False


@dataclass
class SearchOutcome:
    """The best results in ranking order (narrowed to one kind when asked), and how many
    results each kind has in all, so the page can offer the narrowing with true totals."""

    results: list[SearchResult]
    kind_counts: dict[str, int]
    band: str = ""

    @property
    def total(self) -> int:
        return sum(self.kind_counts.values())

    def count_of(self, kind: str | None) -> int:
        """How many results there are of ``kind`` (of every kind when None)."""
        return self.kind_counts[kind] if kind else self.total


def clean_query(raw: str | None) -> str:
    """The query with control characters removed, spaces folded and length capped."""
    return one_line(raw or "", limit=MAX_QUERY_LENGTH)


def _words(query: str) -> list[str]:
    return [
        word for word in re.findall(r"[\w.\-&]+", query.lower()) if len(word) > 1 or word.isdigit()
    ]


def _words_in(fields: tuple[str, ...], words: list[str]) -> Q:
    """Rows holding every word somewhere in ``fields``."""
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def _ranked(queryset, fields, query: str, *, also: Q | None = None):
    """Rows matching ``query`` or the condition ``also``, best first, in the database.

    The order is the search's ranking: an exact code, then an exact title, then a title
    (or code) holding every word, then relevance (PostgreSQL only), then title. Each
    ranked row carries ``code_hit``, ``title_exact``, ``title_hit`` and ``rank``. Rows
    matching ``also`` count as title matches.
    """
    title_fields, body_fields = fields
    words = _words(query)
    title_hit = _words_in(title_fields, words) if words else Q(pk__in=[])
    if also is not None:
        title_hit |= also
    if connection.vendor == "postgresql" and words:
        search = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        vector = search_vector(fields)
        # alias(), not annotate(): the vector is only filtered on, never sent back.
        matching = queryset.alias(document=vector).filter(
            Q(document=search) | Q(code__iexact=query) | (also or Q(pk__in=[]))
        )
        rank = SearchRank(vector, search)
    else:
        text = _words_in(title_fields + body_fields, words) if words else Q(pk__in=[])
        matching = queryset.filter(text | (also or Q(pk__in=[])))
        rank = Value(0.0, output_field=FloatField())

    def flag(condition: Q):
        return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())

    return matching.annotate(
        code_hit=flag(Q(code__iexact=query)) if query else Value(0),
        title_exact=flag(Q(title__iexact=query)) if query else Value(0),
        title_hit=flag(title_hit),
        rank=rank,
    ).order_by("-code_hit", "-title_exact", "-title_hit", "-rank", "title", "pk")


PLANNER_SETTINGS = ("SET LOCAL enable_seqscan = off", "SET LOCAL enable_indexscan = off")


@contextmanager
def _planned_on_indexes():
    """On PostgreSQL, run the block in a transaction whose plans prefer the search indexes.

    The planner prices to_tsvector() far below what it costs, so on tables of a few
    hundred rows it re-parses every row's text (about 12 ms a table on the seed content)
    rather than read the GIN and code indexes (under 1 ms). Turning off sequential scans
    alone is not enough: once the tables have been analysed, the planner walks a whole
    unrelated B-tree (a role's level, say) and re-parses every row just the same. With
    plain index scans off too, the only way left to a row is a bitmap scan, and the only
    conditions a bitmap scan can use are the search's own. SET LOCAL ends with this
    transaction, so no other query on the reused connection is affected.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in PLANNER_SETTINGS:
            cursor.execute(setting)
        yield


def search_framework(raw_query: str, kind: str | None = None, *, best: int) -> SearchOutcome:
    """The ``best`` results for the query (narrowed to ``kind`` if given), best first,
    and how many results each kind has in all.

    An exact code comes first, then an exact title, then titles holding every word, then
    the rest by relevance. "band 6" finds the roles whose indicative Agenda for Change
    band covers band 6, beside anything the rest of the query matches. The database
    counts, ranks and cuts each kind's results, so a broad search never ranks every row
    in Python: at most ``best`` rows of each kind are read.
    """
    query = clean_query(raw_query)
    band_match = BAND_WORDS.search(query)
    band = band_match.group(1).lower() if band_match else ""
    text_query = " ".join(BAND_WORDS.sub(" ", query).split()) if band else query
    if not _words(text_query) and not band:
        return SearchOutcome([], {key: 0 for key, _label in KINDS})
    if not _words(text_query):
        text_query = ""
    with _planned_on_indexes():
        at_band = _roles_at_band(band) if band else None
        sources = [
            (
                "roles",
                _ranked(
                    RoleProfile.objects.select_related("level").prefetch_related("areas"),
                    ROLE_FIELDS,
                    text_query,
                    also=at_band,
                ),
                lambda rows: _role_results(rows, band),
            ),
            (
                "competences",
                _ranked(Competence.objects.all(), COMPETENCE_FIELDS, text_query),
                _competence_results,
            ),
            (
                "standards",
                _ranked(Standard.objects.all(), STANDARD_FIELDS, text_query),
                lambda rows: [_standard_result(row) for row in rows],
            ),
        ]
        counts, results = {}, []
        for key, ranked, to_results in sources:
            if key != "roles" and not text_query:
                counts[key] = 0  # a band alone finds only roles
            elif kind in (None, key):
                # Each row carries the number of matches, so one query both counts the
                # matches and reads the best of them.
                rows = list(ranked.annotate(matches=Window(Count("pk")))[:best])
                counts[key] = rows[0].matches if rows else 0
                results += to_results(rows)
            else:
                counts[key] = ranked.count()
    results.sort(
        key=lambda hit: (
            not hit.code_hit,
            not hit.exact_title,
            not hit.title_match,
            -hit.rank,
            hit.title,
        )
    )
    return SearchOutcome(results[:best], counts, band)


def _roles_at_band(band: str) -> Q:
    """Roles whose indicative band covers ``band``: their own band where set, else their
    level's. The few distinct band texts are read (one query) and matched here; the
    roles themselves are chosen by the database."""
    texts = set()
    for own, level in (
        RoleProfile.objects.order_by()
        .values_list("indicative_band", "level__indicative_band")
        .distinct()
    ):
        texts.update([own, level])
    covering = [text for text in texts if text and band in bands_in(text)]
    return Q(indicative_band__in=covering) | Q(
        indicative_band="", level__indicative_band__in=covering
    )


def _role_results(roles, band: str) -> list[SearchResult]:
    results = []
    for role in roles:
        areas = ", ".join(area.name for area in role.areas.all())
        context = f"{role.level} · {areas}"
        if band and band in bands_in(role.band):
            context += " · " + _("indicative band %(band)s") % {"band": role.band}
        results.append(
            SearchResult(
                kind=_("Role profile"),
                title=role.title,
                code=role.code,
                url=role.get_absolute_url(),
                context=context,
                title_match=bool(role.title_hit),
                rank=role.rank,
                group="roles",
                exact_title=bool(role.title_exact),
                code_hit=bool(role.code_hit),
            )
        )
    return results


def _competence_results(competences) -> list[SearchResult]:
    """Results for ``competences``, each placed under its section (and subsection)."""
    competences = list(competences)
    # Where each competence sits comes from one small read of the parents and sections
    # of these rows rather than a join, so PostgreSQL answers the full-text match from
    # its index alone.
    wanted = Q(pk__in={node.parent_id for node in competences if node.parent_id}) | Q(
        tree_id__in={node.tree_id for node in competences}, parent__isnull=True
    )
    rows = Competence.objects.filter(wanted).values_list("pk", "parent_id", "title", "tree_id")
    branches = {pk: (parent_id, title) for pk, parent_id, title, _tree in rows}
    section_titles = {tree: title for _pk, parent_id, title, tree in rows if parent_id is None}
    results = []
    for node in competences:
        where = [section_titles[node.tree_id]] if node.parent_id else []
        parent = branches.get(node.parent_id)
        if parent and parent[0]:
            where.append(parent[1])
        results.append(
            SearchResult(
                kind=node.get_kind_display(),
                title=node.title,
                code=node.code,
                url=node.get_absolute_url(),
                context=" › ".join(where) or _("Competence section"),
                title_match=bool(node.title_hit),
                rank=node.rank,
                group="competences",
                exact_title=bool(node.title_exact),
                code_hit=bool(node.code_hit),
            )
        )
    return results


def _standard_result(standard: Standard) -> SearchResult:
    return SearchResult(
        kind=_("National Occupational Standard"),
        title=standard.title,
        code=standard.code,
        url=standard.get_absolute_url(),
        context=standard.suite,
        title_match=bool(standard.title_hit),
        rank=standard.rank,
        group="standards",
        exact_title=bool(standard.title_exact),
        code_hit=bool(standard.code_hit),
    )
