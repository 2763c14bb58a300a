"""The framework as one document: the dict every export is a view of.

``framework_document()`` reads each table once, with plain values, and puts every list
in a fixed order, so that unchanged content always gives the same document (and so the
same bytes in every format). The per-item documents behind each role's and each
competence's own JSON come from here too.
"""

from django.conf import settings
from django.utils import translation

from competences.models import Competence, LearningOpportunity, Standard
from core import provenance, versioning
from pathways.models import Progression, ProgressionDrop
from roles.models import Area, Level, Proficiency, RoleCompetence, RoleProfile

# The document names proficiencies ("working"), where the database keeps their numbers.
PROFICIENCY_NAMES = {depth.value: depth.name.lower() for depth in Proficiency}

AREA_FIELDS = ("slug", "name", "short_name", "position", "summary", "description")
LEVEL_FIELDS = (
    "number",
    "name",
    "descriptor",
    "indicative_band",
    # The level's norms for a role profile, which the health report checks.
    "deepest_proficiency",
    "foundation_proficiency",
    "requirements_min",
    "requirements_max",
    "essential_min",
    "essential_max",
    "expert_max",
)
LEVEL_NORMS = LEVEL_FIELDS[4:]
# The norms that are proficiencies, written by name as role requirements are.
LEVEL_PROFICIENCIES = ("deepest_proficiency", "foundation_proficiency")
STANDARD_FIELDS = ("reference", "code", "suite", "title", "organisation", "url", "status")
COMPETENCE_FIELDS = ("code", "kind", "title", "description", "knowledge", "skills", "foundation")
LEARNING_FIELDS = (
    "title",
    "kind",
    "level",
    "suits_from",
    "suits_to",
    "provider",
    "url",
    "cost",
    "caution",
    "description",
)
ROLE_TEXT_FIELDS = (
    "purpose",
    "responsibilities",
    "entry_requirements",
    "education_and_training",
    "continuing_development",
    "typical_job_titles",
    "indicative_band",
    "lived_experience_route",
    "lived_experience_text",
    "registered_profession",
    "registration",
    "qualifications",
    "experience",
)


def framework_block() -> dict:
    """Title, publisher, edition, version, date of the last change, licence and the
    content's status."""
    version = versioning.current()
    # The title is the untranslated name, so the document never varies with the reader.
    with translation.override(None):
        title = str(settings.SERVICE_NAME)
    return {
        "title": title,
        "publisher": settings.FRAMEWORK_PUBLISHER,
        "edition": settings.FRAMEWORK_EDITION,
        "version": version.number,
        "last_changed": version.last_changed.isoformat() if version.last_changed else None,
        "licence": {
            "name": settings.FRAMEWORK_LICENCE["name"],
            "url": settings.FRAMEWORK_LICENCE["url"],
        },
        "status": provenance.untranslated_status_statement(),
    }


def framework_document() -> dict:
    """The whole framework, everything needed to rebuild it, in the contract's order.

    One query per table, whatever the size of the content.
    """
    # Text keys are sorted here, not by the database, whose collation differs between
    # SQLite and PostgreSQL: the same content gives the same bytes on either.
    areas = sorted(Area.objects.values("pk", *AREA_FIELDS), key=_by("position", "slug"))
    area_order = {area["pk"]: index for index, area in enumerate(areas)}
    area_slugs = {area["pk"]: area["slug"] for area in areas}

    competences = list(
        Competence.objects.order_by("tree_id", "lft").values("pk", "parent_id", *COMPETENCE_FIELDS)
    )
    tree_order = {item["pk"]: index for index, item in enumerate(competences)}
    codes = {item["pk"]: item["code"] for item in competences}

    def in_tree_order(pks) -> list[str]:
        return [codes[pk] for pk in sorted(pks, key=tree_order.__getitem__)]

    standards_of = _grouped(
        Competence.standards.through.objects.values_list("competence_id", "standard__reference")
    )
    learning_links = _grouped(
        LearningOpportunity.competences.through.objects.values_list(
            "learningopportunity_id", "competence_id"
        )
    )
    areas_of = _grouped(RoleProfile.areas.through.objects.values_list("roleprofile_id", "area_id"))
    requirements_of = _grouped(
        (role_id, (competence_id, proficiency, requirement))
        for role_id, competence_id, proficiency, requirement in RoleCompetence.objects.values_list(
            "role_id", "competence_id", "proficiency", "requirement"
        )
    )

    roles = sorted(
        RoleProfile.objects.values(
            "pk", "slug", "code", "title", "level__number", *ROLE_TEXT_FIELDS
        ),
        key=_by("level__number", "title"),
    )
    slugs = {role["pk"]: role["slug"] for role in roles}

    drops_of = _grouped(
        (progression_id, (competence_id, reason))
        for progression_id, competence_id, reason in ProgressionDrop.objects.values_list(
            "progression_id", "competence_id", "reason"
        )
    )
    progressions = sorted(
        Progression.objects.values("pk", "from_role_id", "to_role_id", "kind", "note"),
        key=lambda move: (slugs[move["from_role_id"]], slugs[move["to_role_id"]]),
    )

    return {
        "framework": framework_block(),
        "areas": [_without_pk(area) for area in areas],
        "levels": [
            level | {name: PROFICIENCY_NAMES[level[name]] for name in LEVEL_PROFICIENCIES}
            for level in Level.objects.order_by("number").values(*LEVEL_FIELDS)
        ],
        "standards": sorted(Standard.objects.values(*STANDARD_FIELDS), key=_by("reference")),
        "competences": [
            {
                "code": item["code"],
                "parent": codes[item["parent_id"]] if item["parent_id"] else None,
                "kind": item["kind"],
                "title": item["title"],
                "description": item["description"],
                "knowledge": item["knowledge"],
                "skills": item["skills"],
                "foundation": item["foundation"],
                "standards": sorted(standards_of.get(item["pk"], [])),
            }
            for item in competences
        ],
        "learning": [
            {
                **_without_pk(course),
                "competences": in_tree_order(learning_links.get(course["pk"], [])),
            }
            for course in sorted(
                LearningOpportunity.objects.values("pk", *LEARNING_FIELDS), key=_by("title")
            )
        ],
        "roles": [
            {
                "slug": role["slug"],
                "code": role["code"],
                "title": role["title"],
                "level": role["level__number"],
                "areas": [
                    area_slugs[pk]
                    for pk in sorted(areas_of.get(role["pk"], []), key=area_order.__getitem__)
                ],
                **{name: role[name] for name in ROLE_TEXT_FIELDS},
                "competences": [
                    {
                        "code": codes[competence_id],
                        "proficiency": PROFICIENCY_NAMES[proficiency],
                        "requirement": requirement,
                    }
                    for competence_id, proficiency, requirement in sorted(
                        requirements_of.get(role["pk"], []), key=lambda row: tree_order[row[0]]
                    )
                ],
            }
            for role in roles
        ],
        "progressions": [
            {
                "from": slugs[move["from_role_id"]],
                "to": slugs[move["to_role_id"]],
                "kind": move["kind"],
                "note": move["note"],
                "drops": [
                    {"code": codes[competence_id], "reason": reason}
                    for competence_id, reason in sorted(
                        drops_of.get(move["pk"], []), key=lambda row: tree_order[row[0]]
                    )
                ],
            }
            for move in progressions
        ],
    }


def role_document(role_slug: str) -> dict | None:
    """One role as the framework document has it, with the titles of the competences it
    needs; None when there is no role with that slug."""
    role = (
        RoleProfile.objects.filter(slug=role_slug)
        .values("pk", "slug", "code", "title", "level__number", *ROLE_TEXT_FIELDS)
        .first()
    )
    if role is None:
        return None
    areas = sorted(
        Area.objects.filter(roles=role["pk"]).values(*AREA_FIELDS), key=_by("position", "slug")
    )
    requirements = (
        RoleCompetence.objects.filter(role=role["pk"])
        .order_by("competence__tree_id", "competence__lft")
        .values_list("competence__code", "competence__title", "proficiency", "requirement")
    )
    requirements = list(requirements)
    return {
        "framework": framework_block(),
        "role": {
            "slug": role["slug"],
            "code": role["code"],
            "title": role["title"],
            "level": role["level__number"],
            "areas": [area["slug"] for area in areas],
            **{name: role[name] for name in ROLE_TEXT_FIELDS},
            "competences": [
                {
                    "code": code,
                    "proficiency": PROFICIENCY_NAMES[proficiency],
                    "requirement": requirement,
                }
                for code, _title, proficiency, requirement in requirements
            ],
        },
        "competences": [
            {"code": code, "title": title} for code, title, _proficiency, _need in requirements
        ],
    }


def competence_document(code: str) -> dict | None:
    """One competence as the framework document has it, with its children, its standards
    and the roles that need it; None when there is no competence with that code."""
    item = (
        Competence.objects.filter(code=code)
        .values("pk", "parent__code", *COMPETENCE_FIELDS)
        .first()
    )
    if item is None:
        return None
    standards = sorted(
        Standard.objects.filter(competences=item["pk"]).values(*STANDARD_FIELDS),
        key=_by("reference"),
    )
    children = Competence.objects.filter(parent=item["pk"]).order_by("tree_id", "lft")
    needed_by = RoleCompetence.objects.filter(competence=item["pk"]).values_list(
        "role__slug", "role__title", "role__level__number", "proficiency", "requirement"
    )
    return {
        "framework": framework_block(),
        "competence": {
            "code": item["code"],
            "parent": item["parent__code"],
            "kind": item["kind"],
            "title": item["title"],
            "description": item["description"],
            "knowledge": item["knowledge"],
            "skills": item["skills"],
            "foundation": item["foundation"],
            "standards": [standard["reference"] for standard in standards],
        },
        "children": list(children.values("code", "title")),
        "standards": standards,
        "roles": [
            {
                "slug": slug,
                "title": title,
                "level": level,
                "proficiency": PROFICIENCY_NAMES[proficiency],
                "requirement": requirement,
            }
            for slug, title, level, proficiency, requirement in sorted(
                needed_by, key=lambda row: (row[2], row[1])
            )
        ],
    }


def _by(*fields):
    """A sort key on ``fields`` of a values() row, comparing text by code point."""
    return lambda row: tuple(row[name] for name in fields)


def _grouped(pairs) -> dict:
    """{key: [value, ...]} from (key, value) pairs, values in the order they came."""
    groups: dict = {}
    for key, value in pairs:
        groups.setdefault(key, []).append(value)
    return groups


def _without_pk(row: dict) -> dict:
    return {name: value for name, value in row.items() if name != "pk"}
