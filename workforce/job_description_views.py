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
    desirable_by_section,
    job_description_document,
    role_criteria,
)


def _text_fields(form) -> list[dict]:
    autocomplete = {"employer": "organization"}
    limit = _("Up to %(count)d characters.")
    fields = {name: form.fields[name] for name in form.TEXT_FIELDS}
    return [
        {
            "name": name,
            "label": field.label,
            "hint": f"{field.help_text} {limit % {'count': field.max_length}}",
            "value": form.shown_value(name),
            "error": form.errors[name][0] if name in form.errors else "",
            "autocomplete": autocomplete.get(name, "off"),
        }
        for name, field in fields.items()
    ]


@require_safe
@private_page
def job_description(request, slug):
    role = role_by_slug(slug)
    if role is None:
        raise Http404(_("There is no role profile with that address."))
    # The same for everyone until the content changes, so read once per content version.
    sections = content_cache.get_or_set("job-criteria", (role.pk,), lambda: role_criteria(role))
    desirable = desirable_by_section(sections)
    form = JobDescriptionForm(
        request.GET or None,
        desirable_codes={item.code for group in desirable for item in group.criteria},
        offers_lived_route=role.lived_experience_route,
    )
    job = None
    download_url = ""
    if form.is_valid():
        job = build_job_description(
            role,
            sections,
            choices=form.cleaned_data,
            address=public_address(role.get_absolute_url()),
            today=timezone.localdate(),
        )
        if request.GET.get("format") == "docx":
            return docx_response(job_description_document(job), f"job-description-{role.slug}.docx")
        download_url = "?" + urlencode([*form.query(), ("format", "docx")])
    chosen = set(form.cleaned_data.get("desirable", [])) if form.is_bound else set()
    problems = [
        (form.errors[name][0], f"job-{name}") for name in form.TEXT_FIELDS if name in form.errors
    ]
    return render(
        request,
        "workforce/job_description.html",
        {
            "role": role,
            "form": form,
            "desirable": desirable,
            "chosen": chosen,
            "essential_count": sum(group.essential_count for group in sections),
            "text_fields": _text_fields(form),
            "problems": problems,
            "lived_checked": form.is_bound and bool(form.data.get("lived")),
            "stripped": form.stripped_fields(),
            "ignored": form.ignored_message(),
            "job": job,
            "download_url": download_url,
            "action": reverse("workforce:job-description", args=[role.slug]),
            "trail": [(role.title, role.get_absolute_url())],
        },
        status=400 if problems else 200,
    )
