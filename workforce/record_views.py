"""The development record page: from a self-assessment's gaps to a record a person takes
into supervision or appraisal, as a Word file, a printed page and a data file they keep.

Everything arrives in POST bodies and leaves in the response: the notes never reach an
address, a log line, a cache or another site's Referer, and nothing is stored. The data
file is read in memory and discarded.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import content_cache, versioning
from core.middleware import accepts_posts
from core.privacy import private_upload_page
from pathways import assessment
from pathways import development_record as records
from pathways.forms import Problem
from roles.selectors import role_by_slug, role_requirements_by_section

from .record_documents import record_docx, record_print_context

FILE_FIELD = "record-file"
ACTIONS = ("update", "add", "docx", "json", "print")


def _needed(role) -> dict[str, records.Needed]:
    sections = content_cache.get_or_set(
        "assessment-sections",
        (role.pk, True),
        lambda: role_requirements_by_section(role, with_learning=True),
    )
    return records.needed_by_role(sections)


def _last_record(raw: str, role) -> records.DevelopmentRecord | None:
    """The last record the person uploaded, carried in the form as they uploaded it; a
    value that is not one is ignored (it only feeds "since your last record")."""
    if not raw:
        return None
    return records.read_record_file("", raw.encode("utf-8", "replace"), role_slug=role.slug).record


def json_response(record: records.DevelopmentRecord, today) -> HttpResponse:
    response = HttpResponse(records.record_json(record), content_type="application/json")
    name = f"development-record-{record.role_slug}-{today.isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@accepts_posts
@require_http_methods(["GET", "HEAD", "POST"])
@private_upload_page
def development_record(request, slug):
    role = role_by_slug(slug)
    if role is None:
        raise Http404(_("There is no role profile with that address."))
    needed = _needed(role)
    today = timezone.localdate()
    version = versioning.current().number
    record, last, last_raw, problems = None, None, "", []
    status = 200
    if request.method == "POST":
        action = request.POST.get("do", "")
        if FILE_FIELD in request.FILES or action == "upload":
            upload = request.FILES.get(FILE_FIELD)
            if upload is None:
                problems = [Problem(_("Choose the data file you kept."), FILE_FIELD)]
            else:
                read = records.read_record_file(upload.name, upload.read(), role_slug=role.slug)
                problems = read.problems
                if read.record is not None:
                    last, last_raw = read.record, read.raw
                    record = records.restored(read.record, needed)
        elif action in ACTIONS:
            record, problems = records.record_from_post(
                request.POST, role, needed, version=version, today=today
            )
            last_raw = request.POST.get(records.LAST_FIELD, "")
            last = _last_record(last_raw, role)
            if not problems and action == "docx":
                return record_docx(record, role, today=today)
            if not problems and action == "json":
                return json_response(record, today)
            if not problems and action == "print":
                return render(
                    request,
                    "workforce/record_print.html",
                    record_print_context(record, role, today=today),
                )
        elif action:
            problems = [Problem(_("That button is not one this page has."))]
        else:
            record = _from_self_assessment(request, role, needed, version, today, problems)
        status = 400 if problems else 200
    return render(
        request,
        "workforce/record.html",
        {
            "role": role,
            "record": record,
            "items": _shown_items(record, needed, today) if record else [],
            "addable": [
                need for code, need in needed.items() if not record or not record.item(code)
            ],
            "since": records.since(last, record, needed) if last and record else None,
            "last_raw": last_raw,
            "problems": problems,
            "file_field": FILE_FIELD,
            "schema_url": reverse("interchange:record-schema"),
            "result_url": reverse("pathways:self-assessment", args=[role.slug]),
            "limits": {
                "note": records.MAX_NOTE,
                "name": records.MAX_NAME,
                "initials": records.MAX_INITIALS,
            },
            "trail": [
                (role.title, role.get_absolute_url()),
                (
                    _("Check yourself against this role"),
                    reverse("pathways:self-assessment", args=[role.slug]),
                ),
            ],
        },
        status=status,
    )


def _from_self_assessment(request, role, needed, version, today, problems):
    """A new record from the answers a self-assessment result sent: one item per gap."""
    required = {code: need.required for code, need in needed.items()}
    from_slug = assessment.clean_from_slug(request.POST)
    from_role = role_by_slug(from_slug) if from_slug else None
    answers = assessment.parse_assessment(
        request.POST,
        required=required,
        current=assessment.role_proficiencies(from_role) if from_role else None,
        from_found=from_role is not None,
    )
    problems.extend(answers.problems)
    gap_answers = {answer.value for answer in assessment.GAP_ANSWERS}
    ratings = {
        code: answers.answers.get(code, assessment.Answer.NOT_YET.value)
        for code in needed
        if answers.answers.get(code, assessment.Answer.NOT_YET.value) in gap_answers
    }
    return records.record_from_gaps(role, needed, ratings, version=version, today=today)


def _shown_items(record, needed, today) -> list[dict]:
    """Each item with what the page shows beside it: its field names, the learning on
    offer, and whether its action is overdue."""
    shown = []
    for item in record.items:
        need = needed[item.code]
        shown.append(
            {
                "item": item,
                "need": need,
                "overdue": item.overdue(today),
                "learning": [(title, title in item.learning) for title in need.learning],
                "names": {
                    kind: records.field_name(kind, item.code)
                    for kind in (
                        "rating",
                        "evidence",
                        "action",
                        "target",
                        "learning",
                        "confirmed",
                        "initials",
                    )
                },
            }
        )
    return shown
