"""The job description builder: a GET form, a print-ready page and a Word download."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
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


def _text_fields(form, names) -> list[dict]:
    autocomplete = {"employer": "organization"}
    fields = {name: form.fields[name] for name in names}
    return [
        {
            "name": name,
            "label": field.label,
            "hint": field.help_text,
            "value": form.shown_value(name),
            "error": form.errors[name][0] if name in form.errors else "",
            "autocomplete": autocomplete.get(name, "off"),
            "limit": field.max_length,
        }
        for name, field in fields.items()
    ]


def _criteria_rows(defaults, params, bound: bool) -> list[tuple[str, list[dict]]]:
    """The person specification's rows as the form shows them: each default criterion
    with the requirement and assessments chosen (or its defaults)."""
    rows = []
    for heading, items in by_heading(defaults):
        shown = []
        for item in items:
            sent = bound and f"choice-{item.key}" in params
            choice = params.get(f"choice-{item.key}") if sent else None
            if choice not in (ESSENTIAL, DESIRABLE, LEAVE_OUT):
                choice = ESSENTIAL if item.essential else DESIRABLE
            assessed = (
                [
                    key
                    for key, _label in ASSESSMENTS
                    if key in params.getlist(f"assessed-{item.key}")
                ]
                if sent
                else []
            ) or list(item.assessed)
            shown.append({"item": item, "choice": choice, "assessed": assessed})
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
            "assessments": ASSESSMENTS,
            "requirement_choices": [
                (ESSENTIAL, _("Essential")),
                (DESIRABLE, _("Desirable")),
                (LEAVE_OUT, _("Leave out")),
            ],
            "default_count": len(defaults),
            "detail_fields": _text_fields(form, form.TEXT_FIELDS),
            "contract_field": _text_fields(form, ["contract"])[0],
            "statement_fields": _text_fields(form, form.STATEMENT_FIELDS),
            "own_field": _text_fields(form, ["own"])[0],
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
