"""The front of the site (overview, about, accessibility, search) and the role pages."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from competences.models import Standard
from framework_site.canonical import permanent_redirect, redirect_to_canonical
from pathways.diagram import draw_role_moves
from pathways.selectors import role_moves_compared

from . import selectors
from .models import Area, Level, RoleProfile
from .proficiency import depths
from .search import KINDS, PAGE_SIZE, clean_query, search_framework

ROLE_LEVELS = range(2, 9)


def home(request):
    levels = [level for level in selectors.levels_with_role_counts() if level.number in ROLE_LEVELS]
    return render(
        request,
        "roles/home.html",
        {
            "areas": selectors.areas_with_role_counts(),
            "levels": sorted(levels, key=lambda level: -level.number),
            "sections": selectors.sections_with_statement_counts(),
            "role_count": RoleProfile.objects.count(),
            "standard_count": Standard.objects.count(),
        },
    )


def area_detail(request, slug):
    area = Area.objects.filter(slug=slug).first()
    if area is None:
        return redirect_to_canonical(request, Area.objects.all(), slug=slug)
    roles = selectors.roles_for_listing().filter(areas=area)
    return render(
        request,
        "roles/area_detail.html",
        {"area": area, "levels": selectors.roles_grouped_by_level(roles), "trail": []},
    )


def level_detail(request, number):
    level = get_object_or_404(Level, number=number)
    if request.path != level.get_absolute_url():  # /levels/05/ is level 5
        return permanent_redirect(request, level.get_absolute_url())
    neighbours = {
        other.number: other for other in Level.objects.filter(number__in=[number - 1, number + 1])
    }
    return render(
        request,
        "roles/level_detail.html",
        {
            "level": level,
            "roles": selectors.roles_for_listing().filter(level=level),
            "previous_level": neighbours.get(number - 1),
            "next_level": neighbours.get(number + 1),
            "trail": [],
        },
    )


def role_list(request):
    roles = selectors.roles_for_listing()
    areas = list(Area.objects.all())
    levels = list(Level.objects.filter(number__in=ROLE_LEVELS))
    chosen_area = request.GET.get("area", "")
    chosen_level = request.GET.get("level", "")
    lived = request.GET.get("lived") == "yes"
    problems = []
    if chosen_area:
        if chosen_area in {area.slug for area in areas}:
            roles = roles.filter(areas__slug=chosen_area)
        else:
            problems.append(_("There is no service area called “%s”.") % chosen_area[:60])
    if chosen_level:
        if chosen_level in {str(level.number) for level in levels}:
            roles = roles.filter(level__number=int(chosen_level))
        else:
            problems.append(_("Choose a level from 2 to 8."))
    if lived:
        roles = roles.with_lived_experience_route()
    roles = list(roles)
    return render(
        request,
        "roles/role_list.html",
        {
            "groups": selectors.roles_grouped_by_level(roles),
            "role_count": len(roles),
            "areas": areas,
            "levels": levels,
            "chosen_area": chosen_area,
            "chosen_level": chosen_level,
            "lived": lived,
            "problems": problems,
            "filtered": bool(chosen_area or chosen_level or lived),
            "trail": [],
        },
        status=400 if problems else 200,
    )


def role_detail(request, slug):
    role = (
        RoleProfile.objects.select_related("level").prefetch_related("areas").filter(slug=slug)
    ).first()
    if role is None:
        return redirect_to_canonical(request, RoleProfile.objects.all(), slug=slug, code=slug)
    areas = list(role.areas.all())
    moves = role_moves_compared(role)
    sections = selectors.role_requirements_by_section(role)
    essential = sum(group.essential_count for group in sections)
    total = sum(len(group.requirements) for group in sections)
    return render(
        request,
        "roles/role_detail.html",
        {
            "role": role,
            "areas": areas,
            "trail": [(area.name, area.get_absolute_url()) for area in areas[:1]],
            "sections": sections,
            "totals": {"all": total, "essential": essential, "desirable": total - essential},
            "moves": moves,
            "moves_diagram": draw_role_moves(role, moves),
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


def about(request):
    return render(request, "pages/about.html", {"trail": []})


def accessibility(request):
    return render(request, "pages/accessibility.html", {"trail": []})


def proficiency(request):
    return render(request, "pages/proficiency.html", {"depths": depths(), "trail": []})
