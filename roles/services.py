"""Loading the framework's seed content from the YAML files in ``fixtures/``.

The files are the readable source of the content; loading them is idempotent: each
item is matched on its natural key (slug, number, code) and updated in place, so a
second load changes nothing. Items that editors added and the files do not mention
are left alone. One load is one transaction: a bad file changes nothing.

Loading works in bulk: each table is read once, every item is checked in memory
(field validation and the models' check constraints, without a query per item), and
then only new rows are inserted and only rows whose values differ are updated, so a
load of unchanged content writes nothing and the number of queries does not grow with
the content. The competence tree is numbered once, in Python.
"""

import operator
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import F, Q

from competences.models import Competence, LearningOpportunity, Standard
from competences.selectors import competence_tree_problems
from competences.services import TreeNode, competence_tree_load
from pathways.models import Progression, ProgressionDrop

from .models import Area, Level, Proficiency, RoleCompetence, RoleProfile

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
BATCH_SIZE = 500
# libyaml's parser reads the same safe subset of YAML as PyYAML's own, many times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
            return yaml.load(handle, Loader=SAFE_LOADER)
    except FileNotFoundError as error:
        raise ContentError(f"{path.name}: file is missing") from error
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: not valid YAML: {error}") from error


def _lines(value) -> str:
    """Lists in the YAML become one-per-line text fields."""
    if isinstance(value, list):
        return "\n".join(str(item).strip() for item in value)
    return (value or "").strip()


_LOOKUPS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda value, choices: value in choices,
    "isnull": lambda value, expected: (value is None) == expected,
    "startswith": lambda value, prefix: str(value).startswith(prefix),
}


def _field_value(instance: models.Model, name: str):
    return getattr(instance, instance._meta.get_field(name).attname)


def _condition_fields(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _condition_fields(child)
        else:
            lookup, expected = child
            names.add(lookup.split("__")[0])
            if isinstance(expected, F):
                names.add(expected.name)
    return names


def _holds(condition: Q, instance: models.Model) -> bool:
    """Whether ``instance`` meets a check constraint's condition, worked out in Python.

    Covers the simple lookups the models' constraints use; anything else raises
    KeyError, and the caller asks the database instead.
    """
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_holds(child, instance))
            continue
        lookup, expected = child
        name, _sep, lookup_name = lookup.partition("__")
        if isinstance(expected, F):
            expected = _field_value(instance, expected.name)
        results.append(_LOOKUPS[lookup_name or "exact"](_field_value(instance, name), expected))
    if condition.connector not in (Q.AND, Q.OR):
        raise KeyError(condition.connector)
    holds = all(results) if condition.connector == Q.AND else any(results)
    return holds != condition.negated


def _validate(instance: models.Model, where: str) -> None:
    """Validate ``instance`` as ``full_clean(validate_unique=False)`` does, without queries.

    Relations are left out of field validation (the loader found every related row
    itself, so checking that each exists would cost a query a row), and the check
    constraints are evaluated in Python. Uniqueness is the natural keys' job.
    """
    relations = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    errors = {}
    try:
        instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        # As in full_clean, a field that already failed is not checked again.
        if _condition_fields(constraint.condition) & set(errors):
            continue
        try:
            if _holds(constraint.condition, instance):
                continue
            problem = ValidationError(
                constraint.get_violation_error_message(), code=constraint.violation_error_code
            )
        except (KeyError, TypeError, FieldDoesNotExist):
            try:
                constraint.validate(type(instance), instance)
                continue
            except ValidationError as error:
                problem = error
        errors = problem.update_error_dict(errors)
    if errors:
        raise ContentError(f"{where}: {ValidationError(errors).message_dict}")


def _differs(instance: models.Model, name: str, value) -> bool:
    if isinstance(value, models.Model):
        # Compare related rows by key, so that an unfetched relation costs no query.
        return _field_value(instance, name) != value.pk
    return getattr(instance, name) != value


class _Table:
    """One model's stored rows, read once and kept by natural key, and what a load changes.

    ``upsert`` and ``remove`` work in memory; ``save`` then writes only the differences
    from what was read: new rows in bulk, changed rows in bulk, removed rows at once.
    """

    def __init__(self, model, rows, key, fields: list[str]):
        self.model = model
        self.fields = fields
        self.attnames = [model._meta.get_field(name).attname for name in fields]
        self.rows = {key(row): row for row in rows}
        self.stored = {row.pk: self._values(row) for row in self.rows.values()}

    def _values(self, row) -> tuple:
        return tuple(getattr(row, name) for name in self.attnames)

    def upsert(self, report: LoadReport, kind: str, key, lookup: dict, values: dict, where: str):
        """Create or update the row matched on ``key``; validate it unless unchanged."""
        instance = self.rows.get(key)
        if instance is None:
            instance = self.model(**lookup, **values)
            outcome = "created"
        else:
            changed = any(_differs(instance, name, value) for name, value in values.items())
            for name, value in {**lookup, **values}.items():
                setattr(instance, name, value)
            outcome = "updated" if changed else "unchanged"
        if outcome != "unchanged":
            _validate(instance, where)
        self.rows[key] = instance
        report.add(kind, outcome)
        return instance

    def remove(self, key) -> None:
        del self.rows[key]

    def save(self) -> None:
        kept = {row.pk for row in self.rows.values()}
        gone = [pk for pk in self.stored if pk not in kept]
        if gone:
            self.model.objects.filter(pk__in=gone).delete()
        new = [row for row in self.rows.values() if row.pk is None]
        if new:
            self.model.objects.bulk_create(new, batch_size=BATCH_SIZE)
        changed = [
            row
            for row in self.rows.values()
            if row.pk in self.stored and self._values(row) != self.stored[row.pk]
        ]
        if changed:
            self.model.objects.bulk_update(changed, self.fields, batch_size=BATCH_SIZE)
        self.stored = {row.pk: self._values(row) for row in self.rows.values()}


def _set_links(relation, wanted: dict[int, set[int]]) -> None:
    """Make each owner's many-to-many links exactly ``wanted[owner]``, writing only changes.

    ``relation`` is the many-to-many descriptor (such as ``RoleProfile.areas``); owners
    missing from ``wanted`` keep their links.
    """
    through = relation.through
    source = f"{relation.field.m2m_field_name()}_id"
    target = f"{relation.field.m2m_reverse_field_name()}_id"
    current = {(s, t): pk for pk, s, t in through.objects.values_list("pk", source, target)}
    links = {(owner, item) for owner, items in wanted.items() for item in items}
    gone = [pk for link, pk in current.items() if link[0] in wanted and link not in links]
    if gone:
        through.objects.filter(pk__in=gone).delete()
    added = sorted(links - current.keys())
    if added:
        through.objects.bulk_create(
            [through(**{source: owner, target: item}) for owner, item in added],
            batch_size=BATCH_SIZE,
        )


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


def _load_reference_data(directory: Path, report: LoadReport) -> tuple[dict, dict, dict]:
    """Load areas, levels and standards; return them by slug, number and reference."""
    areas = _Table(
        Area,
        Area.objects.all(),
        lambda area: area.slug,
        ["name", "short_name", "summary", "description", "position"],
    )
    for item in _read(directory / "areas.yaml") or []:
        areas.upsert(
            report,
            "Areas",
            item["slug"],
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
    areas.save()
    levels = _Table(
        Level,
        Level.objects.all(),
        lambda level: level.number,
        ["name", "descriptor", "indicative_band"],
    )
    for item in _read(directory / "levels.yaml") or []:
        levels.upsert(
            report,
            "Levels",
            item["number"],
            {"number": item["number"]},
            {
                "name": item["name"],
                "descriptor": _lines(item.get("descriptor")),
                "indicative_band": item.get("indicative_band", ""),
            },
            f"levels.yaml level {item['number']}",
        )
    levels.save()
    standards = _Table(
        Standard,
        Standard.objects.all(),
        lambda standard: (standard.code, standard.suite),
        ["reference", "title", "organisation", "url", "status"],
    )
    for item in _read(directory / "standards.yaml") or []:
        standards.upsert(
            report,
            "Standards",
            (item["code"], item["suite"]),
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
    standards.save()
    return (
        areas.rows,
        {level.number: level for level in levels.rows.values()},
        {standard.reference: standard for standard in standards.rows.values()},
    )


def _load_competences(directory: Path, report: LoadReport, standards: dict) -> dict:
    """Load the competence tree and the learning; return every competence by code."""
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
    learning = _Table(
        LearningOpportunity,
        LearningOpportunity.objects.all(),
        lambda item: item.title,
        ["kind", "level", "provider", "url", "description"],
    )
    links = {}
    for item in _read(directory / "learning.yaml") or []:
        where = f"learning.yaml {item.get('title')}"
        opportunity = learning.upsert(
            report,
            "Learning opportunities",
            item["title"],
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
        links[item["title"]] = (opportunity, item.get("competences", []))
    learning.save()
    _set_links(
        LearningOpportunity.competences,
        {
            opportunity.pk: {competences[code].pk for code in codes}
            for opportunity, codes in links.values()
        },
    )
    return competences


def _level(levels: dict, number):
    try:
        return levels[int(number)]
    except (KeyError, TypeError, ValueError):
        return None


class _Roles:
    """The role profiles, their areas and their requirements while a load works on them."""

    def __init__(self, competences: dict):
        self.competences = competences
        self.roles = _Table(
            RoleProfile,
            RoleProfile.objects.select_related("level"),
            lambda role: role.slug,
            [
                "title",
                "code",
                "level",
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
            ],
        )
        slugs = {role.pk: slug for slug, role in self.roles.rows.items()}
        codes = {competence.pk: code for code, competence in competences.items()}
        self.requirements = _Table(
            RoleCompetence,
            RoleCompetence.objects.all(),
            lambda need: (slugs[need.role_id], codes[need.competence_id]),
            ["proficiency", "requirement"],
        )
        # What each role needs, by competence code, kept up to date as files are read.
        self.needs: dict[str, dict[str, RoleCompetence]] = {}
        for (slug, code), need in self.requirements.rows.items():
            self.needs.setdefault(slug, {})[code] = need
        self.areas: dict[str, tuple] = {}

    def load(self, path: Path, report: LoadReport, areas: dict, levels: dict) -> None:
        item = _read(path)
        where = path.name
        if not isinstance(item, dict) or "slug" not in item:
            raise ContentError(f"{where}: a role file needs at least a slug")
        level = _level(levels, item.get("level"))
        if level is None:
            raise ContentError(f"{where}: unknown level {item.get('level')!r}")
        slug = item["slug"]
        role = self.roles.upsert(
            report,
            "Role profiles",
            slug,
            {"slug": slug},
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
        found = [areas[slug] for slug in set(item.get("areas", [])) if slug in areas]
        if len(found) != len(set(item.get("areas", []))) or not found:
            raise ContentError(f"{where}: unknown or missing areas {item.get('areas')}")
        self.areas[slug] = (role, found)

        wanted = {}
        for requirement in item.get("competences", []):
            code = requirement.get("code")
            competence = self.competences.get(code)
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
        current = self.needs.setdefault(slug, {})
        for code in list(current):
            if code not in wanted:
                self.requirements.remove((slug, code))
                del current[code]
                report.add("Role competences", "updated")
        for code, (proficiency, requirement) in wanted.items():
            current[code] = self.requirements.upsert(
                report,
                "Role competences",
                (slug, code),
                {"role": role, "competence": self.competences[code]},
                {"proficiency": proficiency, "requirement": requirement},
                f"{where} {code}",
            )

    def save(self) -> None:
        self.roles.save()
        _set_links(
            RoleProfile.areas,
            {role.pk: {area.pk for area in found} for role, found in self.areas.values()},
        )
        self.requirements.save()


def _load_progressions(directory: Path, report: LoadReport, roles: _Roles) -> None:
    by_slug = roles.roles.rows
    slugs = {role.pk: slug for slug, role in by_slug.items()}
    moves = _Table(
        Progression,
        Progression.objects.all(),
        lambda move: (slugs[move.from_role_id], slugs[move.to_role_id]),
        ["kind", "note"],
    )
    codes = {competence.pk: code for code, competence in roles.competences.items()}
    pairs = {move.pk: key for key, move in moves.rows.items()}
    drops = _Table(
        ProgressionDrop,
        ProgressionDrop.objects.all(),
        lambda drop: (*pairs[drop.progression_id], codes[drop.competence_id]),
        ["reason"],
    )
    for item in _read(directory / "progressions.yaml") or []:
        where = f"progressions.yaml {item.get('from')} -> {item.get('to')}"
        if item.get("from") not in by_slug or item.get("to") not in by_slug:
            raise ContentError(f"{where}: unknown role")
        counts = report.counts.setdefault("Progressions", Counter())
        unchanged = counts["unchanged"]
        pair = (item["from"], item["to"])
        move = moves.upsert(
            report,
            "Progressions",
            pair,
            {"from_role": by_slug[item["from"]], "to_role": by_slug[item["to"]]},
            {"kind": item["kind"], "note": _lines(item.get("note"))},
            where,
        )
        if _load_drops(move, pair, item.get("drops") or [], roles, drops, where):
            # The drops belong to the move, as its note does: new reasons update it.
            if counts["unchanged"] > unchanged:
                counts["unchanged"] -= 1
                counts["updated"] += 1
    moves.save()
    drops.save()


def _load_drops(move, pair: tuple, items: list, roles: _Roles, drops: _Table, where: str) -> bool:
    """Store why ``move`` leaves behind competences its starting role needs.

    A drop must name a competence the starting role needs as essential and the role the
    move leads to does not need, or needs less deeply; anything else is a content error,
    so a reason never outlives the gap it explains. Returns whether anything changed.
    """
    competences = roles.competences
    before = roles.needs.get(pair[0], {})
    after = {code: need.proficiency for code, need in roles.needs.get(pair[1], {}).items()}
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
    stored = {key[2]: drop for key, drop in drops.rows.items() if key[:2] == pair}
    changed = False
    for code in stored:
        if code not in wanted:
            drops.remove((*pair, code))
            changed = True
    for code, reason in wanted.items():
        if code in stored and stored[code].reason == reason:
            continue
        drop = stored.get(code) or ProgressionDrop(progression=move, competence=competences[code])
        drop.reason = reason
        _validate(drop, where)
        drops.rows[(*pair, code)] = drop
        changed = True
    return changed


def framework_load(*, directory: Path = FIXTURES_DIR, dry_run: bool = False) -> LoadReport:
    """Load every seed file in ``directory`` in one transaction and report what changed.

    Raises ContentError, with nothing written, when any file is invalid. With
    ``dry_run`` the work is done and reported, then rolled back.
    """
    report = LoadReport()
    with transaction.atomic():
        areas, levels, standards = _load_reference_data(directory, report)
        competences = _load_competences(directory, report, standards)
        roles = _Roles(competences)
        for path in sorted((directory / "roles").glob("*.yaml")):
            roles.load(path, report, areas, levels)
        roles.save()
        _load_progressions(directory, report, roles)
        problems = competence_tree_problems()
        if problems:
            raise ContentError("the competence tree is corrupt: " + "; ".join(problems))
        if dry_run:
            transaction.set_rollback(True)
    return report


def framework_is_empty() -> bool:
    """True when no role profiles or competences are stored yet."""
    return not RoleProfile.objects.exists() and not Competence.objects.exists()
