"""The framework as a CASE 1.0 package (1EdTech Competencies and Academic Standards Exchange).

``case_package(document)`` turns the framework document (see ``interchange.document``)
into one CFPackage: a CFDocument, CFItems, CFAssociations and CFDefinitions. It reads
nothing but the document and the site's public address, so two exports of unchanged
content are the same, identifiers and bytes alike.

What goes where:

- **The tree.** Sections, subsections and competence statements are CFItems (title as
  ``fullStatement``, code as ``humanCodingScheme``, the description, knowledge and skills
  in ``notes``). Each has exactly one ``isChildOf`` association to its parent; sections
  are children of the CFDocument. ``sequenceNumber`` numbers siblings from 1 in the
  framework's order.
- **National Occupational Standards** are not items of this framework, so a statement
  that is mapped to one has an ``isRelatedTo`` association whose destination names the
  standard: its official page where the framework knows it, else the standard's page on
  this site. These associations share one CFAssociationGrouping.
- **Role profiles** are CFItems of type "Role profile" (role code as
  ``humanCodingScheme``, the role's page as ``uri``). So that every item keeps exactly one
  parent and the competence tree is left as it is, they sit under one item, "Role
  profiles", which is a child of the CFDocument. A role's requirement of a competence is
  an ``isRelatedTo`` association from the role to the statement, placed in one of eight
  CFAssociationGroupings, one for each pair of essential/desirable and proficiency
  ("Essential at working proficiency"). The role, the statement, the depth and whether it
  is essential can all be read from the association and its grouping, with no prose to
  parse. Rejected: writing requirements into the role's ``notes`` (not machine-readable),
  and ``hasSkillLevel`` links to proficiency items (one association joins two nodes, but a
  requirement joins three: role, competence and depth).

Identifiers are UUIDs made with ``uuid.uuid5`` from a fixed namespace and the natural key
of each thing: a competence's code, a role's slug, a standard's reference, an item type's
or grouping's name, and for an association its type and the keys of both ends. They stay
the same however often the framework is exported, and whichever database it came from.

URIs are absolute addresses on ``settings.PUBLIC_URL``: items, roles and the document use
the pages that show them; associations and definitions, which have no page of their own,
use ``{PUBLIC_URL}/case/<collection>/<identifier>``.

Every ``lastChangeDateTime`` is the framework's last change day at midnight UTC, taken
from the document, never the moment of the export. A database whose change date was never
recorded is dated at the Unix epoch, the usual stand-in for "unknown", so that the package
still never varies between exports.
"""

import uuid

from django.conf import settings

from competences.text import split_lines
from roles.models import Proficiency, Requirement

from .errors import ContentError

# Never change this: every identifier in every package ever published hangs on it.
NAMESPACE = uuid.UUID("ccca9d06-e111-4080-aec0-f6ed70624b7c")

UNKNOWN_CHANGE = "1970-01-01T00:00:00+00:00"

# The site's page addresses, written out rather than reversed: once published in a
# package a URI must never move, and the site's page addresses are fixed by design.
COMPETENCE_LIST_PAGE = "/competences/"
COMPETENCE_PAGE = "/competences/{code}/"
ROLE_LIST_PAGE = "/roles/"
ROLE_PAGE = "/roles/{slug}/"
STANDARD_PAGE = "/standards/{reference}/"

DOCUMENT_KEY = "document"
ROLE_GROUP_KEY = "role-profiles"

# Item types: (title, hierarchy code, description). The hierarchy codes place roles
# beside the competence tree, not inside it.
ITEM_TYPES = {
    "section": ("Section", "1", "A top-level group of competences."),
    "subsection": ("Subsection", "1.1", "A group of competence statements within a section."),
    "statement": (
        "Competence statement",
        "1.1.1",
        "What a person knows and can do; role profiles require competences at this level.",
    ),
    "role-group": ("Role profiles", "2", "The framework's role profiles."),
    "role": (
        "Role profile",
        "2.1",
        "One job in the framework at one career framework level; its requirements are "
        "isRelatedTo associations to competence statements.",
    ),
}

STANDARDS_GROUPING = "national-occupational-standards"

# Proficiencies and requirements in the framework's order, as the document names them.
PROFICIENCIES = [depth.name.lower() for depth in Proficiency]
REQUIREMENTS = [need.value for need in Requirement]


def requirement_grouping_title(requirement: str, proficiency: str) -> str:
    """The title of the grouping that holds requirements of this kind and depth."""
    return f"{requirement.capitalize()} at {proficiency} proficiency"


def key_uuid(key: str) -> str:
    """The identifier for the thing with natural key ``key``."""
    return str(uuid.uuid5(NAMESPACE, key))


def case_package(document: dict) -> dict:
    """The framework ``document`` as a CASE 1.0 CFPackage (a dict ready for JSON)."""
    return _PackageBuilder(document).build()


class _PackageBuilder:
    def __init__(self, document: dict):
        self.document = document
        self.framework = document["framework"]
        self.base = settings.PUBLIC_URL
        self.changed = _change_date_time(self.framework["last_changed"])
        self.items: list[dict] = []
        self.associations: list[dict] = []
        self.links: dict[str, dict] = {}  # natural key -> LinkURI of the item or document
        self.type_links: dict[str, dict] = {}
        self.grouping_links: dict[str, dict] = {}
        licence = self.framework["licence"]
        self.licence = {
            "identifier": key_uuid(f"licence:{licence['url']}"),
            "uri": licence["url"],
            "title": licence["name"],
            "licenseText": f"{licence['name']}. The full text is at {licence['url']}",
            "lastChangeDateTime": self.changed,
        }

    def build(self) -> dict:
        document = self._document()
        item_types = self._item_types()
        groupings = self._groupings()
        self._competence_items()
        self._role_items()
        self._standard_associations()
        self._requirement_associations()
        return {
            "CFDocument": document,
            "CFItems": self.items,
            "CFAssociations": self.associations,
            "CFDefinitions": {
                "CFItemTypes": item_types,
                "CFLicenses": [self.licence],
                "CFAssociationGroupings": groupings,
            },
        }

    # The document and its definitions

    def _document(self) -> dict:
        framework = self.framework
        identifier = key_uuid(DOCUMENT_KEY)
        uri = self.base + COMPETENCE_LIST_PAGE
        self.links[DOCUMENT_KEY] = {
            "title": framework["title"],
            "identifier": identifier,
            "uri": uri,
        }
        licence = framework["licence"]
        last_changed = framework["last_changed"] or "not recorded"
        return {
            "identifier": identifier,
            "uri": uri,
            "creator": framework["publisher"],
            "title": framework["title"],
            "lastChangeDateTime": self.changed,
            "officialSourceURL": self.base + "/",
            "publisher": framework["publisher"],
            "description": (
                "Competences, competence statements and role profiles for non-custodial "
                "health and justice services, with the National Occupational Standards "
                "each statement maps to."
            ),
            "language": "en",
            "version": str(framework["version"]),
            "adoptionStatus": "Adopted",
            "licenseURI": _link(self.licence),
            # What the content is comes first, where a registry shows the document's notes.
            "notes": (
                (f"{framework['status']} " if framework.get("status") else "")
                + f"Edition {framework['edition']}, version {framework['version']}. "
                f"Content last changed: {last_changed}. "
                f"Licence: {licence['name']} ({licence['url']})."
            ),
        }

    def _item_types(self) -> list[dict]:
        types = []
        for key, (title, hierarchy, description) in ITEM_TYPES.items():
            item_type = self._definition(
                "CFItemTypes",
                f"item-type:{key}",
                title,
                description=description,
                hierarchyCode=hierarchy,
                typeCode=key,
            )
            self.type_links[key] = _link(item_type)
            types.append(item_type)
        return types

    def _groupings(self) -> list[dict]:
        standards = self._definition(
            "CFAssociationGroupings",
            f"grouping:{STANDARDS_GROUPING}",
            "National Occupational Standards",
            description=(
                "Links from a competence statement to a National Occupational Standard it maps to."
            ),
        )
        self.grouping_links[STANDARDS_GROUPING] = _link(standards)
        groupings = [standards]
        for requirement in REQUIREMENTS:
            for proficiency in PROFICIENCIES:
                key = _requirement_key(requirement, proficiency)
                grouping = self._definition(
                    "CFAssociationGroupings",
                    f"grouping:{key}",
                    requirement_grouping_title(requirement, proficiency),
                    description=(
                        f"Links from a role profile to a competence statement the role "
                        f"needs, as {requirement}, at {proficiency} proficiency."
                    ),
                )
                self.grouping_links[key] = _link(grouping)
                groupings.append(grouping)
        return groupings

    def _definition(self, collection: str, key: str, title: str, **fields) -> dict:
        identifier = key_uuid(key)
        return {
            "identifier": identifier,
            "uri": f"{self.base}/case/{collection}/{identifier}",
            "title": title,
            **fields,
            "lastChangeDateTime": self.changed,
        }

    # Items and the tree

    def _competence_items(self) -> None:
        siblings: dict[str, int] = {}
        for competence in self.document["competences"]:
            code = competence["code"]
            kind = competence["kind"]
            if kind not in ("section", "subsection", "statement"):
                raise ContentError(f"Competence {code}: unknown kind “{kind}”.")
            key = _competence_key(code)
            item = self._item(
                key,
                uri=self.base + COMPETENCE_PAGE.format(code=code),
                full_statement=competence["title"],
                coding=code,
                item_type=kind,
                notes=_competence_notes(competence),
            )
            self.items.append(item)
            parent = competence["parent"]
            parent_key = _competence_key(parent) if parent else DOCUMENT_KEY
            if parent_key not in self.links:
                raise ContentError(
                    f"Competence {code}: its parent {parent} does not come before it."
                )
            siblings[parent_key] = siblings.get(parent_key, 0) + 1
            self._child_of(key, parent_key, siblings[parent_key])
        self.sections = siblings.get(DOCUMENT_KEY, 0)

    def _role_items(self) -> None:
        self.items.append(
            self._item(
                ROLE_GROUP_KEY,
                uri=self.base + ROLE_LIST_PAGE,
                full_statement="Role profiles",
                coding="",
                item_type="role-group",
                notes="The framework's role profiles, by career framework level.",
            )
        )
        self._child_of(ROLE_GROUP_KEY, DOCUMENT_KEY, self.sections + 1)
        area_names = {area["slug"]: area["name"] for area in self.document["areas"]}
        for position, role in enumerate(self.document["roles"], start=1):
            key = _role_key(role["slug"])
            item = self._item(
                key,
                uri=self.base + ROLE_PAGE.format(slug=role["slug"]),
                full_statement=role["title"],
                coding=role["code"],
                item_type="role",
                notes=f"Career framework level {role['level']}.\n\n{role['purpose']}".strip(),
            )
            try:
                item["conceptKeywords"] = [area_names[slug] for slug in role["areas"]]
            except KeyError as missing:
                raise ContentError(
                    f"Role {role['slug']}: area {missing.args[0]} is not in the document."
                ) from None
            self.items.append(item)
            self._child_of(key, ROLE_GROUP_KEY, position)

    def _item(
        self, key: str, *, uri: str, full_statement: str, coding: str, item_type: str, notes: str
    ) -> dict:
        if key in self.links:
            raise ContentError(f"{key} appears twice in the document.")
        identifier = key_uuid(key)
        item = {
            "identifier": identifier,
            "uri": uri,
            "fullStatement": full_statement,
            **({"humanCodingScheme": coding} if coding else {}),
            "CFItemType": ITEM_TYPES[item_type][0],
            "CFItemTypeURI": self.type_links[item_type],
            **({"notes": notes} if notes else {}),
            "language": "en",
            "lastChangeDateTime": self.changed,
            "CFDocumentURI": self.links[DOCUMENT_KEY],
        }
        self.links[key] = {"title": full_statement, "identifier": identifier, "uri": uri}
        return item

    def _child_of(self, child_key: str, parent_key: str, position: int) -> None:
        self._associate(
            "isChildOf",
            child_key,
            self.links[child_key],
            parent_key,
            self.links[parent_key],
            position=position,
        )

    # Associations beyond the tree

    def _standard_associations(self) -> None:
        standards = {standard["reference"]: standard for standard in self.document["standards"]}
        grouping = self.grouping_links[STANDARDS_GROUPING]
        for competence in self.document["competences"]:
            key = _competence_key(competence["code"])
            for position, reference in enumerate(competence["standards"], start=1):
                standard = standards.get(reference)
                if standard is None:
                    raise ContentError(
                        f"Competence {competence['code']}: standard {reference} is not in "
                        "the document."
                    )
                uri = standard["url"] or self.base + STANDARD_PAGE.format(reference=reference)
                destination = {
                    "title": f"{standard['code']} {standard['title']} ({standard['suite']})",
                    "identifier": key_uuid(_standard_key(reference)),
                    "uri": uri,
                }
                self._associate(
                    "isRelatedTo",
                    key,
                    self.links[key],
                    _standard_key(reference),
                    destination,
                    grouping=grouping,
                    position=position,
                )

    def _requirement_associations(self) -> None:
        for role in self.document["roles"]:
            role_key = _role_key(role["slug"])
            for position, need in enumerate(role["competences"], start=1):
                competence_key = _competence_key(need["code"])
                if competence_key not in self.links:
                    raise ContentError(
                        f"Role {role['slug']}: competence {need['code']} is not in the document."
                    )
                grouping_key = _requirement_key(need["requirement"], need["proficiency"])
                if grouping_key not in self.grouping_links:
                    raise ContentError(
                        f"Role {role['slug']}, competence {need['code']}: unknown requirement "
                        f"“{need['requirement']}” or proficiency “{need['proficiency']}”."
                    )
                self._associate(
                    "isRelatedTo",
                    role_key,
                    self.links[role_key],
                    competence_key,
                    self.links[competence_key],
                    grouping=self.grouping_links[grouping_key],
                    position=position,
                )

    def _associate(
        self,
        association_type: str,
        origin_key: str,
        origin: dict,
        destination_key: str,
        destination: dict,
        *,
        grouping: dict | None = None,
        position: int | None = None,
    ) -> None:
        identifier = key_uuid(f"association:{association_type}:{origin_key}:{destination_key}")
        association = {
            "identifier": identifier,
            "associationType": association_type,
            "uri": f"{self.base}/case/CFAssociations/{identifier}",
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": self.changed,
            "CFDocumentURI": self.links[DOCUMENT_KEY],
        }
        if grouping is not None:
            association["CFAssociationGroupingURI"] = grouping
        if position is not None:
            association["sequenceNumber"] = position
        self.associations.append(association)


def _competence_key(code: str) -> str:
    return f"competence:{code}"


def _role_key(slug: str) -> str:
    return f"role:{slug}"


def _standard_key(reference: str) -> str:
    return f"standard:{reference}"


def _requirement_key(requirement: str, proficiency: str) -> str:
    return f"requirement:{requirement}:{proficiency}"


def _link(thing: dict) -> dict:
    """A LinkURI pointing at ``thing``."""
    return {"title": thing["title"], "identifier": thing["identifier"], "uri": thing["uri"]}


def _change_date_time(last_changed: str | None) -> str:
    """The document's last change day as an RFC 3339 date-time."""
    if not last_changed:
        return UNKNOWN_CHANGE
    return f"{last_changed}T00:00:00+00:00"


def _competence_notes(competence: dict) -> str:
    """The description, then what a person knows and can do, as plain text."""
    parts = [competence["description"].strip()]
    for heading, text in (
        ("What a person knows", competence["knowledge"]),
        ("What a person can do", competence["skills"]),
    ):
        lines = split_lines(text)
        if lines:
            parts.append(heading + ":\n" + "\n".join(f"- {line}" for line in lines))
    return "\n\n".join(part for part in parts if part)
