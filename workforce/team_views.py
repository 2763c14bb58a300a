"""Team training needs: a manager uploads the team's gap files and sees, or downloads, what
the team needs. The files are read in memory for this one response and then discarded;
nothing is stored, and the page is kept out of caches."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.addresses import public_address
from core.middleware import accepts_posts
from core.privacy import private_upload_page
from core.spreadsheets import workbook_response
from pathways.gap_files import FILE_LIMIT, MAX_FILES, read_gap_files

from .team_needs import FILES_FIELD, TeamNeedsForm, team_needs, team_sheets

FILES_ID = "team-files"


@accepts_posts
@require_http_methods(["GET", "HEAD", "POST"])
@private_upload_page
def team_needs_page(request):
    form = TeamNeedsForm(request.POST if request.method == "POST" else None)
    needs = None
    problems = []
    if form.is_bound:
        form.is_valid()
        files = read_gap_files(request.FILES.getlist(FILES_FIELD), anchor=FILES_ID)
        problems = files.problems
        if not problems:
            needs = team_needs(files, exact=form.cleaned_data.get("exact", False))
            if form.cleaned_data.get("format") == "xlsx":
                return workbook_response(
                    team_sheets(needs),
                    "team-training-needs.xlsx",
                    address=public_address(request.path),
                )
    return render(
        request,
        "workforce/team.html",
        {
            "needs": needs,
            "problems": problems,
            "exact_checked": form.is_bound and form.cleaned_data.get("exact", False),
            "files_field": FILES_FIELD,
            "files_id": FILES_ID,
            "max_files": MAX_FILES,
            "file_limit_kb": FILE_LIMIT // 1024,
            "trail": [],
        },
        status=400 if problems else 200,
    )
