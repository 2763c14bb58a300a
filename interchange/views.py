"""Open data: the page that lists every download, the downloads, and each item's JSON.

Whole-framework files come from ``downloads``: built together after each content
change and kept under the content generation, so a file is never out of date and the
list page can show real sizes without building every file on a request.
"""

import datetime
import json
import math
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from core.public import public_page
from core.spreadsheets import XLSX_TYPE
from pathways.development_record import RECORD_SCHEMA
from pathways.provider_summary import SUMMARY_SCHEMA

from . import downloads, formats
from .document import competence_document, role_document

FILE_STEM = "non-custodial-framework"
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Download:
    """One file on the open data page."""

    key: str  # the file's name in the cache and in the address
    label: str
    holds: str
    format: str
    content_type: str
    suffix: str  # what follows the version in the downloaded file's name


WHOLE_FRAMEWORK = (
    Download(
        "framework.json",
        _("The whole framework as JSON"),
        _(
            "Everything needed to rebuild the framework: areas, levels, standards, the "
            "competence tree, learning, role profiles and moves, in one document."
        ),
        "JSON",
        JSON_TYPE,
        ".json",
    ),
    Download(
        "framework.schema.json",
        _("Schema of the JSON"),
        _("What every field of the JSON document means and which values it may hold."),
        "JSON Schema",
        "application/schema+json",
        ".schema.json",
    ),
    Download(
        "framework.xlsx",
        _("The whole framework as an Excel workbook"),
        _("The same content as the JSON, one sheet for each kind of item."),
        "Excel (XLSX)",
        XLSX_TYPE,
        ".xlsx",
    ),
    Download(
        "case.json",
        _("CASE package: the competences"),
        _(
            "The competence tree and its links to standards, for competence registries "
            "that read CASE 1.0."
        ),
        "CASE 1.0 (JSON)",
        JSON_TYPE,
        "-case.json",
    ),
    Download(
        "case-role-profiles.json",
        _("CASE package: the role profiles"),
        _(
            "Each role profile and the competences it needs, how deeply and whether "
            "essential, pointing into the competences’ CASE package."
        ),
        "CASE 1.0 (JSON)",
        JSON_TYPE,
        "-case-role-profiles.json",
    ),
    Download(
        "moodle.csv",
        _("Moodle competency framework"),
        _(
            "The competence tree with the four proficiency depths as its scale, for "
            "Moodle's competency framework import."
        ),
        "CSV (Moodle)",
        CSV_TYPE,
        "-moodle.csv",
    ),
)
CSV_HOLDS = {
    "about": _(
        "Title, publisher, edition, version, date of the last change, licence and the "
        "status of the content: what the other CSV files are."
    ),
    "areas": _("The service areas."),
    "levels": _("The career framework levels."),
    "standards": _("The National Occupational Standards."),
    "competences": _("Sections, subsections and competences, with the standards behind each."),
    "learning": _("Qualifications, apprenticeships and courses, with the competences they build."),
    "roles": _("The role profiles."),
    "role_competences": _("Which competences each role needs, how deeply, and whether essential."),
    "progressions": _("Moves between roles."),
    "progression_drops": _("Competences a move leaves behind, and why."),
}
CSV_FILES = tuple(
    Download(
        f"csv/{name}.csv",
        f"{name.replace('_', ' ').capitalize()} ({name}.csv)",
        CSV_HOLDS[name],
        "CSV",
        CSV_TYPE,
        f"-{name.replace('_', '-')}.csv",
    )
    for name in formats.SHEETS
)
DOWNLOADS = {download.key: download for download in WHOLE_FRAMEWORK + CSV_FILES}


@public_page
def export_list(request):
    summary = downloads.built_file("summary")[1]
    framework = summary["framework"]
    base = reverse("interchange:export-list")
    rows = [
        {
            "download": download,
            "url": base + download.key,
            "kilobytes": f"{math.ceil(summary['sizes'][download.key] / 1024):,}",
        }
        for download in DOWNLOADS.values()
    ]
    last_changed = framework["last_changed"]
    return render(
        request,
        "interchange/export_list.html",
        {
            "framework": framework,
            "last_changed": datetime.date.fromisoformat(last_changed) if last_changed else None,
            "whole": rows[: len(WHOLE_FRAMEWORK)],
            "tables": rows[len(WHOLE_FRAMEWORK) :],
            "schema_url": base + "framework.schema.json",
            "record_schema_url": reverse("interchange:record-schema"),
            "summary_schema_url": reverse("interchange:summary-schema"),
            "case_documents_url": reverse("case:CFDocuments-list"),
            "trail": [],
        },
    )


@public_page
def download(request, name: str):
    """One whole-framework file, as an attachment whose name carries the version."""
    entry = DOWNLOADS.get(name)
    if entry is None:
        raise Http404
    data, summary = downloads.built_file(name)
    number = summary["framework"]["version"]
    response = HttpResponse(data, content_type=entry.content_type)
    filename = f"{FILE_STEM}-v{number}{entry.suffix}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@public_page
def table_csv(request, entity: str):
    return download(request, f"csv/{entity}.csv")


@public_page
def role_json(request, slug: str):
    return _item_json(role_document(slug), f"role-{slug}")


@public_page
def competence_json(request, code: str):
    return _item_json(competence_document(code), f"competence-{code}")


def _item_json(document: dict | None, stem: str) -> HttpResponse:
    if document is None:
        raise Http404
    response = HttpResponse(formats.json_bytes(document), content_type=JSON_TYPE)
    number = document["framework"]["version"]
    response["Content-Disposition"] = content_disposition_header(False, f"{stem}-v{number}.json")
    return response


def _schema_response(schema: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(schema, ensure_ascii=False, indent=2) + "\n",
        content_type="application/schema+json",
    )
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


@public_page
def record_schema(request):
    """The schema of the development record's data file, which people keep themselves:
    the same for every version of the framework, so its name carries none."""
    return _schema_response(RECORD_SCHEMA, "development-record.schema.json")


@public_page
def summary_schema(request):
    """The schema of a provider's summary of its team's training needs, which providers
    send their commissioners: the same for every version of the framework."""
    return _schema_response(SUMMARY_SCHEMA, "provider-summary.schema.json")
