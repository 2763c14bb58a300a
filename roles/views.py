"""Area, level and role list pages, and the About, accessibility and proficiency pages.

The overview, search and a single role's page read other apps too; they live in
``framework``.
"""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core import content_cache
from core.canonical import permanent_redirect, redirect_to_canonical
from core.pagination import page_of, pagination
from core.public import public_page

from . import selectors
from .listing import role_page
from .models import ROLE_LEVELS, Area, Level
from .proficiency import depths

# Role profiles per page of the role list, an area's roles and a level's roles: enough
# to hold the published framework's 21 roles on one page, and a fixed page size so that
# each page stays the same size however many roles there are.
ROLES_PER_PAGE = 50


@public_page(query=("page",))
def area_detail(request, slug):
    area = selectors.area_by_slug(slug)
    if area is None:
        return redirect_to_canonical(request, Area.objects.all(), slug=slug)
    roles = selectors.roles_for_listing().filter(areas=area)
    page, shown, summary = role_page(request, roles, {"area": area.slug}, per_page=ROLES_PER_PAGE)
    return render(
        request,
        "roles/area_detail.html",
        {
            "area": area,
            "levels": selectors.roles_grouped_by_level(shown),
            "pages": pagination(page, request.path, fragment="roles"),
            # Counted whatever the length, so the page's queries never depend on the data.
            "level_summary": summary,
            "trail": [],
        },
    )


@public_page(query=("page",))
def level_detail(request, number):
    level = get_object_or_404(Level, number=number)
    if request.path != level.get_absolute_url():  # /levels/05/ is level 5
        return permanent_redirect(request, level.get_absolute_url())
    neighbours = {
        other.number: other for other in Level.objects.filter(number__in=[number - 1, number + 1])
    }
    roles = selectors.with_depth_spread(
        selectors.roles_for_listing().filter(level=level).order_by("title", "pk")
    )
    page = page_of(request, roles, ROLES_PER_PAGE)
    scale = depths()
    return render(
        request,
        "roles/level_detail.html",
        {
            "level": level,
            "roles": page.object_list,
            "depths": scale,
            "spread": [
                {
                    "role": role,
                    "essential_share": round(100 * role.essential_count / role.requirement_count)
                    if role.requirement_count
                    else 0,
                    "counts": [(depth, getattr(role, f"depth_{depth.value}")) for depth in scale],
                }
                for role in page.object_list
            ],
            "pages": pagination(page, request.path, fragment="roles"),
            "previous_level": neighbours.get(number - 1),
            "next_level": neighbours.get(number + 1),
            "trail": [],
        },
    )


@public_page(query=("area", "level", "lived", "page"))
def role_list(request):
    roles = selectors.roles_for_listing()
    areas = selectors.areas_in_order()
    levels = content_cache.get_or_set(
        "role-levels", (), lambda: list(Level.objects.filter(number__in=ROLE_LEVELS))
    )
    chosen_area = request.GET.get("area", "")
    chosen_level = request.GET.get("level", "")
    lived = request.GET.get("lived") == "yes"
    problems = []
    # The filters every page link and summary link keeps: only the ones that worked.
    kept = {"lived": "yes" if lived else ""}
    if chosen_area:
        if chosen_area in {area.slug for area in areas}:
            roles = roles.in_area(chosen_area)
            kept["area"] = chosen_area
        else:
            problems.append(_("There is no service area called “%s”.") % chosen_area[:60])
    if chosen_level:
        if chosen_level in {str(level.number) for level in levels}:
            roles = roles.at_level(int(chosen_level))
            kept["level"] = chosen_level
        else:
            problems.append(_("Choose a level from 2 to 8."))
    if lived:
        roles = roles.with_lived_experience_route()
    page, shown, summary = role_page(request, roles, kept, per_page=ROLES_PER_PAGE)
    return render(
        request,
        "roles/role_list.html",
        {
            "groups": selectors.roles_grouped_by_level(shown),
            "role_count": page.paginator.count,
            "pages": pagination(page, request.path, kept, fragment="roles"),
            # Counted whatever the length, so the page's queries never depend on the data.
            "level_summary": summary,
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


@public_page
def about(request):
    return render(request, "pages/about.html", {"trail": []})


@public_page
def accessibility(request):
    return render(request, "pages/accessibility.html", {"trail": []})


@public_page
def proficiency(request):
    return render(request, "pages/proficiency.html", {"depths": depths(), "trail": []})
