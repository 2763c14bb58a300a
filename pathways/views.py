"""Career pathways: the map, role comparison and the self-assessment gap check."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import content_cache
from core.addresses import address
from core.middleware import accepts_posts
from core.pagination import page_of, pagination, requested_page_number
from core.privacy import private_answer_page, private_page, private_upload_page
from core.public import public_page
from roles.models import Area
from roles.proficiency import definitions as proficiency_definitions
from roles.selectors import role_by_slug, role_requirements_by_section

from . import assessment, forms, gap_files, selectors
from .career_map import (
    MAP_MOVES_PER_PAGE,
    levels_against_areas,
    map_page_of_moves_from,
    moves_by_starting_role,
    moves_for_map,
)
from .diagram import draw_career_map
from .ways_in import (
    APPLY_NOW_RULE,
    Answers,
    WaysInForm,
    find_ways_in,
    lived_experience_roles,
)

MOVES_PER_PAGE = MAP_MOVES_PER_PAGE


@public_page(query=("from", "page"))
def career_map(request):
    if "from" in request.GET:
        return _moves_from(request.GET["from"])
    # The page depends only on the content and the page of moves asked for: worked out
    # when the template renders it, which it does not when the content cache holds it.
    listing = SimpleLazyObject(lambda: _map_listing(request))
    return render(
        request,
        "pathways/map.html",
        {"listing": listing, "page_number": requested_page_number(request), "trail": []},
    )


def _map_listing(request) -> dict:
    framework = levels_against_areas()
    page = page_of(request, moves_for_map(), MOVES_PER_PAGE, count=framework.move_count)
    moves = list(page.object_list)
    return {
        "map": framework,
        "moves_by_role": moves_by_starting_role(moves),
        "pages": pagination(page, request.path, fragment="moves"),
        # Drawn only when the list below it holds every move.
        "diagram": None if page.has_other_pages() else draw_career_map(framework, moves),
    }


def _moves_from(slug: str):
    """To the page of the map's list where the moves from the role ``slug`` begin."""
    role = selectors.roles_named([slug]).get(slug.strip())
    if role is None:
        raise Http404(_("There is no role profile with that address."))
    page = map_page_of_moves_from(role)
    return HttpResponseRedirect(f"{reverse('pathways:map')}?page={page}#from-{role.slug}")


@public_page(query=("roles",))
def compare(request):
    values = request.GET.getlist("roles")
    choice = forms.parse_compare_roles(values, selectors.roles_named(values))
    chosen = choice.slugs + [""] * (forms.MAX_COMPARED - len(choice.slugs))
    # The pickers and the comparison depend only on the content and the roles chosen:
    # read when the page renders them, not when they come from the content cache.
    comparison = (
        SimpleLazyObject(lambda: selectors.compare_roles(choice.roles)) if choice.ready else None
    )
    return render(
        request,
        "pathways/compare.html",
        {
            "roles": SimpleLazyObject(selectors.roles_for_choosing),
            "chosen": chosen,
            "choice": choice,
            "comparison": comparison,
            "trail": [(_("Career pathways"), reverse("pathways:map"))],
            # A tool: the roles chosen are the page, so no address stands for it.
            "canonical_address": None,
        },
        status=400 if choice.problems else 200,
    )


def _read_assessment(request, role, *, with_learning=False):
    """The role's requirements by section and the person's checked answers."""
    # The same for everyone until the content changes, so read once per content version.
    sections = content_cache.get_or_set(
        "assessment-sections",
        (role.pk, with_learning),
        lambda: role_requirements_by_section(role, with_learning=with_learning),
    )
    required = {
        item.competence.code: item.proficiency for group in sections for item in group.requirements
    }
    from_slug = assessment.clean_from_slug(request.GET)
    from_role = role_by_slug(from_slug) if from_slug else None
    current = assessment.role_proficiencies(from_role) if from_role else None
    answers = assessment.parse_assessment(
        request.GET, required=required, current=current, from_found=from_role is not None
    )
    return sections, answers, from_role


def _assessment_role(slug):
    role = role_by_slug(slug)
    if role is None:
        raise Http404(_("There is no role profile with that address."))
    return role


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _section_links(role, sections, query):
    """(section, link to its step) pairs, each link carrying the answers so far.

    The links are escaped here, once: the check page repeats each one, answers and all,
    on every competence of its section.
    """
    return [
        (
            group,
            escape(
                _with_query(address("pathways:self-assessment-section", role.slug, number), query)
            ),
        )
        for number, group in enumerate(sections, start=1)
    ]


def _assessment_trail(role):
    return [
        (role.title, role.get_absolute_url()),
        (
            _("Check yourself against this role"),
            reverse("pathways:self-assessment", args=[role.slug]),
        ),
    ]


@private_page
def self_assessment(request, slug):
    """The start page: how the check works, how unanswered questions count, and the
    optional current role that fills in answers."""
    role = _assessment_role(slug)
    sections, answers, from_role = _read_assessment(request, role)
    first = (
        reverse("pathways:self-assessment-section", args=[role.slug, 1])
        if sections
        else reverse("pathways:self-assessment-check", args=[role.slug])
    )
    query = assessment.assessment_query(answers)
    return render(
        request,
        "pathways/self_assessment.html",
        {
            "role": role,
            "sections": _section_links(role, sections, query),
            "total": sum(len(group.requirements) for group in sections),
            "answers": answers,
            "problems": assessment.problems_on_page(answers.problems, []),
            "carried": [
                pair
                for pair in assessment.carried_answers(answers)
                if pair[0] != assessment.FROM_FIELD
            ],
            "from_role": from_role,
            "start_url": first,
            "roles": [
                other
                for other in content_cache.get_or_set(
                    "roles-for-choosing", (), selectors.roles_for_choosing
                )
                if other.pk != role.pk
            ],
            "trail": [(role.title, role.get_absolute_url())],
        },
        status=400 if answers.problems else 200,
    )


EARLIER_FIELD = "earlier"


@accepts_posts
@require_http_methods(["GET", "HEAD", "POST"])
@private_upload_page
def self_assessment_earlier(request, slug):
    """Start from an earlier result: the person uploads the gap file it gave them, which
    is read in memory and discarded. Its answers, and the earlier gaps, go on in the
    address of the first step (303), so the new result can say what has changed."""
    role = _assessment_role(slug)
    problems = []
    if request.method == "POST":
        person, problems = gap_files.read_earlier_result(
            role, request.FILES.getlist(EARLIER_FIELD), anchor="earlier-file"
        )
        if person is not None:
            codes = assessment.role_proficiencies(role)
            answers = gap_files.earlier_answers(person, codes)
            query = [(assessment.answer_field(code), answers[code]) for code in sorted(answers)]
            query.append((assessment.BEFORE_FIELD, ",".join(sorted(person.gaps))))
            first = (
                reverse("pathways:self-assessment-section", args=[role.slug, 1])
                if codes
                else reverse("pathways:self-assessment-check", args=[role.slug])
            )
            return HttpResponseRedirect(f"{first}?{urlencode(query)}", status=303)
    return render(
        request,
        "pathways/self_assessment_earlier.html",
        {
            "role": role,
            "problems": problems,
            "field_name": EARLIER_FIELD,
            "trail": _assessment_trail(role),
        },
        status=400 if problems else 200,
    )


@private_page
def self_assessment_section(request, slug, number):
    """One section's questions; earlier and later answers travel in hidden fields."""
    role = _assessment_role(slug)
    sections, answers, from_role = _read_assessment(request, role)
    if not 1 <= number <= len(sections):
        raise Http404(
            _("This role's self-assessment has no section %(number)d.") % {"number": number}
        )
    group = sections[number - 1]
    assessment.annotate_answers([group], answers, definitions=proficiency_definitions())
    names = [item.field_name for item in group.requirements]
    codes = {item.competence.code for item in group.requirements}
    if number < len(sections):
        next_url = reverse("pathways:self-assessment-section", args=[role.slug, number + 1])
    else:
        next_url = reverse("pathways:self-assessment-check", args=[role.slug])
    if number > 1:
        back_url = reverse("pathways:self-assessment-section", args=[role.slug, number - 1])
    else:
        back_url = reverse("pathways:self-assessment", args=[role.slug])
    return render(
        request,
        "pathways/self_assessment_section.html",
        {
            "role": role,
            "group": group,
            "number": number,
            "count": len(sections),
            "answers": answers,
            "problems": assessment.problems_on_page(answers.problems, names),
            "carried": assessment.carried_answers(answers, exclude=codes),
            "prefilled_here": sum(1 for item in group.requirements if item.prefilled),
            "from_role": from_role,
            "next_url": next_url,
            "back_url": back_url,
            # Translated once here, not once for every question on the page.
            "choices": [(value, str(label)) for value, label in assessment.Answer.choices],
            "trail": _assessment_trail(role),
        },
        status=400 if answers.problems else 200,
    )


@private_page
def self_assessment_check(request, slug):
    """Every answer by section, each with a link to change it, before the result."""
    role = _assessment_role(slug)
    sections, answers, from_role = _read_assessment(request, role)
    assessment.annotate_answers(sections, answers)
    query = assessment.assessment_query(answers)
    total = sum(len(group.requirements) for group in sections)
    return render(
        request,
        "pathways/self_assessment_check.html",
        {
            "role": role,
            "sections": _section_links(role, sections, query),
            "total": total,
            "unanswered_count": total - len(answers.answers),
            "answers": answers,
            "problems": assessment.problems_on_page(answers.problems, []),
            "carried": assessment.carried_answers(answers),
            "from_role": from_role,
            "back_url": _with_query(
                reverse("pathways:self-assessment-section", args=[role.slug, len(sections)])
                if sections
                else reverse("pathways:self-assessment", args=[role.slug]),
                query,
            ),
            "trail": _assessment_trail(role),
        },
        status=400 if answers.problems else 200,
    )


@private_page
def self_assessment_result(request, slug):
    role = _assessment_role(slug)
    # Only the spreadsheet needs each gap's standards and learning as data; the page shows
    # each gap as a block rendered once per content version (for each answer that makes
    # a gap) for every competence of the role.
    as_csv = request.GET.get("format") == "csv"
    sections, answers, from_role = _read_assessment(request, role, with_learning=as_csv)
    gap_sections = assessment.gaps_by_section(
        sections,
        answers.answers,
        gap_answers=[answer.value for answer in assessment.GAP_ANSWERS],
        labels=dict(assessment.Answer.choices),
        role_level=role.level.number if as_csv else None,
    )
    gaps = [gap for group in gap_sections for gap in group.gaps]
    if as_csv and not answers.problems:
        return assessment.gaps_csv(role, gaps)
    blocks = content_cache.get_or_set("gap-blocks", (role.pk,), lambda: _gap_blocks(role))
    for gap in gaps:
        gap.html = blocks[gap.competence.code][gap.answer if gap.answered else ""]
    progress = (
        gap_files.progress_since(answers.before, sections, gaps)
        if answers.before is not None
        else None
    )
    query = assessment.assessment_query(answers)
    check_url = reverse("pathways:self-assessment-check", args=[role.slug])
    result_url = reverse("pathways:self-assessment-result", args=[role.slug])
    total = sum(len(group.requirements) for group in sections)
    return render(
        request,
        "pathways/self_assessment_result.html",
        {
            "role": role,
            "gap_sections": gap_sections,
            "gap_count": len(gaps),
            "essential_count": sum(1 for gap in gaps if gap.requirement.is_essential),
            "unanswered_count": total - len(answers.answers),
            "total": total,
            "answers": answers,
            "from_role": from_role,
            "progress": progress,
            "carried": assessment.carried_answers(answers),
            "change_url": _with_query(check_url, query),
            "csv_url": f"{result_url}?{query}&format=csv" if query else f"{result_url}?format=csv",
            "trail": _assessment_trail(role),
        },
        status=400 if answers.problems else 200,
    )


def _gap_blocks(role) -> dict[str, dict[str, str]]:
    """{competence code: {answer: its gap as the result shows it}} for every competence
    ``role`` needs and every answer that makes a gap ("" for none given), with the
    learning that suits the role's level."""
    labels = dict(assessment.Answer.choices)
    answers = {answer.value: str(labels[answer.value]) for answer in assessment.GAP_ANSWERS}
    answers[""] = _("Not answered (counted as Not yet)")
    blocks = {}
    for group in role_requirements_by_section(role, with_learning=True):
        for item in group.requirements:
            offer = assessment.learning_for_level(
                list(item.competence.learning_opportunities.all()), role.level.number
            )
            sources = render_to_string(
                "pathways/_gap_sources.html", {"competence": item.competence, "offer": offer}
            )
            context = {"requirement": item, "sources": sources}
            blocks[item.competence.code] = {
                answer: render_to_string("pathways/_gap.html", context | {"answer": text})
                for answer, text in answers.items()
            }
    return blocks


# --- Ways in ------------------------------------------------------------------------


@accepts_posts
@require_http_methods(["GET", "HEAD", "POST"])
@private_answer_page
def ways_in(request):
    """Find your way in: four questions, answered on the same page by POST, so the
    answers (one of them about the justice system) never reach an address, a log or a
    cache."""
    areas = list(Area.objects.order_by("position", "name"))
    if request.method == "POST":
        form = WaysInForm(request.POST, areas=areas)
        found = None
        if form.is_valid():
            found = find_ways_in(Answers.from_form(form.cleaned_data, areas))
    else:
        form, found = WaysInForm(areas=areas), None
    response = render(
        request,
        "pathways/ways_in.html",
        {"form": form, "found": found, "rule": APPLY_NOW_RULE, "trail": []},
    )
    if request.method == "POST" and not form.is_valid():
        response.status_code = 400
    return response


@public_page
def lived_experience(request):
    return render(
        request,
        "pathways/lived_experience.html",
        {"roles": lived_experience_roles(), "trail": []},
    )
