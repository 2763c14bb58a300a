"""Training needs across a region: a commissioner uploads providers' summary files and
sees, or downloads, the training needs they add up to, with small numbers hidden. The
files are read in memory for this one response and then discarded; nothing is stored,
and the page is kept out of caches."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import versioning
from core.addresses import public_address
from core.middleware import accepts_posts
from core.privacy import private_upload_page
from core.spreadsheets import workbook_response
from pathways.gap_files import FILE_LIMIT, MAX_FILES, TOTAL_LIMIT
from pathways.provider_summary import Region

from .team_region import (
    FILES_FIELD,
    TeamRegionForm,
    duplicates_rule,
    region_caution,
    sources_rule,
    suppression_rule,
    team_region,
)
from .team_region_files import read_summary_files
from .team_region_sheets import region_sheets

FILES_ID = "summary-files"


@accepts_posts
@require_http_methods(["GET", "HEAD", "POST"])
@private_upload_page
def team_region_page(request):
    form = TeamRegionForm(request.POST if request.method == "POST" else None)
    files = region = None
    if form.is_bound:
        form.is_valid()
        files = read_summary_files(request.FILES.getlist(FILES_FIELD), anchor=FILES_ID)
        if files.summaries:
            region = team_region(files.summaries)
            if form.cleaned_data.get("format") == "xlsx":
                return workbook_response(
                    region_sheets(region, files),
                    "regional-training-needs.xlsx",
                    address=public_address(request.path),
                )
    return render(
        request,
        "workforce/team_region.html",
        {
            "region": region,
            "files": files,
            # Every file refused, or none sent: the form is what needs fixing.
            "problems": files.refused if files and not files.summaries else [],
            "suppression_rule": suppression_rule(),
            "sources_rule": sources_rule(),
            "region_caution": region_caution(),
            "duplicates_rule": duplicates_rule(),
            "regions": [label for _value, label in Region.choices],
            "framework_version": versioning.current().number,
            "files_field": FILES_FIELD,
            "files_id": FILES_ID,
            "max_files": MAX_FILES,
            "file_limit_kb": FILE_LIMIT // 1024,
            "total_limit_mb": TOTAL_LIMIT // (1024 * 1024),
            "trail": [(_("Your team’s training needs"), reverse("workforce:team"))],
        },
        status=400 if files and not files.summaries else 200,
    )
