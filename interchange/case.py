"""The framework as CASE 1.0 packages (1EdTech Competencies and Academic Standards Exchange).

``case_packages(document, changed)`` turns the framework document (see
``interchange.document``) into two CFPackages, each holding one CFDocument with its
CFItems, CFAssociations, CFDefinitions and CFRubrics. It reads nothing but the document,
the dates in ``changed`` (``interchange.case_changes``) and the site's public address, so
two exports of unchanged content are the same, identifiers and bytes alike. Both keep to
the official CASE 1.0 binding's package types and the CASE 1.1 package schema, which
allow nothing beyond the properties they name.

What goes where:

- **The competence framework** (``framework``, the file ``case.json``). Sections,
  subsections and competence statements are CFItems (title as ``fullStatement``, code as
  ``humanCodingScheme``, the description, knowledge and skills in ``notes``). Each has
  exactly one ``isChildOf`` association to its parent; sections are children of the
  CFDocument. ``sequenceNumber`` numbers siblings from 1 in the framework's order.
  National Occupational Standards are not items of this framework, so a statement mapped
  to one has an ``isRelatedTo`` association whose destination names the standard: its
  official page where the framework knows it, else the standard's page on this site.
  These associations share one CFAssociationGrouping.
- **The role profiles** (``role_profiles``, the file ``case-role-profiles.json``), a
  CFDocument of their own. Each role is a CFItem of type "Role profile" (role code as
  ``humanCodingScheme``, its areas as ``conceptKeywords``), a child of that document. A
  role's requirement of a competence is an ``isRelatedTo`` association from the role to
  the statement in the competence framework's document, placed in one of eight
  CFAssociationGroupings, one for each pair of essential/desirable and proficiency
  ("Essential at working proficiency"). The career framework levels are its CFConcepts.
- **Both** name the service areas as their subjects (CFSubjects) and carry the licence and
  the four proficiencies as a CFRubric, whose levels the groupings' names refer to.

Role profiles are jobs, not competences: a registry that imports every item of a package
as a competency must find nothing but the competence tree in the framework's package.

Identifiers are UUIDs made with ``uuid.uuid5`` from a fixed namespace and the natural key
of each thing: a competence's code, a role's slug, a standard's reference, an area's slug,
a level's number, an item type's or grouping's name, and for an association its type and
the keys of both ends. They stay the same however often the framework is exported, and
whichever database it came from.

URIs are absolute addresses on ``settings.PUBLIC_URL``, and each answers with the thing it
names: items, documents, subjects and concepts use the pages that show them; everything
else (associations, item types, groupings, the licence, the rubric) its address in the
CASE REST service (``interchange.case_service``).

Each ``lastChangeDateTime`` is when that object last changed, from the content's history:
an item when its row did, an association when either end or its place among its siblings
did, a document when any content did (every change raises the version it carries); what
has no history is dated at the framework's last change day, and the definitions written
in code at ``DEFINITIONS_CHANGED``.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from competences.text import split_lines
from roles.models import Proficiency, Requirement

from .case_common import (
    DOCUMENT_KEY,
    ROLE_DOCUMENT_KEY,
    PackageBuilder,
    area_key,
    children_key,
    competence_key,
    key_uuid,
    latest_key,
    level_key,
    link,
    requirement_key,
    requirements_key,
    role_key,
    standard_key,
)
from .errors import ContentError

# The site's page addresses, written out rather than reversed: once published in a
# package a URI must never move, and the site's page addresses are fixed by design.
COMPETENCE_LIST_PAGE = "/competences/"
COMPETENCE_PAGE = "/competences/{code}/"
ROLE_LIST_PAGE = "/roles/"
ROLE_PAGE = "/roles/{slug}/"
STANDARD_PAGE = "/standards/{reference}/"
LEVEL_PAGE = "/levels/{number}/"

# Item types: (title, hierarchy code, description). Role profiles have a hierarchy of
# their own, beside the competence tree's.
ITEM_TYPES = {
    "section": ("Section", "1", "A top-level group of competences."),
    "subsection": ("Subsection", "1.1", "A group of competence statements within a section."),
    "statement": (
        "Competence statement",
        "1.1.1",
        "What a person knows and can do; role profiles require competences at this level.",
    ),
    "role": (
        "Role profile",
        "2",
        "One job in the framework at one career framework level; its requirements are "
        "isRelatedTo associations to competence statements of the competence framework.",
    ),
}
COMPETENCE_KINDS = ("section", "subsection", "statement")

STANDARDS_GROUPING = "national-occupational-standards"

# Proficiencies and requirements in the framework's order, as the document names them.
PROFICIENCIES = [depth.name.lower() for depth in Proficiency]
REQUIREMENTS = [need.value for need in Requirement]


@dataclass(frozen=True)
class CasePackages:
    """The framework's two CFPackages."""

    framework: dict
    role_profiles: dict


def requirement_grouping_title(requirement: str, proficiency: str) -> str:
    """The title of the grouping that holds requirements of this kind and depth."""
    return f"{requirement.capitalize()} at {proficiency} proficiency"


def case_packages(document: dict, changed: dict[str, datetime] | None = None) -> CasePackages:
    """The framework ``document`` as CASE 1.0 CFPackages (dicts ready for JSON), each
    object dated by ``changed`` (see ``interchange.case_changes.change_dates``)."""
    changed = changed or {}
    base = settings.PUBLIC_URL
    framework = _FrameworkPackage(document, changed, base).build()
    role_profiles = _RoleProfilesPackage(document, changed, base).build()
    return CasePackages(framework=framework, role_profiles=role_profiles)


def _package(document: dict, builder: PackageBuilder, definitions: dict) -> dict:
    return {
        "CFDocument": document,
        "CFItems": builder.items,
        "CFAssociations": builder.associations,
        "CFDefinitions": definitions,
        "CFRubrics": [builder.rubric()],
    }


def _item_type(builder: PackageBuilder, key: str) -> dict:
    title, hierarchy, description = ITEM_TYPES[key]
    return builder.definition(
        "CFItemTypes",
        f"item-type:{key}",
        title,
        description=description,
        hierarchyCode=hierarchy,
        typeCode=key,
    )


def competence_link(base: str, competence: dict) -> dict:
    """A LinkURI to a competence's item, from either package."""
    code = competence["code"]
    return {
        "title": competence["title"],
        "identifier": key_uuid(competence_key(code)),
        "uri": base + COMPETENCE_PAGE.format(code=code),
    }


class _FrameworkPackage(PackageBuilder):
    def build(self) -> dict:
        types = {kind: _item_type(self, kind) for kind in COMPETENCE_KINDS}
        standards = self.definition(
            "CFAssociationGroupings",
            f"grouping:{STANDARDS_GROUPING}",
            "National Occupational Standards",
            description=(
                "Links from a competence statement to a National Occupational Standard it maps to."
            ),
        )
        document = self.document_fields(
            DOCUMENT_KEY,
            uri=self.base + COMPETENCE_LIST_PAGE,
            source=self.base + "/",
            title=self.framework["title"],
            description=(
                "The competence tree: sections, subsections and competence statements for "
                "non-custodial health and justice services, with the National Occupational "
                "Standards each statement maps to. The role profiles that need these "
                "competences are a CASE document of their own (identifier "
                f"{key_uuid(ROLE_DOCUMENT_KEY)})."
            ),
        )
        self._competence_items(types)
        self._standard_associations(standards)
        return _package(
            document,
            self,
            {
                "CFSubjects": self.subjects(),
                "CFLicenses": [self.licence()],
                "CFItemTypes": list(types.values()),
                "CFAssociationGroupings": [standards],
            },
        )

    def _competence_items(self, types: dict[str, dict]) -> None:
        siblings: dict[str, int] = {}
        for competence in self.document["competences"]:
            code = competence["code"]
            kind = competence["kind"]
            if kind not in COMPETENCE_KINDS:
                raise ContentError(f"Competence {code}: unknown kind “{kind}”.")
            key = competence_key(code)
            self.items.append(
                self.item(
                    key,
                    uri=competence_link(self.base, competence)["uri"],
                    full_statement=competence["title"],
                    coding=code,
                    item_type=types[kind],
                    notes=_competence_notes(competence),
                    changed=self.date(key),
                )
            )
            parent = competence["parent"]
            parent_key = competence_key(parent) if parent else DOCUMENT_KEY
            if parent_key not in self.links:
                raise ContentError(
                    f"Competence {code}: its parent {parent} does not come before it."
                )
            siblings[parent_key] = siblings.get(parent_key, 0) + 1
            # The document's title comes from the settings, not the content: a link to it
            # changes only when a sibling moves.
            ends = (key, children_key(parent_key)) + ((parent_key,) if parent else ())
            self.associate(
                "isChildOf",
                key,
                self.links[key],
                parent_key,
                self.links[parent_key],
                changed=self.date(*ends),
                position=siblings[parent_key],
            )

    def _standard_associations(self, grouping: dict) -> None:
        standards = {standard["reference"]: standard for standard in self.document["standards"]}
        for competence in self.document["competences"]:
            key = competence_key(competence["code"])
            # Numbered by reference, so a change to any of them may renumber the rest.
            changed = self.date(key, *(standard_key(r) for r in competence["standards"]))
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
                    "identifier": key_uuid(standard_key(reference)),
                    "uri": uri,
                }
                self.associate(
                    "isRelatedTo",
                    key,
                    self.links[key],
                    standard_key(reference),
                    destination,
                    changed=changed,
                    grouping=link(grouping),
                    position=position,
                )


class _RoleProfilesPackage(PackageBuilder):
    def build(self) -> dict:
        role_type = _item_type(self, "role")
        groupings = self._groupings()
        framework = self.framework
        document = self.document_fields(
            ROLE_DOCUMENT_KEY,
            uri=self.base + ROLE_LIST_PAGE,
            source=self.base + ROLE_LIST_PAGE,
            title=f"{framework['title']}: role profiles",
            description=(
                "The framework's role profiles, one item for each, with the competence "
                "statements each role needs as isRelatedTo associations to the items of the "
                f"CASE document “{framework['title']}” (identifier "
                f"{key_uuid(DOCUMENT_KEY)}). Each association's grouping says whether the "
                "competence is essential or desirable and at which proficiency."
            ),
        )
        self._role_items(role_type)
        self._requirement_associations(groupings)
        return _package(
            document,
            self,
            {
                "CFConcepts": self._levels(),
                "CFSubjects": self.subjects(),
                "CFLicenses": [self.licence()],
                "CFItemTypes": [role_type],
                "CFAssociationGroupings": list(groupings.values()),
            },
        )

    def _groupings(self) -> dict[str, dict]:
        groupings = {}
        for requirement in REQUIREMENTS:
            for proficiency in PROFICIENCIES:
                key = requirement_key(requirement, proficiency)
                groupings[key] = self.definition(
                    "CFAssociationGroupings",
                    f"grouping:{key}",
                    requirement_grouping_title(requirement, proficiency),
                    description=(
                        f"Links from a role profile to a competence statement the role "
                        f"needs, as {requirement}, at {proficiency} proficiency."
                    ),
                )
        return groupings

    def _levels(self) -> list[dict]:
        concepts = []
        for level in self.document["levels"]:
            number = level["number"]
            concept = {
                "identifier": key_uuid(level_key(number)),
                "uri": self.base + LEVEL_PAGE.format(number=number),
                "title": f"Career framework level {number}: {level['name']}",
                "keywords": level["name"],
                "hierarchyCode": str(number),
            }
            if level["descriptor"]:
                concept["description"] = level["descriptor"]
            concept["lastChangeDateTime"] = self.date(level_key(number))
            concepts.append(concept)
        return concepts

    def _role_items(self, role_type: dict) -> None:
        area_names = {area["slug"]: area["name"] for area in self.document["areas"]}
        for position, role in enumerate(self.document["roles"], start=1):
            key = role_key(role["slug"])
            try:
                areas = [area_names[slug] for slug in role["areas"]]
            except KeyError as missing:
                raise ContentError(
                    f"Role {role['slug']}: area {missing.args[0]} is not in the document."
                ) from None
            item = self.item(
                key,
                uri=self.base + ROLE_PAGE.format(slug=role["slug"]),
                full_statement=role["title"],
                coding=role["code"],
                item_type=role_type,
                notes=f"Career framework level {role['level']}.\n\n{role['purpose']}".strip(),
                changed=self.date(key, *(area_key(slug) for slug in role["areas"])),
            )
            item["conceptKeywords"] = areas
            self.items.append(item)
            # Roles are numbered by level and title, so any role's change may renumber them.
            self.associate(
                "isChildOf",
                key,
                self.links[key],
                ROLE_DOCUMENT_KEY,
                self.links[ROLE_DOCUMENT_KEY],
                changed=self.date(key, latest_key("roles.roleprofile")),
                position=position,
            )

    def _requirement_associations(self, groupings: dict[str, dict]) -> None:
        competences = {
            competence["code"]: competence_link(self.base, competence)
            for competence in self.document["competences"]
        }
        parents = {c["code"]: c["parent"] for c in self.document["competences"]}
        for role in self.document["roles"]:
            key = role_key(role["slug"])
            # A role's requirements are numbered in tree order: a move of any competence
            # it needs, or of one above it, may renumber them all.
            in_order = set()
            for need in role["competences"]:
                code = need["code"]
                while code is not None and code not in in_order:
                    in_order.add(code)
                    code = parents.get(code)
            changed = self.date(
                key, requirements_key(key), *(competence_key(code) for code in sorted(in_order))
            )
            for position, need in enumerate(role["competences"], start=1):
                destination = competences.get(need["code"])
                if destination is None:
                    raise ContentError(
                        f"Role {role['slug']}: competence {need['code']} is not in the document."
                    )
                grouping = groupings.get(requirement_key(need["requirement"], need["proficiency"]))
                if grouping is None:
                    raise ContentError(
                        f"Role {role['slug']}, competence {need['code']}: unknown requirement "
                        f"“{need['requirement']}” or proficiency “{need['proficiency']}”."
                    )
                self.associate(
                    "isRelatedTo",
                    key,
                    self.links[key],
                    competence_key(need["code"]),
                    destination,
                    changed=changed,
                    grouping=link(grouping),
                    position=position,
                )


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
