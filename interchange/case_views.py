"""The CASE 1.0 REST service: GET only, at the paths of 1EdTech's binding under
``/ims/case/v1p0``, answering from what ``interchange.downloads`` keeps (see
``interchange.case_service``). Answers are public pages, so the page cache keeps them like
the other open data; a request the service cannot answer gets the binding's status
object (``imsx_StatusInfo``) with the HTTP status the binding names.
"""

import re

from django.http import HttpResponse

from core.public import public_page

from . import case_service, downloads
from .formats import json_bytes
from .forms import DocumentListQuery
from .views import JSON_TYPE

# The binding's UUID type: lower-case hexadecimal, versions 1 to 5, variants 1 and 2.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
DEFAULT_LIMIT = 100


def status_answer(status: int, minor: str, field: str, description: str) -> HttpResponse:
    """The binding's status object for a request that failed."""
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": field, "imsx_codeMinorFieldValue": minor}
            ]
        },
    }
    return HttpResponse(json_bytes(body), status=status, content_type=JSON_TYPE)


@public_page(query=tuple(DocumentListQuery.base_fields))
def case_documents(request):
    """Every CFDocument the service holds, a page at a time."""
    query = DocumentListQuery(request.GET)
    if not query.is_valid():
        field, errors = next(iter(query.errors.items()))
        minor = "invalid_sort_field" if field in ("sort", "orderBy") else "invalid_selection_field"
        return status_answer(400, minor, field, f"{field}: {' '.join(errors)}")
    documents, _summary = downloads.built_file(case_service.DOCUMENTS)
    wanted = query.cleaned_data
    if wanted["sort"]:
        documents = sorted(
            documents,
            key=lambda document: document.get(wanted["sort"], ""),
            reverse=wanted["orderBy"] == "desc",
        )
    offset = wanted["offset"] or 0
    page = documents[offset : offset + (wanted["limit"] or DEFAULT_LIMIT)]
    if not page:
        # The binding's set holds at least one document.
        return status_answer(
            400,
            "invalid_selection_field",
            "offset",
            f"offset: there are {len(documents)} documents.",
        )
    return HttpResponse(json_bytes({"CFDocuments": page}), content_type=JSON_TYPE)


@public_page
def case_object(request, collection: str, sourced_id: str):
    """The object of ``collection`` whose identifier is ``sourced_id``."""
    if not UUID.fullmatch(sourced_id):
        return status_answer(
            404,
            "invaliduuid",
            "sourcedId",
            "Invalid UUID: identifiers are UUIDs in lower-case hexadecimal.",
        )
    if collection == "CFPackages":
        name = case_service.PACKAGE_FILES.get(sourced_id)
        answer = None if name is None else downloads.built_file(name)[0]
    else:
        kept, _summary = downloads.built_file(case_service.bucket_name(sourced_id))
        answer = kept.get((collection, sourced_id))
    if answer is None:
        return status_answer(
            404,
            "unknownobject",
            "sourcedId",
            f"Unknown Object: this service holds no {collection} entry with that identifier.",
        )
    return HttpResponse(answer, content_type=JSON_TYPE)
