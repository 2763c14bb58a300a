"""A team's development records: a manager uploads the records' data files and sees, or
downloads, the team's agreed, overdue and confirmed actions, counted without names. The
files are read in memory for this one response and then discarded; nothing is stored,
and the page is kept out of caches."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from competences.selectors import codes_in_tree_order
from core.addresses import public_address
from core.middleware import accepts_posts
from core.privacy import private_upload_page
from core.spreadsheets import workbook_response
from pathways.development_record import MAX_FILE_BYTES
from pathways.gap_files import MAX_FILES, RECORDS_TOTAL_LIMIT

from .team_records import (
    FILES_FIELD,
    TeamRecordsForm,
    duplicates_rule,
    overdue_rule,
    read_team_records,
    suppression_rule,
    team_records,
    team_records_sheets,
)

FILES_ID = "records-files"


@accepts_posts
@require_http_methods(["GET", "HEAD", "POST"])
@private_upload_page
def team_records_page(request):
    form = TeamRecordsForm(request.POST if request.method == "POST" else None)
    files = summary = None
    if form.is_bound:
        form.is_valid()
        files = read_team_records(request.FILES.getlist(FILES_FIELD), anchor=FILES_ID)
        if files.records:
            summary = team_records(
                files.records, today=timezone.localdate(), order=codes_in_tree_order()
            )
            if form.cleaned_data.get("format") == "xlsx":
                return workbook_response(
                    team_records_sheets(summary, files),
                    "team-development-records.xlsx",
                    address=public_address(request.path),
                )
    return render(
        request,
        "workforce/team_records.html",
        {
            "summary": summary,
            "files": files,
            # Every file refused, or none sent: the form is what needs fixing.
            "problems": files.refused if files and not files.records else [],
            "suppression_rule": suppression_rule(),
            "duplicates_rule": duplicates_rule(),
            "overdue_rule": overdue_rule(summary.today) if summary else "",
            "files_field": FILES_FIELD,
            "files_id": FILES_ID,
            "max_files": MAX_FILES,
            "file_limit_mb": MAX_FILE_BYTES // (1024 * 1024),
            "total_limit_mb": RECORDS_TOTAL_LIMIT // (1024 * 1024),
            "trail": [(_("Your team’s training needs"), reverse("workforce:team"))],
        },
        status=400 if files and not files.records else 200,
    )
