"""The pages that read several apps at once: the overview, search, a role (with its
moves), a competence and a standard (with the roles that need them).

Their addresses are the ones in the page map; only the code moved here, so that
``competences``, ``roles`` and ``pathways`` never need to import each other upwards.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from competences import selectors as competence_selectors
from competences.models import Competence, Standard
from framework_site.canonical import redirect_to_canonical
from pathways.diagram import draw_role_moves
from pathways.selectors import role_moves_compared
from roles import selectors as role_selectors
from roles.models import ROLE_LEVELS, RoleProfile

from . import changes as change_log
from . import selectors
from .forms import ChangeDayForm, ChangeLogForm
from .search import KINDS, PAGE_SIZE, clean_query, search_framework


def home(request):
    levels = [
        level for level in role_selectors.levels_with_role_counts() if level.number in ROLE_LEVELS
    ]
    return render(
        request,
        "roles/home.html",
        {
            "areas": role_selectors.areas_with_role_counts(),
            "levels": sorted(levels, key=lambda level: -level.number),
            "sections": competence_selectors.sections_with_statement_counts(),
            "role_count": RoleProfile.objects.count(),
            "standard_count": Standard.objects.count(),
        },
    )


def role_detail(request, slug):
    role = (
        RoleProfile.objects.select_related("level").prefetch_related("areas").filter(slug=slug)
    ).first()
    if role is None:
        return redirect_to_canonical(request, RoleProfile.objects.all(), slug=slug, code=slug)
    areas = list(role.areas.all())
    # Read only when the page's body is rendered, not when it comes from the content cache.
    sections = SimpleLazyObject(lambda: role_selectors.role_requirements_by_section(role))
    moves = SimpleLazyObject(lambda: role_moves_compared(role))
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
            "moves_diagram": SimpleLazyObject(lambda: draw_role_moves(role, moves)),
        },
    )


def _requirement_totals(sections) -> dict[str, int]:
    essential = sum(group.essential_count for group in sections)
    total = sum(len(group.requirements) for group in sections)
    return {"all": total, "essential": essential, "desirable": total - essential}


def competence_detail(request, code):
    node = Competence.objects.filter(code=code).first()
    if node is None:
        return redirect_to_canonical(request, Competence.objects.all(), code=code)
    subtree = competence_selectors.competence_subtree(node)
    trail = [(_("Competences"), reverse("competences:section-list"))] + [
        (ancestor.title, ancestor.get_absolute_url()) for ancestor in node.get_ancestors()
    ]
    return render(
        request,
        "competences/competence_detail.html",
        {
            "node": subtree,
            "trail": trail,
            "standards": list(node.standards.all()),
            "requirements": selectors.requirements_for(node),
            "learning": list(node.learning_opportunities.all()) if node.is_statement else [],
        },
    )


def standard_detail(request, code):
    standard = Standard.objects.filter(reference=code).first()
    if standard is None:
        return redirect_to_canonical(request, Standard.objects.all(), reference=code, code=code)
    return render(
        request,
        "competences/standard_detail.html",
        {
            "standard": standard,
            "competences": competence_selectors.competences_using(standard),
            "roles": selectors.roles_using(standard),
            "trail": [(_("Standards"), reverse("competences:standard-list"))],
        },
    )


def search(request):
    query = clean_query(request.GET.get("q"))
    kind = request.GET.get("kind", "")
    if kind not in dict(KINDS):
        kind = ""
    outcome = search_framework(query, kind or None) if query else None
    results, page = [], None
    if outcome and outcome.results:
        paginator = Paginator(outcome.results, PAGE_SIZE)
        number = request.GET.get("page", "1")
        if not number.isdigit() or int(number) < 1:
            number = 1
        if int(number) > paginator.num_pages:
            raise Http404(_("There is no page %(number)s of these results.") % {"number": number})
        page = paginator.page(number)
        results = page.object_list
    pages = _page_links(page, query, kind) if page and page.paginator.num_pages > 1 else []
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
            "all_kinds_link": _search_href(query, ""),
            "searched": "q" in request.GET,
            "trail": [],
        },
    )


def _search_href(query: str, kind: str, page: int = 1) -> str:
    params = {"q": query}
    if kind:
        params["kind"] = kind
    if page > 1:
        params["page"] = page
    return "?" + urlencode(params)


def _page_links(page, query: str, kind: str) -> list[dict]:
    """Numbered page links in the NHS.UK pagination pattern, long runs elided."""
    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append({"ellipsis": True})
        else:
            links.append(
                {
                    "number": number,
                    "href": _search_href(query, kind, number),
                    "current": number == page.number,
                }
            )
    return links


def changes(request):
    """What has changed: the newest days of published changes, in plain words."""
    form = ChangeLogForm(request.GET)
    # A date that does not parse is ignored: the newest changes are shown instead.
    before = form.cleaned_data["before"] if form.is_valid() else None
    page = change_log.change_days(before=before)
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
        },
    )


def changes_on_day(request, day):
    """Every change made on one day, a page of changed items at a time."""
    form = ChangeDayForm(request.GET)
    number = (form.cleaned_data["page"] if form.is_valid() else None) or 1
    page = change_log.change_day(day, page=number)
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
