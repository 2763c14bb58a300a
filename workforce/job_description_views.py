"""The job description builder: a GET form, a print-ready page and a Word download."""

from urllib.parse import urlencode

from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import content_cache
from core.addresses import public_address
from core.privacy import private_page
from roles.selectors import role_by_slug

from .documents import docx_response
from .job_description import (
    JobDescriptionForm,
    build_job_description,
    job_description_document,
    role_criteria,
    starting_band,
)
from .models import current_pay_bands
from .person_spec import (
    ASSESSMENTS,
    DESIRABLE,
    ESSENTIAL,
    LEAVE_OUT,
    apply_choices,
    by_heading,
    default_criteria,
    own_criteria,
    read_choice,
)
from .recruitment_checks import run_checks


def _text_fields(form, names, *, textarea: bool = False) -> list:
    """The builder's text boxes as ready HTML, in the design system's markup. Written with
    plain string formatting and ``escape`` on every value that is not a fixed name: this
    page draws some 30 such parts, and ``format_html`` made them a quarter of its time."""
    autocomplete = {"employer": "organization"}
    error_prefix = escape(_("Error:"))
    boxes = []
    for name in names:
        field = form.fields[name]
        error = escape(form.errors[name][0]) if name in form.errors else ""
        described = f"job-{name}-hint" + (f" job-{name}-error" if error else "")
        value = escape(form.shown_value(name))
        if textarea:
            wrong = " nhsuk-textarea--error" if error else ""
            box = (
                f'<textarea class="nhsuk-textarea{wrong}" id="job-{name}" name="{name}" '
                f'rows="4" aria-describedby="{described}">{value}</textarea>'
            )
        else:
            wrong = " nhsuk-input--error" if error else ""
            box = (
                f'<input class="nhsuk-input{wrong}" id="job-{name}" name="{name}" type="text" '
                f'value="{value}" autocomplete="{autocomplete.get(name, "off")}" '
                f'spellcheck="false" aria-describedby="{described}">'
            )
        message = (
            f'<span class="nhsuk-error-message" id="job-{name}-error">'
            f'<span class="nhsuk-u-visually-hidden">{error_prefix}</span> {error}</span>'
            if error
            else ""
        )
        limit = escape(_("Up to %(count)d characters.") % {"count": field.max_length})
        boxes.append(
            mark_safe(  # every value above is escaped or a fixed name
                f'<div class="nhsuk-form-group{" nhsuk-form-group--error" if error else ""}">'
                f'<label class="nhsuk-label" for="job-{name}">{escape(field.label)}</label>'
                f'<div class="nhsuk-hint" id="job-{name}-hint">{escape(field.help_text)} '
                f"{limit}</div>{message}{box}</div>"
            )
        )
    return boxes


def _criteria_rows(defaults, params, bound: bool) -> list[tuple[str, list]]:
    """The person specification's rows as the form shows them, each default criterion
    with the requirement and assessments chosen (or its defaults), as ready HTML: about
    20 rows of a select and three boxes each, which the template language took most of
    the page's time to draw. Written as ``_text_fields`` is."""
    requirements = [
        (ESSENTIAL, escape(_("Essential"))),
        (DESIRABLE, escape(_("Desirable"))),
        (LEAVE_OUT, escape(_("Leave out"))),
    ]
    assessed_by = [
        (key, escape(_("Assessed by %(how)s") % {"how": label})) for key, label in ASSESSMENTS
    ]
    requirement_label = escape(_("Requirement"))
    rows = []
    for heading, items in by_heading(defaults):
        shown = []
        for item in items:
            choice, assessed, _unassessed = read_choice(item, params if bound else QueryDict())
            key = escape(item.key)
            options = "".join(
                f'<option value="{value}"{" selected" if value == choice else ""}>{label}</option>'
                for value, label in requirements
            )
            boxes = "".join(
                f'<div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" '
                f'id="assessed-{key}-{value}" name="assessed-{key}" type="checkbox" '
                f'value="{value}"{" checked" if value in assessed else ""}>'
                f'<label class="nhsuk-label nhsuk-checkboxes__label" '
                f'for="assessed-{key}-{value}">{label}</label></div>'
                for value, label in assessed_by
            )
            shown.append(
                mark_safe(  # every value is escaped or a fixed name
                    f'<fieldset class="nhsuk-fieldset app-criterion-choice" '
                    f'aria-describedby="criterion-{key}-text">'
                    f'<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" '
                    f'id="criterion-{key}-text">{escape(item.text)}</legend>'
                    f'<div class="nhsuk-form-group nhsuk-u-margin-bottom-2">'
                    f'<label class="nhsuk-label" for="choice-{key}">{requirement_label}</label>'
                    f'<select class="nhsuk-select" id="choice-{key}" name="choice-{key}">'
                    f"{options}</select></div>"
                    f'<div class="nhsuk-form-group nhsuk-u-margin-bottom-4">'
                    f'<div class="nhsuk-checkboxes nhsuk-checkboxes--small">{boxes}</div></div>'
                    f"</fieldset>"
                )
            )
        if shown:
            rows.append((heading, shown))
    return rows


@require_safe
@private_page
def job_description(request, slug):
    role = role_by_slug(slug)
    if role is None:
        raise Http404(_("There is no role profile with that address."))
    # The same for everyone until the content changes, so read once per content version.
    sections = content_cache.get_or_set("job-criteria", (role.pk,), lambda: role_criteria(role))
    defaults = default_criteria(role, sections)
    bands = {band.band: band for band in current_pay_bands()}
    table = next(iter(bands.values())).table if bands else None
    form = JobDescriptionForm(
        request.GET or None,
        bands=list(bands),
        starting_band=starting_band(role),
        offers_lived_route=role.lived_experience_route,
    )
    job = None
    checks = []
    notes = []
    download_url = ""
    if form.is_valid():
        data = form.cleaned_data
        criteria, notes = apply_choices(defaults, request.GET)
        criteria += own_criteria(data["own"], data["own_heading"])
        job = build_job_description(
            role,
            sections,
            criteria,
            choices=data,
            pay_band=bands.get(data["band"]),
            address=public_address(role.get_absolute_url()),
            today=timezone.localdate(),
        )
        if request.GET.get("format") == "docx":
            return docx_response(job_description_document(job), f"job-description-{role.slug}.docx")
        checks = run_checks(
            criteria=criteria,
            own_text=form.own_words(),
            prose=form.own_prose(),
            adjustments=data["adjustments"],
            flexible=data["flexible"],
            role=role,
        )
        query = [(key, value) for key, value in request.GET.lists() if key != "format"]
        download_url = "?" + urlencode(
            [(key, value) for key, values in query for value in values] + [("format", "docx")]
        )
    problems = [
        (form.errors[name][0], f"job-{name}") for name in form.fields if name in form.errors
    ]
    return render(
        request,
        "workforce/job_description.html",
        {
            "role": role,
            "form": form,
            "criteria_rows": _criteria_rows(defaults, request.GET, form.is_bound),
            "default_count": len(defaults),
            "detail_fields": _text_fields(form, form.TEXT_FIELDS),
            "contract_field": _text_fields(form, ["contract"])[0],
            "statement_fields": _text_fields(form, form.STATEMENT_FIELDS, textarea=True),
            "own_field": _text_fields(form, ["own"], textarea=True)[0],
            "wte_value": form.data.get("wte", "") if form.is_bound else "1",
            "band_choices": form.fields["band"].choices,
            "band_value": form.data.get("band", "")
            if form.is_bound
            else form.fields["band"].initial,
            "own_heading_value": (
                form.data.get("own_heading", "experience") if form.is_bound else "experience"
            ),
            "headings": form.fields["own_heading"].choices,
            "pay_table": table,
            "problems": problems,
            "lived_checked": form.is_bound and bool(form.data.get("lived")),
            "appendix_checked": form.is_bound and bool(form.data.get("appendix")),
            "stripped": form.stripped_fields(),
            "notes": notes,
            "checks": checks,
            "job": job,
            "download_url": download_url,
            "action": reverse("workforce:job-description", args=[role.slug]),
            "trail": [(role.title, role.get_absolute_url())],
        },
        status=400 if problems else 200,
    )
