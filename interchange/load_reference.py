"""Loading the reference data: service areas, career levels and standards."""

from competences.models import Standard
from roles.models import Area, Level

from .bulk import Table
from .document import LEVEL_NORMS, LEVEL_PROFICIENCIES, PROFICIENCY_NAMES
from .entries import entries_of, entry_errors

PROFICIENCY_BY_NAME = {name: value for value, name in PROFICIENCY_NAMES.items()}


def level_norms(item: dict) -> dict:
    """The norms a level entry gives, proficiencies read from their names; a file made
    before levels carried norms gives none, and the stored ones stay."""
    norms = {name: item[name] for name in LEVEL_NORMS if item.get(name) not in (None, "")}
    for name in LEVEL_PROFICIENCIES:
        if name in norms:
            if norms[name] not in PROFICIENCY_BY_NAME:
                raise ValueError(
                    f"{name} must be one of {', '.join(PROFICIENCY_BY_NAME)}, not {norms[name]!r}"
                )
            norms[name] = PROFICIENCY_BY_NAME[norms[name]]
    return norms


def load_reference_data(document, report, locate, remove_missing) -> tuple:
    """Areas, levels and standards, by slug, number and reference, with their tables."""
    areas = Table(
        Area,
        Area.objects.all(),
        lambda area: area.slug,
        ["name", "short_name", "summary", "description", "position"],
    )
    for index, item in enumerate(entries_of(document, "areas")):
        where = locate("areas", index)
        with entry_errors(where):
            areas.upsert(
                report,
                "Areas",
                item["slug"],
                {"slug": item["slug"]},
                {
                    "name": item["name"],
                    "short_name": item["short_name"],
                    "summary": item["summary"],
                    "description": item.get("description", ""),
                    "position": item.get("position", 0),
                },
                where,
            )
    levels = Table(
        Level,
        Level.objects.all(),
        lambda level: level.number,
        ["name", "descriptor", "indicative_band", *LEVEL_NORMS],
    )
    for index, item in enumerate(entries_of(document, "levels")):
        where = locate("levels", index)
        with entry_errors(where):
            levels.upsert(
                report,
                "Levels",
                item["number"],
                {"number": item["number"]},
                {
                    "name": item["name"],
                    "descriptor": item.get("descriptor", ""),
                    "indicative_band": item.get("indicative_band", ""),
                    # A file made before levels carried norms keeps the stored ones.
                    **level_norms(item),
                },
                where,
            )
    standards = Table(
        Standard,
        Standard.objects.all(),
        lambda standard: standard.reference,
        ["code", "suite", "title", "organisation", "url", "status"],
    )
    for index, item in enumerate(entries_of(document, "standards")):
        where = locate("standards", index)
        with entry_errors(where):
            standards.upsert(
                report,
                "Standards",
                item["reference"],
                {"reference": item["reference"]},
                {
                    "code": item["code"],
                    "suite": item["suite"],
                    "title": item["title"],
                    "organisation": item["organisation"],
                    "url": item.get("url") or "",
                    "status": item.get("status", "current"),
                },
                where,
            )
    if remove_missing:
        areas.prune(report, "Areas")
        levels.prune(report, "Levels")
        standards.prune(report, "Standards")
    for table in (areas, levels, standards):
        table.write()
    return areas, levels, standards
