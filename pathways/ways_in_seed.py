"""Load ``fixtures/ways_in.yaml``: each role's entry rule and routes in, and the
pre-employment checks of each service.

Matched on the role's slug, the route's title within its role, and the check's slug, and
updated in place: a row whose values are already those in the file is not saved again,
so a second run writes nothing (and records no history). Every row is checked with
``full_clean`` before it is saved; the first problem stops the load and names the entry.
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from roles.models import Area, RoleProfile

from .models import EntryRoute, PreEmploymentCheck, Qualification, RoleEntry

QUALIFICATIONS = {
    "none": Qualification.NONE,
    "level-2": Qualification.LEVEL_2,
    "level-3": Qualification.LEVEL_3,
    "level-4-5": Qualification.LEVEL_4_5,
    "degree": Qualification.DEGREE,
    "masters": Qualification.MASTERS,
    "doctorate": Qualification.DOCTORATE,
}
FILE_NAME = "ways_in.yaml"


class WaysInError(Exception):
    """The file cannot be loaded as it is; the message names the entry and the field."""


@dataclass
class WaysInReport:
    saved: dict[str, int] = field(default_factory=lambda: {"entry": 0, "route": 0, "check": 0})
    removed_routes: int = 0
    # Roles the file names that a dry run has not stored (its framework load rolled back).
    not_yet_stored: int = 0

    def lines(self) -> list[str]:
        lines = [
            f"Ways in: {self.saved['entry']} entry rules, {self.saved['route']} routes and "
            f"{self.saved['check']} checks saved; {self.removed_routes} routes removed."
        ]
        if self.not_yet_stored:
            lines.append(
                f"Ways in: {self.not_yet_stored} roles are not stored yet, so their entry "
                "rules were not checked."
            )
        return lines


class _DryRun(Exception):
    pass


def _qualification(value, where: str) -> int:
    try:
        return QUALIFICATIONS[str(value)]
    except KeyError:
        raise WaysInError(
            f"{where}: qualification must be one of {', '.join(QUALIFICATIONS)}."
        ) from None


def _save_if_changed(instance, values: dict, where: str, report_key: str, report) -> None:
    if instance.pk is not None and not instance._state.adding:
        if all(getattr(instance, name) == value for name, value in values.items()):
            return
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        instance.full_clean(validate_unique=instance._state.adding)
    except ValidationError as error:
        raise WaysInError(f"{where}: {'; '.join(error.messages)}") from None
    instance.save()
    report.saved[report_key] += 1


def _load_checks(entries, report: WaysInReport) -> None:
    areas = {area.slug: area for area in Area.objects.all()}
    stored = {check.slug: check for check in PreEmploymentCheck.objects.prefetch_related("areas")}
    for position, entry in enumerate(entries or [], start=1):
        slug = entry.get("slug", "")
        where = f"check {slug or position}"
        named = entry.get("areas", "all")
        every = named == "all"
        unknown = [] if every else [slug for slug in named if slug not in areas]
        if unknown:
            raise WaysInError(f"{where}: no service called {', '.join(unknown)}.")
        check = stored.get(slug) or PreEmploymentCheck(slug=slug)
        values = {
            "name": entry.get("name", ""),
            "summary": (entry.get("summary") or "").strip(),
            "source_title": entry.get("source_title", ""),
            "source_address": entry.get("source_address", ""),
            "caution": entry.get("caution", ""),
            "every_area": every,
            "position": entry.get("position", position),
        }
        _save_if_changed(check, values, where, "check", report)
        wanted = set() if every else {areas[slug].pk for slug in named}
        if {area.pk for area in check.areas.all()} != wanted:
            check.areas.set(wanted)


def _load_role(role: RoleProfile, data: dict, report: WaysInReport) -> None:
    where = f"role {role.slug}"
    entry = RoleEntry.objects.filter(role=role).first() or RoleEntry(role=role)
    _save_if_changed(
        entry,
        {
            "starting_points": list(data.get("starting_points") or []),
            "qualification": _qualification(data.get("qualification", "none"), where),
            "registers": list(data.get("registers") or []),
            "lived_experience": bool(data.get("lived_experience", False)),
            "dbs": data.get("dbs", "enhanced"),
        },
        where,
        "entry",
        report,
    )
    stored = {route.title: route for route in EntryRoute.objects.filter(role=role)}
    titles = set()
    for position, route_data in enumerate(data.get("routes") or [], start=1):
        title = route_data.get("title", "")
        titles.add(title)
        route = stored.get(title) or EntryRoute(role=role, title=title)
        _save_if_changed(
            route,
            {
                "kind": route_data.get("kind", ""),
                "summary": (route_data.get("summary") or "").strip(),
                "address": route_data.get("address", ""),
                "caution": route_data.get("caution", ""),
                "open_to": list(route_data.get("open_to") or []),
                "qualification": _qualification(
                    route_data.get("qualification", "none"), f"{where}, route {title}"
                ),
                "lived_experience": bool(route_data.get("lived_experience", False)),
                "position": position,
            },
            f"{where}, route {title or position}",
            "route",
            report,
        )
    for title, route in stored.items():
        if title not in titles:
            route.delete()
            report.removed_routes += 1


def load_ways_in(directory: Path, *, dry_run: bool = False) -> WaysInReport:
    """Load ``directory/ways_in.yaml`` in one transaction (rolled back for a dry run)."""
    path = directory / FILE_NAME
    if not path.exists():
        return WaysInReport()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise WaysInError(f"{FILE_NAME} is not valid YAML: {error}") from None
    report = WaysInReport()
    try:
        with transaction.atomic():
            _load_checks(document.get("checks"), report)
            roles = {role.slug: role for role in RoleProfile.objects.all()}
            for slug, data in (document.get("roles") or {}).items():
                if slug not in roles and dry_run:
                    report.not_yet_stored += 1
                    continue
                if slug not in roles:
                    raise WaysInError(f"{FILE_NAME}: no role profile called {slug}.")
                _load_role(roles[slug], data or {}, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report
