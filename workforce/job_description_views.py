"""The job description builder: a GET form, a print-ready page and a Word download."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
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
from .models import current_pay_table
from .person_spec import (
    ASSESSMENTS,
    DESIRABLE,
    ESSENTIAL,
    LEAVE_OUT,
    apply_choices,
    by_heading,
    default_criteria,
    own_criteria,
)
from .recruitment_checks import run_checks


def _text_fields(form, names, *, textarea: bool = False) -> list:
    """The builder's text boxes as ready HTML, in the design system's markup."""
    autocomplete = {"employer": "organization"}
    error_prefix = _("Error:")
    boxes = []
    for name in names:
        field = form.fields[name]
        error = form.errors[name][0] if name in form.errors else ""
        described = f"job-{name}-hint" + (f" job-{name}-error" if error else "")
        if textarea:
            box = format_html(
                '<textarea class="nhsuk-textarea{}" id="job-{}" name="{}" rows="4" '
                'aria-describedby="{}">{}</textarea>',
                " nhsuk-textarea--error" if error else "",
                name,
                name,
                described,
                form.shown_value(name),
            )
        else:
            box = format_html(
                '<input class="nhsuk-input{}" id="job-{}" name="{}" type="text" value="{}" '
                'autocomplete="{}" spellcheck="false" aria-describedby="{}">',
                " nhsuk-input--error" if error else "",
                name,
                name,
                form.shown_value(name),
                autocomplete.get(name, "off"),
                described,
            )
        message = (
            format_html(
                '<span class="nhsuk-error-message" id="job-{}-error">'
                '<span class="nhsuk-u-visually-hidden">{}</span> {}</span>',
                name,
                error_prefix,
                error,
            )
            if error
            else ""
        )
        boxes.append(
            format_html(
                '<div class="nhsuk-form-group{}"><label class="nhsuk-label" for="job-{}">{}</label>'
                '<div class="nhsuk-hint" id="job-{}-hint">{} {}</div>{}{}</div>',
                " nhsuk-form-group--error" if error else "",
                name,
                field.label,
                name,
                field.help_text,
                _("Up to %(count)d characters.") % {"count": field.max_length},
                message,
                box,
            )
        )
    return boxes


def _criteria_rows(defaults, params, bound: bool) -> list[tuple[str, list]]:
    """The person specification's rows as the form shows them, each default criterion
    with the requirement and assessments chosen (or its defaults), as ready HTML: about
    20 rows of a select and three boxes each, which the template language took most of
    the page's time to draw."""
    requirements = [
        (ESSENTIAL, _("Essential")),
        (DESIRABLE, _("Desirable")),
        (LEAVE_OUT, _("Leave out")),
    ]
    assessed_by = [(key, _("Assessed by %(how)s") % {"how": label}) for key, label in ASSESSMENTS]
    requirement_label = _("Requirement")
    rows = []
    for heading, items in by_heading(defaults):
        shown = []
        for item in items:
            sent = bound and f"choice-{item.key}" in params
            choice = params.get(f"choice-{item.key}") if sent else None
            if choice not in (ESSENTIAL, DESIRABLE, LEAVE_OUT):
                choice = ESSENTIAL if item.essential else DESIRABLE
            ticked = params.getlist(f"assessed-{item.key}") if sent else []
            assessed = [key for key, _label in ASSESSMENTS if key in ticked] or list(item.assessed)
            shown.append(
                _criterion_choice(
                    item, choice, assessed, requirements, assessed_by, requirement_label
                )
            )
        if shown:
            rows.append((heading, shown))
    return rows


def _criterion_choice(item, choice, assessed, requirements, assessed_by, requirement_label):
    key = item.key
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == choice else "", label) for value, label in requirements),
    )
    boxes = format_html_join(
        "",
        '<div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" '
        'id="assessed-{0}-{1}" name="assessed-{0}" type="checkbox" value="{1}"{2}>'
        '<label class="nhsuk-label nhsuk-checkboxes__label" for="assessed-{0}-{1}">{3}</label>'
        "</div>",
        (
            (key, value, " checked" if value in assessed else "", label)
            for value, label in assessed_by
        ),
    )
    return format_html(
        '<fieldset class="nhsuk-fieldset app-criterion-choice" '
        'aria-describedby="criterion-{0}-text">'
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" '
        'id="criterion-{0}-text">{1}</legend>'
        '<div class="nhsuk-form-group nhsuk-u-margin-bottom-2">'
        '<label class="nhsuk-label" for="choice-{0}">{2}</label>'
        '<select class="nhsuk-select" id="choice-{0}" name="choice-{0}">{3}</select></div>'
        '<div class="nhsuk-form-group nhsuk-u-margin-bottom-4">'
        '<div class="nhsuk-checkboxes nhsuk-checkboxes--small">{4}</div></div></fieldset>',
        key,
        item.text,
        requirement_label,
        options,
        boxes,
    )


@require_safe
@private_page
def job_description(request, slug):
    role = role_by_slug(slug)
    if role is None:
        raise Http404(_("There is no role profile with that address."))
    # The same for everyone until the content changes, so read once per content version.
    sections = content_cache.get_or_set("job-criteria", (role.pk,), lambda: role_criteria(role))
    defaults = default_criteria(role, sections)
    table = current_pay_table()
    bands = {band.band: band for band in table.bands.all()} if table else {}
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
