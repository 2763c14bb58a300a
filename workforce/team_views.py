"""Team training needs: a manager uploads the team's gap files and sees, or downloads, what
the team needs, or an anonymous summary of it for the commissioner. The files are read in
memory for this one response and then discarded; nothing is stored, and the page is kept
out of caches."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.addresses import public_address
from core.middleware import accepts_posts
from core.privacy import private_upload_page
from core.spreadsheets import workbook_response
from pathways.forms import Problem
from pathways.gap_files import FILE_LIMIT, MAX_FILES, read_gap_files
from pathways.provider_summary import Region
from roles.models import Area

from .team_needs import FILES_FIELD, TeamNeedsForm, team_needs, team_sheets
from .team_summary import (
    SERVICE_ID,
    provider_summary,
    summary_response,
    summary_rule,
    summary_service,
)

FILES_ID = "team-files"
REGION_ID = "team-region"


@accepts_posts
@require_http_methods(["GET", "HEAD", "POST"])
@private_upload_page
def team_needs_page(request):
    areas = list(Area.objects.all())
    form = TeamNeedsForm(request.POST if request.method == "POST" else None, areas=areas)
    needs = None
    problems = []
    if form.is_bound:
        form.is_valid()
        files = read_gap_files(request.FILES.getlist(FILES_FIELD), anchor=FILES_ID)
        problems = files.problems
        wanted = form.cleaned_data.get("format")
        if not problems:
            needs = team_needs(files, exact=form.cleaned_data.get("exact", False))
            if wanted == "xlsx":
                return workbook_response(
                    team_sheets(needs),
                    "team-training-needs.xlsx",
                    address=public_address(request.path),
                )
        if not problems and wanted == "json":
            if "service" in form.errors or "region" in form.errors:
                problems = [Problem(_("Choose the service and region from the lists."), SERVICE_ID)]
            else:
                service, problems = summary_service(
                    form.cleaned_data.get("service", ""), areas, files
                )
            if not problems:
                return summary_response(
                    provider_summary(
                        files, needs, service=service, region=form.cleaned_data.get("region")
                    )
                )
            needs = None
    chosen = form.cleaned_data if form.is_bound else {}
    return render(
        request,
        "workforce/team.html",
        {
            "needs": needs,
            "problems": problems,
            "file_problems": [problem for problem in problems if problem.anchor == FILES_ID],
            "service_problems": [problem for problem in problems if problem.anchor == SERVICE_ID],
            "exact_checked": chosen.get("exact", False),
            "service_options": [
                ("", _("Work it out from the team’s roles")),
                *((area.slug, area.name) for area in areas),
            ],
            "service_chosen": chosen.get("service", ""),
            "region_options": [("", _("Not given")), *Region.choices],
            "region_chosen": chosen.get("region", ""),
            "summary_rule": summary_rule(),
            "files_field": FILES_FIELD,
            "files_id": FILES_ID,
            "service_id": SERVICE_ID,
            "region_id": REGION_ID,
            "max_files": MAX_FILES,
            "file_limit_kb": FILE_LIMIT // 1024,
            "trail": [],
        },
        status=400 if problems else 200,
    )
