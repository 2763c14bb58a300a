"""The pages that read several apps at once: the overview, search, a role (with its
moves), a competence and a standard (with the roles that need them), the change log,
and what search engines read about the whole site (the sitemap and the robots file).

Their addresses are the ones in the page map; only the code moved here, so that
``competences``, ``roles`` and ``pathways`` never need to import each other upwards.
"""

from urllib.parse import urlencode

from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from competences import selectors as competence_selectors
from competences.models import Competence, Standard
from competences.structured_data import competence_data, standard_data
from core import content_cache
from core.addresses import public_address
from core.canonical import redirect_to_canonical
from core.pagination import page_of, pagination, requested_page_number
from core.public import public_page
from pathways.diagram import draw_role_moves
from pathways.moves import role_moves_shown
from pathways.ways_in import role_way_in
from roles import selectors as role_selectors
from roles.models import ROLE_LEVELS, RoleProfile
from roles.structured_data import role_data

from . import changes as change_log
from . import robots, selectors, sitemaps
from .forms import ChangeDayForm, ChangeLogForm
from .search import KINDS, MOST_PAGES, MOST_RESULTS, PAGE_SIZE, clean_query, search_framework

# The overview names this many competence sections (the published framework has 16) and
# links to the list of them all, so it stays small however many there are.
OVERVIEW_SECTIONS = 20
# A role page shows this many of the role's moves of each kind (the closest first) and
# links to the career map for the rest, so it stays the same size as the framework grows.
ROLE_MOVES_SHOWN = 8


@public_page
def home(request):
    # Everything here is read only when the page's body is rendered, not when it comes
    # from the content cache.
    return render(
        request,
        "roles/home.html",
        {
            "areas": SimpleLazyObject(lambda: list(role_selectors.areas_with_role_counts())),
            "levels": SimpleLazyObject(_levels_highest_first),
            # One section more than are shown says whether to link to the list of them all.
            "sections": SimpleLazyObject(
                lambda: competence_selectors.sections_with_statement_counts(OVERVIEW_SECTIONS + 1)
            ),
            "sections_shown": OVERVIEW_SECTIONS,
            "role_count": SimpleLazyObject(RoleProfile.objects.count),
            "standard_count": SimpleLazyObject(Standard.objects.count),
        },
    )


def _levels_highest_first():
    levels = role_selectors.levels_with_role_counts().filter(number__in=ROLE_LEVELS)
    return sorted(levels, key=lambda level: -level.number)


@public_page
def role_detail(request, slug):
    role = role_selectors.role_by_slug(slug)
    if role is None:
        return redirect_to_canonical(request, RoleProfile.objects.all(), slug=slug, code=slug)
    areas = list(role.areas.all())
    # Read only when the page's body is rendered, not when it comes from the content cache.
    sections = SimpleLazyObject(lambda: role_selectors.role_requirements_by_section(role))
    moves = SimpleLazyObject(lambda: role_moves_shown(role, ROLE_MOVES_SHOWN))
    return render(
        request,
        "roles/role_detail.html",
        {
            "role": role,
            "areas": areas,
            "trail": [(area.name, area.get_absolute_url()) for area in areas[:1]],
            "sections": sections,
            "totals": SimpleLazyObject(lambda: _requirement_totals(sections)),
            "moves": moves,
            "way_in": SimpleLazyObject(lambda: role_way_in(role, areas)),
            # Drawn only when the list beside it holds every move.
            "moves_diagram": SimpleLazyObject(
                lambda: draw_role_moves(role, moves) if moves.complete else None
            ),
            "all_moves_url": f"{reverse('pathways:map')}?{urlencode({'from': role.slug})}",
            # From the requirements the body shows, read once for both.
            "structured_data": lambda: role_data(role, sections),
        },
    )


def _requirement_totals(sections) -> dict[str, int]:
    essential = sum(group.essential_count for group in sections)
    total = sum(len(group.requirements) for group in sections)
    return {"all": total, "essential": essential, "desirable": total - essential}


@public_page
def competence_detail(request, code):
    node = content_cache.get_or_set(
        "competence", (code,), lambda: Competence.objects.filter(code=code).first()
    )
    if node is None:
        return redirect_to_canonical(request, Competence.objects.all(), code=code)
    # Read only when the page renders them, not when its parts come from the content cache.
    learning = SimpleLazyObject(
        lambda: list(node.learning_opportunities.all()) if node.is_statement else []
    )
    return render(
        request,
        "competences/competence_detail.html",
        {
            "node": node,
            "subtree": SimpleLazyObject(lambda: competence_selectors.competence_subtree(node)),
            "trail": SimpleLazyObject(lambda: _competence_trail(node)),
            "standards": SimpleLazyObject(lambda: list(node.standards.all())),
            "requirements": SimpleLazyObject(lambda: selectors.requirements_for(node)),
            "learning": learning,
            # From the learning the body shows, read once for both.
            "structured_data": lambda: competence_data(node, learning),
        },
    )


def _competence_trail(node) -> list[tuple[str, str]]:
    return [(_("Competences"), reverse("competences:section-list"))] + [
        (ancestor.title, ancestor.get_absolute_url()) for ancestor in node.get_ancestors()
    ]


@public_page
def standard_detail(request, code):
    standard = content_cache.get_or_set(
        "standard", (code,), lambda: Standard.objects.filter(reference=code).first()
    )
    if standard is None:
        return redirect_to_canonical(request, Standard.objects.all(), reference=code, code=code)
    # Read only when the page renders them, not when its body comes from the content cache.
    return render(
        request,
        "competences/standard_detail.html",
        {
            "standard": standard,
            "competences": SimpleLazyObject(
                lambda: competence_selectors.competences_using(standard)
            ),
            "roles": SimpleLazyObject(lambda: selectors.roles_using(standard)),
            "trail": [(_("Standards"), reverse("competences:standard-list"))],
            "structured_data": lambda: standard_data(standard),
        },
    )


@public_page(query=("q", "kind", "page"))
def search(request):
    query = clean_query(request.GET.get("q"))
    kind = request.GET.get("kind", "")
    if kind not in dict(KINDS):
        kind = ""
    # Only the results up to the end of the page asked for are ranked and read.
    best = min(requested_page_number(request), MOST_PAGES) * PAGE_SIZE
    # The outcome depends only on the content and the search, like the page the page
    # cache keeps for the same address; kept here too, so it serves with that cache off.
    outcome = (
        content_cache.get_or_set(
            "search", (query, kind, best), lambda: search_framework(query, kind or None, best=best)
        )
        if query
        else None
    )
    results, page, pages = [], None, None
    if outcome:
        # Pages past the best MOST_RESULTS are not offered; the page says so.
        offered = min(outcome.count_of(kind or None), MOST_RESULTS)
        page = page_of(request, outcome.results, PAGE_SIZE, count=offered)
        results = page.object_list
        pages = pagination(page, request.path, {"q": query, "kind": kind})
    return render(
        request,
        "roles/search.html",
        {
            "search_query": query,
            "kind": kind,
            "kinds": [
                {
                    "key": key,
                    "label": label,
                    "count": outcome.kind_counts[key] if outcome else 0,
                    "href": _search_href(query, key),
                }
                for key, label in KINDS
            ],
            "outcome": outcome,
            "results": results,
            "page": page,
            "pages": pages,
            "shown_count": outcome.count_of(kind or None) if outcome else 0,
            "capped": bool(outcome) and outcome.count_of(kind or None) > MOST_RESULTS,
            "most_results": MOST_RESULTS,
            "all_kinds_link": _search_href(query, ""),
            "searched": "q" in request.GET,
            "trail": [],
            # A tool: the words searched for are the page, so no address stands for it.
            "canonical_address": None,
        },
    )


def _search_href(query: str, kind: str) -> str:
    return "?" + urlencode({"q": query} | ({"kind": kind} if kind else {}))


@public_page(query=("before",))
def changes(request):
    """What has changed: the newest days of published changes, in plain words."""
    form = ChangeLogForm(request.GET)
    # A date that does not parse is ignored: the newest changes are shown instead.
    before = form.cleaned_data["before"] if form.is_valid() else None
    # Worked out from the history tables, which change only with the content.
    page = content_cache.get_or_set(
        "change-days",
        (before.isoformat() if before else "",),
        lambda: change_log.change_days(before=before),
    )
    canonical = public_address(reverse("framework:changes"))
    if before is not None:
        # An older page of the log is picked by its day, as other lists' pages by number.
        canonical += "?" + urlencode({"before": before.isoformat()})
    older_url = ""
    if page.older_than:
        older_url = (
            reverse("framework:changes") + "?" + urlencode({"before": page.older_than.isoformat()})
        )
    return render(
        request,
        "framework/changes.html",
        {
            "page": page,
            "lines_per_day": change_log.LINES_PER_DAY,
            "older_url": older_url,
            "is_older_page": before is not None,
            "trail": [],
            "canonical_address": canonical,
        },
    )


@public_page(query=("page",))
def changes_on_day(request, day):
    """Every change made on one day, a page of changed items at a time."""
    form = ChangeDayForm(request.GET)
    number = (form.cleaned_data["page"] if form.is_valid() else None) or 1
    page = content_cache.get_or_set(
        "change-day", (day.isoformat(), number), lambda: change_log.change_day(day, page=number)
    )
    if page is None:
        raise Http404(_("No changes were made on that day."))
    return render(
        request,
        "framework/change_day.html",
        {
            "page": page,
            "changed": page.day,
            "trail": [(_("What has changed"), reverse("framework:changes"))],
        },
    )


@public_page
def sitemap(request):
    """Every public page once, with the day it last changed (``sitemaps.py``)."""
    return sitemap_views.sitemap(request, sitemaps=sitemaps.SECTIONS)


@public_page
def robots_txt(request):
    """What search engines may crawl, and where the sitemap is (``robots.py``)."""
    return HttpResponse(robots.robots_txt(), content_type="text/plain; charset=utf-8")
