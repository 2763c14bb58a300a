"""Loading the framework's seed content from the YAML files in ``fixtures/``.

The files are the readable source of the content; loading them is idempotent: each
item is matched on its natural key (slug, number, code) and updated in place, so a
second load changes nothing. Items that editors added and the files do not mention
are left alone. One load is one transaction: a bad file changes nothing.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from competences.models import Competence, LearningOpportunity, Standard
from competences.selectors import competence_tree_problems
from competences.services import TreeNode, competence_tree_load
from pathways.models import Progression, ProgressionDrop

from .models import Area, Level, Proficiency, RoleCompetence, RoleProfile

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"


class ContentError(Exception):
    """Seed content that cannot be loaded; the message names the file and the item."""


@dataclass
class LoadReport:
    """How many items of each kind a load created, updated or left as they were."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, kind: str, outcome: str, amount: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += amount

    def lines(self) -> list[str]:
        return [
            f"{kind}: {sum(c.values())} ({c['created']} created, {c['updated']} updated, "
            f"{c['unchanged']} unchanged)"
            for kind, c in self.counts.items()
        ]


def _read(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as error:
        raise ContentError(f"{path.name}: file is missing") from error
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: not valid YAML: {error}") from error


def _lines(value) -> str:
    """Lists in the YAML become one-per-line text fields."""
    if isinstance(value, list):
        return "\n".join(str(item).strip() for item in value)
    return (value or "").strip()


def _upsert(report: LoadReport, kind: str, model, lookup: dict, values: dict, where: str):
    """Create or update one row matched on ``lookup``; validate before writing."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        outcome = "created"
    else:
        changed = any(getattr(instance, key) != value for key, value in values.items())
        for key, value in values.items():
            setattr(instance, key, value)
        outcome = "updated" if changed else "unchanged"
    try:
        instance.full_clean(validate_unique=False)
    except ValidationError as error:
        raise ContentError(f"{where}: {error.message_dict}") from error
    if outcome != "unchanged":
        instance.save()
    report.add(kind, outcome)
    return instance


def _tree_nodes(items: list, standards: dict, where: str, depth: int = 0) -> list[TreeNode]:
    nodes = []
    for item in items or []:
        code = item.get("code")
        if not code or not item.get("title"):
            raise ContentError(f"{where}: every node needs a code and a title ({item!r:.80})")
        if depth == 0:
            kind = "section"
        else:
            kind = item.get("kind") or ("subsection" if item.get("children") else "statement")
        missing = [ref for ref in item.get("standards", []) if ref not in standards]
        if missing:
            raise ContentError(f"{where}: {code} links to unknown standards {missing}")
        nodes.append(
            TreeNode(
                code=code,
                kind=kind,
                title=item["title"].strip(),
                description=_lines(item.get("description")),
                knowledge=_lines(item.get("knowledge")),
                skills=_lines(item.get("skills")),
                standards=[standards[ref] for ref in item.get("standards", [])],
                children=_tree_nodes(item.get("children"), standards, where, depth + 1),
            )
        )
    return nodes


def _codes(node: TreeNode):
    yield node.code
    for child in node.children:
        yield from _codes(child)


def _load_reference_data(directory: Path, report: LoadReport) -> None:
    for item in _read(directory / "areas.yaml") or []:
        _upsert(
            report,
            "Areas",
            Area,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "short_name": item["short_name"],
                "summary": item["summary"].strip(),
                "description": _lines(item.get("description")),
                "position": item.get("position", 0),
            },
            f"areas.yaml {item['slug']}",
        )
    for item in _read(directory / "levels.yaml") or []:
        _upsert(
            report,
            "Levels",
            Level,
            {"number": item["number"]},
            {
                "name": item["name"],
                "descriptor": _lines(item.get("descriptor")),
                "indicative_band": item.get("indicative_band", ""),
            },
            f"levels.yaml level {item['number']}",
        )
    for item in _read(directory / "standards.yaml") or []:
        _upsert(
            report,
            "Standards",
            Standard,
            {"code": item["code"], "suite": item["suite"]},
            {
                "reference": item.get("reference", item["code"]),
                "title": item["title"].strip(),
                "organisation": item["organisation"],
                "url": item.get("url") or "",
                "status": item.get("status", "current"),
            },
            f"standards.yaml {item['code']}",
        )


def _load_competences(directory: Path, report: LoadReport) -> None:
    standards = {standard.reference: standard for standard in Standard.objects.all()}
    sections = []
    for path in sorted((directory / "competences").glob("*.yaml")):
        sections += _tree_nodes(_read(path), standards, f"competences/{path.name}")
    if not sections:
        raise ContentError("competences/: no competence sections found")
    codes = Counter(code for section in sections for code in _codes(section))
    repeated = sorted(code for code, count in codes.items() if count > 1)
    if repeated:
        raise ContentError(f"competences/: codes used more than once: {repeated}")
    counts = competence_tree_load(sections=sections)
    report.add("Competences", "created", counts["created"])
    report.add("Competences", "updated", counts["updated"])
    report.add("Competences", "unchanged", counts["unchanged"])

    competences = {c.code: c for c in Competence.objects.all()}
    for item in _read(directory / "learning.yaml") or []:
        where = f"learning.yaml {item.get('title')}"
        learning = _upsert(
            report,
            "Learning opportunities",
            LearningOpportunity,
            {"title": item["title"]},
            {
                "kind": item["kind"],
                # Blank means the learning suits every level.
                "level": item.get("level") or None,
                "provider": item.get("provider", ""),
                "url": item.get("url", ""),
                "description": _lines(item.get("description")),
            },
            where,
        )
        unknown = [code for code in item.get("competences", []) if code not in competences]
        if unknown:
            raise ContentError(f"{where}: unknown competences {unknown}")
        learning.competences.set([competences[code] for code in item.get("competences", [])])


def _load_role(path: Path, report: LoadReport, competences: dict) -> None:
    item = _read(path)
    where = path.name
    if not isinstance(item, dict) or "slug" not in item:
        raise ContentError(f"{where}: a role file needs at least a slug")
    try:
        level = Level.objects.get(number=item["level"])
    except (Level.DoesNotExist, KeyError) as error:
        raise ContentError(f"{where}: unknown level {item.get('level')!r}") from error
    role = _upsert(
        report,
        "Role profiles",
        RoleProfile,
        {"slug": item["slug"]},
        {
            "title": item["title"].strip(),
            "code": item["code"],
            "level": level,
            "purpose": _lines(item.get("purpose")),
            "responsibilities": _lines(item.get("responsibilities")),
            "entry_requirements": _lines(item.get("entry_requirements")),
            "education_and_training": _lines(item.get("education_and_training")),
            "continuing_development": _lines(item.get("continuing_development")),
            "typical_job_titles": _lines(item.get("typical_job_titles")),
            "indicative_band": str(item.get("indicative_band", "")),
            "lived_experience_route": bool(item.get("lived_experience_route", False)),
            "lived_experience_text": _lines(item.get("lived_experience_text")),
            "registered_profession": bool(item.get("registered_profession", False)),
        },
        where,
    )
    areas = list(Area.objects.filter(slug__in=item.get("areas", [])))
    if len(areas) != len(set(item.get("areas", []))) or not areas:
        raise ContentError(f"{where}: unknown or missing areas {item.get('areas')}")
    role.areas.set(areas)

    wanted = {}
    for requirement in item.get("competences", []):
        code = requirement.get("code")
        competence = competences.get(code)
        if competence is None or not competence.is_statement:
            raise ContentError(f"{where}: {code!r} is not a competence statement in the tree")
        if code in wanted:
            raise ContentError(f"{where}: {code} is listed twice")
        try:
            proficiency = Proficiency[str(requirement.get("proficiency", "working")).upper()]
        except KeyError as error:
            raise ContentError(
                f"{where}: {code} has unknown proficiency {requirement.get('proficiency')!r}"
            ) from error
        wanted[code] = (proficiency, requirement.get("requirement", "essential"))
    current = {rc.competence.code: rc for rc in role.requirements.select_related("competence")}
    for code, stored in current.items():
        if code not in wanted:
            stored.delete()
            report.add("Role competences", "updated")
    for code, (proficiency, requirement) in wanted.items():
        _upsert(
            report,
            "Role competences",
            RoleCompetence,
            {"role": role, "competence": competences[code]},
            {"proficiency": proficiency, "requirement": requirement},
            f"{where} {code}",
        )


def _load_progressions(directory: Path, report: LoadReport, competences: dict) -> None:
    roles = {role.slug: role for role in RoleProfile.objects.all()}
    for item in _read(directory / "progressions.yaml") or []:
        where = f"progressions.yaml {item.get('from')} -> {item.get('to')}"
        if item.get("from") not in roles or item.get("to") not in roles:
            raise ContentError(f"{where}: unknown role")
        counts = report.counts.setdefault("Progressions", Counter())
        unchanged = counts["unchanged"]
        move = _upsert(
            report,
            "Progressions",
            Progression,
            {"from_role": roles[item["from"]], "to_role": roles[item["to"]]},
            {"kind": item["kind"], "note": _lines(item.get("note"))},
            where,
        )
        if _load_drops(move, item.get("drops") or [], competences, where):
            # The drops belong to the move, as its note does: new reasons update it.
            if counts["unchanged"] > unchanged:
                counts["unchanged"] -= 1
                counts["updated"] += 1


def _load_drops(move, items: list, competences: dict, where: str) -> bool:
    """Store why ``move`` leaves behind competences its starting role needs.

    A drop must name a competence the starting role needs as essential and the role the
    move leads to does not need, or needs less deeply; anything else is a content error,
    so a reason never outlives the gap it explains. Returns whether anything changed.
    """
    before = {
        rc.competence.code: rc for rc in move.from_role.requirements.select_related("competence")
    }
    after = dict(move.to_role.requirements.values_list("competence__code", "proficiency"))
    wanted = {}
    for drop in items:
        code, reason = drop.get("code"), _lines(drop.get("reason"))
        if code not in competences:
            raise ContentError(f"{where}: drops unknown competence {code!r}")
        if not reason:
            raise ContentError(f"{where}: the drop of {code} needs a reason")
        if code in wanted:
            raise ContentError(f"{where}: drops {code} twice")
        needed = before.get(code)
        if needed is None or not needed.is_essential:
            raise ContentError(
                f"{where}: drops {code}, which {move.from_role.slug} does not need as essential"
            )
        if after.get(code, 0) >= needed.proficiency:
            raise ContentError(
                f"{where}: drops {code}, but {move.to_role.slug} needs it at the same "
                "proficiency or more, so nothing is dropped"
            )
        wanted[code] = reason
    stored = {drop.competence.code: drop for drop in move.drops.select_related("competence")}
    changed = False
    for code, drop in stored.items():
        if code not in wanted:
            drop.delete()
            changed = True
    for code, reason in wanted.items():
        drop = stored.get(code) or ProgressionDrop(progression=move, competence=competences[code])
        if drop.pk and drop.reason == reason:
            continue
        drop.reason = reason
        drop.full_clean(validate_unique=False)
        drop.save()
        changed = True
    return changed


def framework_load(*, directory: Path = FIXTURES_DIR, dry_run: bool = False) -> LoadReport:
    """Load every seed file in ``directory`` in one transaction and report what changed.

    Raises ContentError, with nothing written, when any file is invalid. With
    ``dry_run`` the work is done and reported, then rolled back.
    """
    report = LoadReport()
    with transaction.atomic():
        _load_reference_data(directory, report)
        _load_competences(directory, report)
        competences = {c.code: c for c in Competence.objects.all()}
        for path in sorted((directory / "roles").glob("*.yaml")):
            _load_role(path, report, competences)
        _load_progressions(directory, report, competences)
        problems = competence_tree_problems()
        if problems:
            raise ContentError("the competence tree is corrupt: " + "; ".join(problems))
        if dry_run:
            transaction.set_rollback(True)
    return report


def framework_is_empty() -> bool:
    """True when no role profiles or competences are stored yet."""
    return not RoleProfile.objects.exists() and not Competence.objects.exists()
