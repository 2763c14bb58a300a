"""Loading role profiles (their areas and requirements) and the moves between them."""

from competences.models import Kind
from pathways.models import Progression, ProgressionDrop
from roles.models import Proficiency, RoleCompetence, RoleProfile

from .bulk import Table, links_of, note_link_changes, set_links
from .constraints import validate_row
from .document import ROLE_TEXT_FIELDS
from .errors import ContentError
from .load_report import LoadReport


class RoleLoader:
    """The role profiles, their areas and their requirements while a load works on them."""

    def __init__(self, competences: dict):
        self.competences = competences
        self.roles = Table(
            RoleProfile,
            RoleProfile.objects.select_related("level"),
            lambda role: role.slug,
            ["title", "code", "level", *ROLE_TEXT_FIELDS],
        )
        self.slugs = slugs = {role.pk: slug for slug, role in self.roles.rows.items()}
        codes = {competence.pk: code for code, competence in competences.items()}
        self.requirements = Table(
            RoleCompetence,
            RoleCompetence.objects.all(),
            lambda need: (slugs[need.role_id], codes[need.competence_id]),
            ["proficiency", "requirement"],
        )
        # What each role needs, by competence code, kept up to date as entries are read.
        self.needs: dict[str, dict[str, RoleCompetence]] = {}
        for (slug, code), need in self.requirements.rows.items():
            self.needs.setdefault(slug, {})[code] = need
        self.stored_areas = {
            slugs[role]: areas
            for role, areas in links_of(RoleProfile.areas).items()
            if role in slugs
        }
        self.areas: dict[str, tuple] = {}

    def load(self, item: dict, where: str, report: LoadReport, areas: dict, levels: dict) -> None:
        try:
            level = levels[int(item["level"])]
        except (KeyError, TypeError, ValueError):
            raise ContentError(f"{where}: unknown level {item.get('level')!r}") from None
        slug = item["slug"]
        role = self.roles.upsert(
            report,
            "Role profiles",
            slug,
            {"slug": slug},
            {
                "title": item["title"],
                "code": item["code"],
                "level": level,
                "purpose": item.get("purpose", ""),
                "responsibilities": item.get("responsibilities", ""),
                "entry_requirements": item.get("entry_requirements", ""),
                "education_and_training": item.get("education_and_training", ""),
                "continuing_development": item.get("continuing_development", ""),
                "typical_job_titles": item.get("typical_job_titles", ""),
                "indicative_band": str(item.get("indicative_band") or ""),
                "lived_experience_route": bool(item.get("lived_experience_route", False)),
                "lived_experience_text": item.get("lived_experience_text", ""),
                "registered_profession": bool(item.get("registered_profession", False)),
                "registration": item.get("registration", ""),
                "qualifications": item.get("qualifications", ""),
                "experience": item.get("experience", ""),
            },
            where,
        )
        named = list(item.get("areas") or [])
        unknown = [name for name in named if name not in areas]
        if unknown or not named:
            raise ContentError(f"{where}: unknown or missing areas {unknown or named}")
        found = [areas[name] for name in dict.fromkeys(named)]
        self.areas[slug] = (role, found)
        linked = self.stored_areas.get(slug, set())
        before = {area.slug for area in areas.values() if area.pk in linked}
        if role.pk is not None:
            note_link_changes(report, "Role profiles", slug, "areas", before, set(named))

        wanted = {}
        for requirement in item.get("competences") or []:
            if not isinstance(requirement, dict):
                raise ContentError(f"{where}: each competence needs a code and a proficiency")
            code = requirement.get("code")
            competence = self.competences.get(code)
            if competence is None or competence.kind != Kind.STATEMENT:
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
                report.record("Role competences", (slug, code), "removed")
        for code, (proficiency, requirement) in wanted.items():
            current[code] = self.requirements.upsert(
                report,
                "Role competences",
                (slug, code),
                {"role": role, "competence": self.competences[code]},
                {"proficiency": proficiency, "requirement": requirement},
                f"{where}, competence {code}",
            )

    def prune(self, report: LoadReport) -> None:
        for role in self.roles.prune(report, "Role profiles"):
            for code in list(self.needs.pop(role.slug, {})):
                self.requirements.remove((role.slug, code))

    def write(self) -> None:
        self.roles.write(record=False)
        relinked = set_links(
            RoleProfile.areas,
            {role.pk: {area.pk for area in found} for role, found in self.areas.values()},
        )
        self.roles.record_history(relinked)
        self.requirements.save()


class MoveLoader:
    """The moves between roles and what each move drops, while a load works on them."""

    def __init__(self, roles: RoleLoader):
        self.roles = roles
        by_pk = roles.slugs
        self.moves = Table(
            Progression,
            Progression.objects.all(),
            lambda move: (by_pk[move.from_role_id], by_pk[move.to_role_id]),
            ["kind", "note"],
        )
        codes = {competence.pk: code for code, competence in roles.competences.items()}
        pairs = {move.pk: key for key, move in self.moves.rows.items()}
        self.drops = Table(
            ProgressionDrop,
            ProgressionDrop.objects.all(),
            lambda drop: (*pairs[drop.progression_id], codes[drop.competence_id]),
            ["reason"],
        )

    def load(self, item: dict, where: str, report: LoadReport) -> None:
        by_slug = self.roles.roles.rows
        for end in ("from", "to"):
            if item.get(end) not in by_slug:
                raise ContentError(f"{where}: unknown role {item.get(end)!r}")
        pair = (item["from"], item["to"])
        move = self.moves.upsert(
            report,
            "Progressions",
            pair,
            {"from_role": by_slug[item["from"]], "to_role": by_slug[item["to"]]},
            {"kind": item["kind"], "note": item.get("note", "")},
            where,
        )
        before = {key[2]: drop.reason for key, drop in self.drops.rows.items() if key[:2] == pair}
        self._load_drops(move, pair, item.get("drops") or [], where)
        after = {key[2]: drop.reason for key, drop in self.drops.rows.items() if key[:2] == pair}
        if before != after:
            # The drops belong to the move, as its note does.
            note_link_changes(
                report,
                "Progressions",
                pair,
                "drops",
                {f"{code}: {reason}" for code, reason in before.items()},
                {f"{code}: {reason}" for code, reason in after.items()},
            )

    def _load_drops(self, move, pair: tuple, items: list, where: str) -> None:
        """Store why ``move`` leaves behind competences its starting role needs.

        A drop must name a competence the starting role needs as essential and the role
        the move leads to does not need, or needs less deeply; anything else is a content
        error, so a reason never outlives the gap it explains.
        """
        competences = self.roles.competences
        before = self.roles.needs.get(pair[0], {})
        after = {code: need.proficiency for code, need in self.roles.needs.get(pair[1], {}).items()}
        wanted = {}
        for drop in items:
            if not isinstance(drop, dict):
                raise ContentError(f"{where}: each drop needs a code and a reason")
            code, reason = drop.get("code"), drop.get("reason") or ""
            if code not in competences:
                raise ContentError(f"{where}: drops unknown competence {code!r}")
            if not reason:
                raise ContentError(f"{where}: the drop of {code} needs a reason")
            if code in wanted:
                raise ContentError(f"{where}: drops {code} twice")
            needed = before.get(code)
            if needed is None or not needed.is_essential:
                raise ContentError(
                    f"{where}: drops {code}, which {pair[0]} does not need as essential"
                )
            if after.get(code, 0) >= needed.proficiency:
                raise ContentError(
                    f"{where}: drops {code}, but {pair[1]} needs it at the same "
                    "proficiency or more, so nothing is dropped"
                )
            wanted[code] = reason
        stored = {key[2]: drop for key, drop in self.drops.rows.items() if key[:2] == pair}
        for code in stored:
            if code not in wanted:
                self.drops.remove((*pair, code))
        for code, reason in wanted.items():
            if code in stored and stored[code].reason == reason:
                continue
            drop = stored.get(code) or ProgressionDrop(
                progression=move, competence=competences[code]
            )
            drop.reason = reason
            validate_row(drop, where)
            self.drops.rows[(*pair, code)] = drop

    def prune(self, report: LoadReport) -> None:
        self.moves.prune(report, "Progressions")
        kept = set(self.moves.rows)
        for key in [key for key in self.drops.rows if key[:2] not in kept]:
            self.drops.remove(key)

    def write(self) -> None:
        self.drops.delete_removed()
        self.moves.save()
        self.drops.write()
