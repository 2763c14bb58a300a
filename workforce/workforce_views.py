"""The commissioners' pages: an area's workforce (roles by level and the section heat-map,
a page of roles at a time, with CSV and Excel of every role), the skill-mix planner
(with a Word annex and Excel) and the workforce questions for a procurement that a
planned mix gives (with Word and Excel).

The planner's mix travels in the page address (a GET form), so nothing anyone enters is
stored; its responses are kept out of caches and other sites' logs.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from core import content_cache, versioning
from core.addresses import public_address
from core.pagination import pagination
from core.privacy import private_page
from core.public import public_page
from core.spreadsheets import csv_response, workbook_response
from core.text import one_line
from pathways.forms import Problem, echo
from pathways.moves import moves_among
from roles.listing import role_page
from roles.models import Area, RoleProfile
from roles.selectors import area_by_slug, areas_in_order, roles_for_listing

from . import (
    procurement_downloads,
    procurement_questions,
    skill_mix,
    skill_mix_choice,
    skill_mix_downloads,
)
from .area_workforce import area_workforce, depth_labels, heat_map_list, workforce_sheets
from .chart import bar_chart
from .documents import docx_response

# --- Area workforce ----------------------------------------------------------------------


# Roles a page of the workforce view: its heat-map's columns. Enough for any published
# service on one page, and few enough to read across on a laptop.
ROLES_PER_PAGE = 10


@public_page(query=("page",))
def area_workforce_page(request, slug):
    area = area_by_slug(slug)
    if area is None:
        raise Http404(_("There is no service area with that address."))
    page, shown, by_level = role_page(
        request,
        roles_for_listing().filter(areas=area),
        {"area": area.slug},
        per_page=ROLES_PER_PAGE,
    )
    return render(
        request,
        "workforce/workforce.html",
        {
            "area": area,
            "role_count": page.paginator.count,
            "level_summary": by_level,
            "pages": pagination(page, request.path, fragment="roles-by-level"),
            # Read only when the page's body is rendered, not when it comes from the
            # content cache.
            "workforce": SimpleLazyObject(lambda: area_workforce(area, list(shown))),
            "depths": depth_labels(),
            "planner_url": reverse("workforce:skill-mix") + "?" + urlencode({"area": area.slug}),
            "trail": [(area.name, area.get_absolute_url())],
        },
    )


@public_page
def area_workforce_csv(request, slug):
    area = get_object_or_404(Area, slug=slug)
    heat_map = heat_map_list(area_workforce(area))
    # A CSV file has nowhere else to say which version of the framework it shows.
    version = versioning.current().number
    return csv_response(heat_map, f"{area.slug}-workforce-framework-version-{version}.csv")


@public_page
def area_workforce_xlsx(request, slug):
    area = get_object_or_404(Area, slug=slug)
    page = public_address(reverse("workforce:area-workforce", args=[area.slug]))
    return workbook_response(
        workforce_sheets(area_workforce(area)),
        f"{area.slug}-workforce.xlsx",
        address=page,
    )


# --- Skill-mix planner -------------------------------------------------------------------


def _read_plan(request):
    """(areas, area or None, mix or None, problems) from the address; never raises."""
    areas = areas_in_order()
    slug = request.GET.get("area", "")
    if not slug:
        return areas, None, None, []
    area = next((item for item in areas if item.slug == slug), None)
    if area is None:
        shown = echo(one_line(slug))
        message = _("There is no service area called “%(slug)s”. Choose one from the list.")
        return areas, None, None, [Problem(message % {"slug": shown}, "skill-mix-area")]
    roles = skill_mix_choice.area_roles(area)
    choice = skill_mix_choice.read_mix(request.GET, roles)
    return areas, area, (choice, roles), choice.problems


# ``?show=covered`` lists the covered competences; ``?others=N`` shows the Nth page of
# the roles that can be added to the mix.
SHOW, COVERED = "show", "covered"
OTHERS = "others"


@private_page(public=("area", SHOW))
def skill_mix_page(request):
    """The planner. Its starting mix (an address naming only the service) is the same for
    everyone: that page is public, and its results are kept per content generation, so
    the plan is worked out lazily, only when the results are rendered."""
    areas, area, read, problems = _read_plan(request)
    context = {"areas": areas, "area": area, "problems": problems}
    if area is not None:
        choice, roles = read
        plan = SimpleLazyObject(lambda: skill_mix.plan_mix(area, choice.posts, roles))
        query = urlencode([("area", area.slug), *choice.query])
        # The starting mix keeps its short address, so it stays the public page.
        page = (
            reverse("workforce:skill-mix")
            + "?"
            + (urlencode({"area": area.slug}) if choice.is_default else query)
        )
        context |= {
            "choice": choice,
            "others": _others_page(request, choice.others),
            "mix_most": skill_mix_choice.MIX_MOST,
            # The covered competences are counted by depth on the page, and listed one by
            # one only when asked for: for a large service the list is most of the page.
            "show_covered": request.GET.get(SHOW) == COVERED,
            "covered_url": f"{page}&{SHOW}={COVERED}#covered",
            "hide_covered_url": f"{page}#covered",
            "plan": plan,
            "summary": SimpleLazyObject(lambda: skill_mix_downloads.coverage_summary(plan)),
            "chart": SimpleLazyObject(lambda: _level_chart(plan)),
            "annex_url": reverse("workforce:skill-mix-docx") + "?" + query,
            "questions_url": reverse("workforce:skill-mix-questions")
            + "?"
            + (urlencode({"area": area.slug}) if choice.is_default else query),
            "workbook_url": reverse("workforce:skill-mix-xlsx") + "?" + query,
            "senior_levels": skill_mix_choice.SENIOR_LEVELS,
            "list_most": skill_mix.LIST_MOST,
            "trail": [(area.name, area.get_absolute_url())],
        }
    else:
        context["trail"] = []
    return render(
        request,
        "workforce/skill_mix.html",
        context,
        status=400 if problems else 200,
    )


def _others_page(request, others: list):
    """The page of the service's other roles that the form offers to add, chosen by the
    ``others`` button that sent it (the form's buttons keep what was typed). A page
    number that is not one shows the nearest page."""
    return Paginator(others, skill_mix_choice.OTHERS_PER_PAGE).get_page(request.GET.get(OTHERS))


def _level_chart(plan) -> str:
    return bar_chart(
        [(_("Level %(n)d") % {"n": share.level.number}, share.wte) for share in plan.levels],
        title=_("Whole-time equivalents at each level"),
        description=_("Bar chart; the table beside it gives the same numbers."),
        chart_id="level-mix",
    )


def _mix_address(view: str, area: Area, choice) -> str:
    """The address of ``view`` for the mix in ``choice``, every post named."""
    return reverse(view) + "?" + urlencode([("area", area.slug), *choice.query])


def _plan_or_404(request):
    """Downloads are offered only for a mix that was read without problems."""
    _areas, area, read, problems = _read_plan(request)
    if area is None or problems:
        raise Http404(_("Check the mix on the planner page before downloading it."))
    choice, roles = read
    return skill_mix.plan_mix(area, choice.posts, roles), choice


@private_page
def skill_mix_docx(request):
    plan, choice = _plan_or_404(request)
    page = _mix_address("workforce:skill-mix", plan.area, choice)
    document = skill_mix_downloads.annex_document(plan, public_address(page))
    return docx_response(document, f"{plan.area.slug}-workforce-annex.docx")


@private_page
def skill_mix_xlsx(request):
    plan, choice = _plan_or_404(request)
    page = _mix_address("workforce:skill-mix", plan.area, choice)
    return workbook_response(
        skill_mix_downloads.plan_sheets(plan),
        f"{plan.area.slug}-skill-mix.xlsx",
        address=public_address(page),
    )


# --- Workforce questions for a procurement ----------------------------------------------


def _mix_routes(area: Area, roles: list) -> procurement_questions.MixRoutes:
    """Which of the area's roles welcome people with lived experience, and the moves
    between them: two queries, kept per area and content generation."""

    def read():
        ids = [role.pk for role in roles]
        lived = RoleProfile.objects.filter(pk__in=ids).with_lived_experience_route()
        return procurement_questions.MixRoutes(
            lived_experience=frozenset(lived.values_list("pk", flat=True)),
            moves=tuple(moves_among(ids)),
        )

    return content_cache.get_or_set("procurement-mix-routes", (area.pk,), read)


QUESTIONS_AREA = "questions-area"


@private_page(public=("area",))
def skill_mix_questions(request):
    """The questions for the mix in the address. A mix the planner cannot read gets its
    messages, with a link back to the planner to put it right."""
    areas, area, read, problems = _read_plan(request)
    context = {"areas": areas, "area": area, "trail": []}
    if problems:
        context |= {
            # The mix's fields are on the planner's page, not this one; the service's
            # list is here too when the service was not found.
            "problems": [
                Problem(problem.message, QUESTIONS_AREA if area is None else "")
                for problem in problems
            ],
            "planner_url": reverse("workforce:skill-mix") + "?" + request.GET.urlencode(),
        }
    elif area is not None:
        choice, roles = read
        plan = skill_mix.plan_mix(area, choice.posts, roles)
        # The starting mix keeps the planner's short, public address.
        planner = (
            reverse("workforce:skill-mix") + "?" + urlencode({"area": area.slug})
            if choice.is_default
            else _mix_address("workforce:skill-mix", area, choice)
        )
        context |= {
            "plan": plan,
            "questions": (
                procurement_questions.question_set(plan, _mix_routes(area, roles))
                if plan.chosen
                else None
            ),
            "scale": procurement_questions.scale(),
            "what_this_is": procurement_questions.WHAT_THIS_IS,
            "psr_caution": procurement_questions.PSR_CAUTION,
            "psr_regulations_url": procurement_questions.PSR_REGULATIONS_URL,
            "psr_guidance_url": procurement_questions.PSR_GUIDANCE_URL,
            "psr_consultation_url": procurement_questions.PSR_CONSULTATION_URL,
            "health_and_justice_url": procurement_questions.HEALTH_AND_JUSTICE_URL,
            "regulation_18": procurement_questions.REGULATION_18,
            "planner_url": planner,
            "docx_url": _mix_address("workforce:skill-mix-questions-docx", area, choice),
            "xlsx_url": _mix_address("workforce:skill-mix-questions-xlsx", area, choice),
            "list_most": skill_mix.LIST_MOST,
            "trail": [
                (area.name, area.get_absolute_url()),
                (_("Plan a skill mix"), planner),
            ],
        }
    return render(
        request,
        "workforce/skill_mix_questions.html",
        context,
        status=400 if problems else 200,
    )


def _questions_or_404(request):
    """(question set, the questions page's address, area) for a mix the planner reads
    without problems and that has posts; the files are made for nothing else."""
    plan, choice = _plan_or_404(request)
    if not plan.chosen:
        raise Http404(_("Add a role to the mix on the planner page first."))
    roles = skill_mix_choice.area_roles(plan.area)
    questions = procurement_questions.question_set(plan, _mix_routes(plan.area, roles))
    page = _mix_address("workforce:skill-mix-questions", plan.area, choice)
    return questions, public_address(page), plan.area


@private_page
def skill_mix_questions_docx(request):
    questions, address, area = _questions_or_404(request)
    document = procurement_downloads.question_document(questions, address)
    return docx_response(document, f"{area.slug}-workforce-questions.docx")


@private_page
def skill_mix_questions_xlsx(request):
    questions, address, area = _questions_or_404(request)
    return workbook_response(
        procurement_downloads.question_sheets(questions),
        f"{area.slug}-workforce-questions.xlsx",
        address=address,
        notes=procurement_downloads.about_rows(),
    )
