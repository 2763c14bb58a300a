"""Search across role profiles, competences and standards.

On PostgreSQL this is full-text search: weighted vectors (titles and codes weigh most)
matched against a web-style query, using the GIN expression indexes the
``*_search_index`` migrations create. SQLite has no full-text search here, so it falls
back to matching every word somewhere in the same fields. Either way, results whose
code or title match come before results that match only in the body text.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competences.fulltext import (
    COMPETENCE_FIELDS,
    ROLE_FIELDS,
    SEARCH_CONFIG,
    STANDARD_FIELDS,
    search_vector,
)
from competences.models import Competence, Kind, Standard
from roles.models import RoleProfile

MAX_QUERY_LENGTH = 200
PAGE_SIZE = 20

# The kinds of result a search can be narrowed to: (key, plural label).
KINDS = (
    ("roles", _("Role profiles")),
    ("competences", _("Competences")),
    ("standards", _("Standards")),
)
BAND_WORDS = re.compile(r"\b(?:agenda for change\s+)?band\s+(\d[a-d]?)\b", re.IGNORECASE)
# Agenda for Change bands in order, so that a range such as "7-8a" can be expanded.
BAND_ORDER = ["1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]


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


@dataclass
class SearchOutcome:
    """Every result in ranking order (narrowed to one kind when asked), and how many
    results each kind has, so the page can offer the narrowing with true totals."""

    results: list[SearchResult]
    kind_counts: dict[str, int]
    band: str = ""

    @property
    def total(self) -> int:
        return sum(self.kind_counts.values())


def bands_in(indicative_band: str) -> set[str]:
    """The bands a range such as "5-6" or "7-8a" covers."""
    parts = [part.strip().lower() for part in indicative_band.split("-") if part.strip()]
    known = [part for part in parts if part in BAND_ORDER]
    if not known:
        return set()
    first, last = BAND_ORDER.index(known[0]), BAND_ORDER.index(known[-1])
    return set(BAND_ORDER[min(first, last) : max(first, last) + 1])


def clean_query(raw: str | None) -> str:
    """The query with control characters removed, spaces folded and length capped."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def _words(query: str) -> list[str]:
    return [
        word for word in re.findall(r"[\w.\-&]+", query.lower()) if len(word) > 1 or word.isdigit()
    ]


def _title_match(query: str, *texts: str) -> bool:
    haystack = " ".join(texts).lower()
    words = _words(query)
    return bool(words) and all(word in haystack for word in words)


def _matching(queryset, fields: tuple[tuple[str, ...], tuple[str, ...]], query: str):
    """Rows matching the query, each with ``rank`` (0 on SQLite)."""
    title_fields, body_fields = fields
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        vector = search_vector(fields)
        code_hit = Q(code__iexact=query)
        # alias(), not annotate(): the vector is only filtered on, never sent back.
        return (
            queryset.alias(document=vector)
            .filter(Q(document=search) | code_hit)
            .annotate(rank=SearchRank(vector, search))
            .order_by("-rank")
        )
    words = _words(query)
    if not words:
        return queryset.none()
    condition = Q()
    for word in words:
        any_field = Q()
        for name in title_fields + body_fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return queryset.filter(condition)


@contextmanager
def _planned_on_indexes():
    """On PostgreSQL, run the block in a transaction whose plans prefer the search indexes.

    The planner prices to_tsvector() far below what it costs, so on tables of a few
    hundred rows it re-parses every row's text (about 12 ms a table on the seed content)
    rather than read the GIN and code indexes (under 1 ms). SET LOCAL ends with this
    transaction, so no other query on the reused connection is affected.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def search_framework(raw_query: str, kind: str | None = None) -> SearchOutcome:
    """Roles, competences and standards matching the query, best first.

    An exact code comes first, then an exact title, then titles holding every word, then
    the rest by relevance. "band 6" finds the roles whose indicative Agenda for Change
    band covers band 6, beside anything the rest of the query matches.
    """
    query = clean_query(raw_query)
    band_match = BAND_WORDS.search(query)
    band = band_match.group(1).lower() if band_match else ""
    text_query = " ".join(BAND_WORDS.sub(" ", query).split()) if band else query
    results: list[SearchResult] = []
    if band:
        results += _roles_at_band(band)
    if _words(text_query):
        with _planned_on_indexes():
            seen = {hit.url for hit in results}
            results += [hit for hit in _search(text_query) if hit.url not in seen]
    elif not band:
        return SearchOutcome([], {key: 0 for key, _label in KINDS})
    exact = text_query.lower()
    results.sort(
        key=lambda hit: (
            hit.code.lower() != exact,
            not hit.exact_title,
            not hit.title_match,
            -hit.rank,
            hit.title,
        )
    )
    counts = {key: sum(1 for hit in results if hit.group == key) for key, _label in KINDS}
    if kind in counts:
        results = [hit for hit in results if hit.group == kind]
    return SearchOutcome(results, counts, band)


def _role_result(role: RoleProfile, query: str) -> SearchResult:
    areas = ", ".join(area.name for area in role.areas.all())
    return SearchResult(
        kind=_("Role profile"),
        title=role.title,
        code=role.code,
        url=role.get_absolute_url(),
        context=f"{role.level} · {areas}",
        title_match=_title_match(query, role.title, role.code, role.typical_job_titles),
        rank=getattr(role, "rank", 0.0),
        group="roles",
        exact_title=role.title.lower() == query.lower(),
    )


def _roles_at_band(band: str) -> list[SearchResult]:
    """Roles whose indicative band covers ``band``, as title matches."""
    roles = RoleProfile.objects.select_related("level").prefetch_related("areas")
    hits = []
    for role in roles:
        if band in bands_in(role.band):
            hit = _role_result(role, "")
            hit.title_match = True
            hit.context = f"{hit.context} · " + _("indicative band %(band)s") % {"band": role.band}
            hits.append(hit)
    return hits


def _search(query: str) -> list[SearchResult]:
    """Every hit among roles, competences and standards, unsorted."""
    # Where each competence sits comes from one small read of the branches rather than a
    # join, so PostgreSQL answers the full-text match from its index alone.
    rows = Competence.objects.exclude(kind=Kind.STATEMENT).values_list(
        "pk", "parent_id", "title", "tree_id"
    )
    branches = {pk: (parent_id, title) for pk, parent_id, title, _tree in rows}
    section_titles = {tree: title for _pk, parent_id, title, tree in rows if parent_id is None}
    results = []
    roles = _matching(
        RoleProfile.objects.select_related("level").prefetch_related("areas"), ROLE_FIELDS, query
    )
    for role in roles:
        results.append(_role_result(role, query))
    competences = _matching(Competence.objects.all(), COMPETENCE_FIELDS, query)
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
                title_match=_title_match(query, node.code, node.title),
                rank=getattr(node, "rank", 0.0),
                group="competences",
                exact_title=node.title.lower() == query.lower(),
            )
        )
    for standard in _matching(Standard.objects.all(), STANDARD_FIELDS, query):
        results.append(
            SearchResult(
                kind=_("National Occupational Standard"),
                title=standard.title,
                code=standard.code,
                url=standard.get_absolute_url(),
                context=standard.suite,
                title_match=_title_match(query, standard.code, standard.title),
                rank=getattr(standard, "rank", 0.0),
                group="standards",
                exact_title=standard.title.lower() == query.lower(),
            )
        )
    return results
