"""The answers of the CASE 1.0 REST service, worked out from the two CASE packages.

The service (``interchange.case_views``) answers GET requests at the paths of 1EdTech's
CASE 1.0 binding, under its base path ``/ims/case/v1p0``: ``/CFDocuments`` lists both
documents, and ``/CFDocuments``, ``/CFPackages``, ``/CFItems``, ``/CFAssociations``,
``/CFItemAssociations``, ``/CFItemTypes``, ``/CFConcepts``, ``/CFSubjects``,
``/CFLicenses``, ``/CFAssociationGroupings`` and ``/CFRubrics`` followed by an identifier
answer with that object, in the shape the binding gives each path.

``answers()`` works out every answer at once, as JSON bytes, beside the download files
(``interchange.downloads``), so they are built after each change, kept under the content
generation and never out of date. They are kept in ``BUCKETS`` entries, by the first
character of the identifier, so that answering one request reads a sixteenth of them and
the number of cache entries stays fixed however large the framework grows. A package is
not copied: its answer is the download file that holds it (``PACKAGE_FILES``).
"""

from collections import defaultdict

from . import formats
from .case_common import DOCUMENT_KEY, ROLE_DOCUMENT_KEY, SERVICE_PATH, key_uuid

# Collections answered by identifier, in the binding's order of paths.
COLLECTIONS = (
    "CFAssociationGroupings",
    "CFAssociations",
    "CFConcepts",
    "CFDocuments",
    "CFItemAssociations",
    "CFItemTypes",
    "CFItems",
    "CFLicenses",
    "CFPackages",
    "CFRubrics",
    "CFSubjects",
)
DOCUMENTS = "case-service/documents"
BUCKETS = "0123456789abcdef"
# {document identifier: the download file that holds its package}; the identifiers come
# from fixed keys, so a package is found without reading anything else first.
PACKAGE_FILES = {
    key_uuid(DOCUMENT_KEY): "case.json",
    key_uuid(ROLE_DOCUMENT_KEY): "case-role-profiles.json",
}


def bucket_name(identifier: str) -> str:
    """The kept entry that holds the answers about ``identifier`` (a lower-case UUID)."""
    return f"case-service/{identifier[0]}"


def answers(packages: list[dict], base: str) -> dict[str, object]:
    """{entry name: what to keep}: ``DOCUMENTS``, the list of CFDocuments, and one entry per
    bucket, {(collection, identifier): the answer's JSON bytes}."""
    kept: dict[str, dict] = {bucket_name(character): {} for character in BUCKETS}
    documents = []

    def keep(collection: str, identifier: str, answer: dict) -> None:
        kept[bucket_name(identifier)][(collection, identifier)] = formats.json_bytes(answer)

    items: dict[str, dict] = {}
    associations_of: dict[str, list[dict]] = defaultdict(list)
    definitions: dict[str, dict[str, dict]] = defaultdict(dict)
    for package in packages:
        document = package["CFDocument"]
        identifier = document["identifier"]
        in_document = {key: document[key] for key in ("title", "identifier", "uri")}
        answer = document | {
            "CFPackageURI": {
                "title": document["title"],
                "identifier": identifier,
                "uri": f"{base}{SERVICE_PATH}/CFPackages/{identifier}",
            }
        }
        documents.append(answer)
        keep("CFDocuments", identifier, answer)
        for item in package["CFItems"]:
            items[item["identifier"]] = item | {"CFDocumentURI": in_document}
        for association in package["CFAssociations"]:
            keep(
                "CFAssociations",
                association["identifier"],
                association | {"CFDocumentURI": in_document},
            )
            for end in ("originNodeURI", "destinationNodeURI"):
                associations_of[association[end]["identifier"]].append(association)
        for collection, entries in package["CFDefinitions"].items():
            for entry in entries:
                definitions[collection][entry["identifier"]] = entry
        for rubric in package.get("CFRubrics", []):
            keep("CFRubrics", rubric["identifier"], rubric)

    for identifier, item in items.items():
        keep("CFItems", identifier, item)
        keep(
            "CFItemAssociations",
            identifier,
            {"CFItem": item, "CFAssociations": associations_of[identifier]},
        )
    for collection in ("CFLicenses", "CFAssociationGroupings"):
        for identifier, entry in definitions[collection].items():
            keep(collection, identifier, entry)
    for collection in ("CFItemTypes", "CFConcepts", "CFSubjects"):
        entries = definitions[collection]
        for identifier, entry in entries.items():
            keep(collection, identifier, {collection: [entry, *_children(entry, entries)]})
    return {DOCUMENTS: documents, **kept}


def _children(entry: dict, entries: dict[str, dict]) -> list[dict]:
    """The entries one step below ``entry`` in the hierarchy their codes make ("1.1" is
    below "1"): the binding answers a set, the asked-for entry first, then its children."""
    prefix = entry["hierarchyCode"] + "."
    return [
        other
        for other in entries.values()
        if other["hierarchyCode"].startswith(prefix)
        and "." not in other["hierarchyCode"][len(prefix) :]
    ]
