"""What the two CASE packages share: identifiers, links, dates and the builder they grow from.

``interchange.case`` says what goes into each package; this module holds the parts both
use, so that an identifier, a link or a date is made one way wherever it appears.
"""

import uuid
from datetime import UTC, datetime

from django.utils import translation

from roles.models import Proficiency
from roles.proficiency import ANCHORS, DEFINITIONS

from .errors import ContentError

# Never change this: every identifier in every package ever published hangs on it.
NAMESPACE = uuid.UUID("ccca9d06-e111-4080-aec0-f6ed70624b7c")

# The base path of the CASE 1.0 REST binding; every object without a page of its own
# has its ``uri`` here, where the service answers with the object.
SERVICE_PATH = "/ims/case/v1p0"

UNKNOWN_CHANGE = "1970-01-01T00:00:00+00:00"
# When the definitions written in code (item types, association groupings, the licence
# entry and the proficiency rubric) last changed. They have no history table: move this
# date on whenever their wording changes (tests/test_case_moodle.py checks).
DEFINITIONS_CHANGED = "2026-12-07T00:00:00+00:00"

DOCUMENT_KEY = "document"
ROLE_DOCUMENT_KEY = "document:role-profiles"
RUBRIC_KEY = "rubric:proficiency"


def key_uuid(key: str) -> str:
    """The identifier for the thing with natural key ``key``."""
    return str(uuid.uuid5(NAMESPACE, key))


def competence_key(code: str) -> str:
    return f"competence:{code}"


def role_key(slug: str) -> str:
    return f"role:{slug}"


def standard_key(reference: str) -> str:
    return f"standard:{reference}"


def area_key(slug: str) -> str:
    return f"area:{slug}"


def level_key(number: int) -> str:
    return f"level:{number}"


def requirement_key(requirement: str, proficiency: str) -> str:
    return f"requirement:{requirement}:{proficiency}"


# Keys of the dates ``interchange.case_changes`` reads beside those of single things.
def children_key(parent_key: str) -> str:
    """The last time a child of ``parent_key`` was added, removed, moved or changed."""
    return f"children:{parent_key}"


def requirements_key(role: str) -> str:
    """The last time any requirement of the role with key ``role`` changed."""
    return f"requirements:{role}"


def latest_key(model_label: str) -> str:
    """The last change to any row of a content model (``roles.roleprofile``)."""
    return f"latest:{model_label}"


def link(thing: dict) -> dict:
    """A LinkURI pointing at ``thing``."""
    return {"title": thing["title"], "identifier": thing["identifier"], "uri": thing["uri"]}


def date_time(moment: datetime) -> str:
    """An RFC 3339 date-time in UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def day_date_time(day: str | None) -> str:
    """A day (``2025-03-05``) as the date-time of its start in UTC; unknown: the epoch."""
    return f"{day}T00:00:00+00:00" if day else UNKNOWN_CHANGE


class PackageBuilder:
    """Items, associations and definitions of one CFPackage, with their links and dates.

    ``changed`` maps natural keys (and the keys above) to when they last changed; a
    thing with no date there is dated at the framework's last change day.
    """

    def __init__(self, document: dict, changed: dict[str, datetime], base: str):
        self.document = document
        self.framework = document["framework"]
        self.changed = changed
        self.base = base
        self.fallback = day_date_time(self.framework["last_changed"])
        self.items: list[dict] = []
        self.associations: list[dict] = []
        self.links: dict[str, dict] = {}  # natural key -> LinkURI of an item or the document

    def date(self, *keys: str) -> str:
        """The latest change among ``keys``: an object that shows several things (an
        association shows both its ends) changes when any of them does."""
        known = [self.changed[key] for key in keys if key in self.changed]
        return date_time(max(known)) if known else self.fallback

    def service_uri(self, collection: str, identifier: str) -> str:
        return f"{self.base}{SERVICE_PATH}/{collection}/{identifier}"

    def document_date(self) -> str:
        """The last change to any content: every change raises the version both
        documents carry. Never before the framework's own last change day."""
        latest = [when for key, when in self.changed.items() if key.startswith("latest:")]
        moment = date_time(max(latest)) if latest else self.fallback
        return max(moment, self.fallback)

    def document_fields(
        self, key: str, *, uri: str, source: str, title: str, description: str
    ) -> dict:
        """The CFDocument's fields that both documents write alike, in the binding's order."""
        framework = self.framework
        licence = framework["licence"]
        last_changed = framework["last_changed"] or "not recorded"
        identifier = key_uuid(key)
        self.links[key] = {"title": title, "identifier": identifier, "uri": uri}
        subjects = self.subjects()
        return {
            "identifier": identifier,
            "uri": uri,
            "creator": framework["publisher"],
            "title": title,
            "lastChangeDateTime": self.document_date(),
            "officialSourceURL": source,
            "publisher": framework["publisher"],
            "description": description,
            "subject": [subject["title"] for subject in subjects],
            "subjectURI": [link(subject) for subject in subjects],
            "language": "en",
            "version": str(framework["version"]),
            "adoptionStatus": "Adopted",
            "licenseURI": link(self.licence()),
            # What the content is comes first, where a registry shows the document's notes.
            "notes": (
                (f"{framework['status']} " if framework.get("status") else "")
                + f"Edition {framework['edition']}, version {framework['version']}. "
                f"Content last changed: {last_changed}. "
                f"Licence: {licence['name']} ({licence['url']})."
            ),
        }

    # Definitions

    def definition(self, collection: str, key: str, title: str, **fields) -> dict:
        """A definition written in code, with its address in the service."""
        identifier = key_uuid(key)
        return {
            "identifier": identifier,
            "uri": self.service_uri(collection, identifier),
            "title": title,
            **fields,
            "lastChangeDateTime": DEFINITIONS_CHANGED,
        }

    def licence(self) -> dict:
        licence = self.framework["licence"]
        return self.definition(
            "CFLicenses",
            f"licence:{licence['url']}",
            licence["name"],
            description=f"The licence's own text is at {licence['url']}",
            licenseText=f"{licence['name']}. The full text is at {licence['url']}",
        )

    def subjects(self) -> list[dict]:
        """The service areas, as the subjects both documents address."""
        return [
            {
                "identifier": key_uuid(area_key(area["slug"])),
                "uri": f"{self.base}/areas/{area['slug']}/",
                "title": area["name"],
                "hierarchyCode": str(position),
                "description": area["summary"],
                "lastChangeDateTime": self.date(area_key(area["slug"])),
            }
            for position, area in enumerate(self.document["areas"], start=1)
        ]

    def rubric(self) -> dict:
        """The four proficiencies as a rubric: one criterion, met at four levels, which
        the role profiles' requirement groupings name."""
        identifier = key_uuid(RUBRIC_KEY)
        criterion = key_uuid(f"{RUBRIC_KEY}:criterion")
        page = f"{self.base}/proficiency/"
        with translation.override(None):
            levels = [
                {
                    "identifier": key_uuid(f"{RUBRIC_KEY}:{ANCHORS[depth.value]}"),
                    "uri": f"{page}#{ANCHORS[depth.value]}",
                    "description": str(DEFINITIONS[depth]),
                    "quality": str(depth.label),
                    "score": float(depth.value),
                    "position": depth.value,
                    "rubricCriterionId": criterion,
                    "lastChangeDateTime": DEFINITIONS_CHANGED,
                }
                for depth in Proficiency
            ]
        return {
            "identifier": identifier,
            "uri": self.service_uri("CFRubrics", identifier),
            "title": "Proficiency",
            "description": (
                "How deeply a person holds a competence statement. Each depth includes the "
                "ones before it."
            ),
            "lastChangeDateTime": DEFINITIONS_CHANGED,
            "CFRubricCriteria": [
                {
                    "identifier": criterion,
                    "uri": page,
                    "category": "Proficiency",
                    "description": "How deeply a person holds any one competence statement.",
                    "position": 1,
                    "rubricId": identifier,
                    "lastChangeDateTime": DEFINITIONS_CHANGED,
                    "CFRubricCriterionLevels": levels,
                }
            ],
        }

    # Items and associations

    def item(
        self,
        key: str,
        *,
        uri: str,
        full_statement: str,
        coding: str,
        item_type: dict,
        notes: str,
        changed: str,
    ) -> dict:
        if key in self.links:
            raise ContentError(f"{key} appears twice in the document.")
        identifier = key_uuid(key)
        item = {
            "identifier": identifier,
            "uri": uri,
            "fullStatement": full_statement,
            **({"humanCodingScheme": coding} if coding else {}),
            "CFItemType": item_type["title"],
            "CFItemTypeURI": link(item_type),
            **({"notes": notes} if notes else {}),
            "language": "en",
            "lastChangeDateTime": changed,
        }
        self.links[key] = {"title": full_statement, "identifier": identifier, "uri": uri}
        return item

    def associate(
        self,
        association_type: str,
        origin_key: str,
        origin: dict,
        destination_key: str,
        destination: dict,
        *,
        changed: str,
        grouping: dict | None = None,
        position: int | None = None,
    ) -> None:
        identifier = key_uuid(f"association:{association_type}:{origin_key}:{destination_key}")
        association = {
            "identifier": identifier,
            "associationType": association_type,
            "uri": self.service_uri("CFAssociations", identifier),
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": changed,
        }
        if grouping is not None:
            association["CFAssociationGroupingURI"] = grouping
        if position is not None:
            association["sequenceNumber"] = position
        self.associations.append(association)
