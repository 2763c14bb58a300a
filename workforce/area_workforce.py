"""One service area's workforce: its roles by level and how deeply each role needs each
competence section (the heat-map); the same in an Excel workbook laid out as the page
is, and the heat-map as CSV data, one row for each section and role.

Every number is computed from the role requirements in a fixed number of queries,
whatever the size of the framework: the roles, their requirements grouped by role and
section, the area's requirements grouped by section, and the sections themselves. The
page shows a page of roles at a time (and the sections they need), so it stays the same
size however many roles a service has; the downloads hold every role.
"""

import textwrap
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from competences.models import Competence
from core.spreadsheets import Sheet
from roles.models import Area, Proficiency, RoleCompetence, RoleProfile
from roles.selectors import roles_for_listing, sections_by_tree

# Characters a line of a role's name takes at the head of the heat-map sheet's columns.
ROLE_HEADING_WIDTH = 20


@dataclass(frozen=True)
class Cell:
    """What one role needs in one section: its deepest proficiency there and how many of
    the section's competences it needs. ``depth`` is None when it needs none."""

    depth: int | None
    count: int
    label: str

    @property
    def text(self) -> str:
        return f"{self.label} · {self.count}" if self.depth else self.label


@dataclass
class SectionRow:
    """One competence section against every role in the area, in the roles' order."""

    section: Competence
    cells: list[Cell]
    # Distinct competences in this section that at least one role in the area needs.
    needed_by_area: int


@dataclass
class RoleColumn:
    role: RoleProfile
    # Every competence the role needs, essential or desirable.
    needed: int


@dataclass
class AreaWorkforce:
    area: Area
    columns: list[RoleColumn]
    rows: list[SectionRow] = field(default_factory=list)
    # Distinct competences any role in the area needs.
    needed_by_area: int = 0


def depth_labels() -> dict[int, str]:
    """{proficiency number: its name}, translated once for the request."""
    return {depth.value: str(depth.label) for depth in Proficiency}


def area_workforce(area: Area, roles: list[RoleProfile] | None = None) -> AreaWorkforce:
    """The section-by-role heat-map for ``roles`` (a page of the area's roles, in the
    order given) or, when None, for all of the area's roles in level then title order.

    The rows are the sections that at least one of those roles needs; each row's
    "needed by the service" and the overall total count every role in the area.
    """
    if roles is None:
        roles = list(roles_for_listing().filter(areas=area))
    role_ids = [role.pk for role in roles]
    by_role_section = {
        (row["role_id"], row["competence__tree_id"]): (row["deepest"], row["needed"])
        for row in RoleCompetence.objects.filter(role__in=role_ids)
        .order_by()
        .values("role_id", "competence__tree_id")
        .annotate(deepest=Max("proficiency"), needed=Count("pk"))
    }
    by_section = dict(
        RoleCompetence.objects.filter(role__areas=area)
        .order_by()
        .values("competence__tree_id")
        .annotate(needed=Count("competence", distinct=True))
        .values_list("competence__tree_id", "needed")
    )
    labels = depth_labels()
    not_needed = _("Not needed")
    per_role: dict[int, int] = {}
    for (role_id, _tree), (_deepest, needed) in by_role_section.items():
        per_role[role_id] = per_role.get(role_id, 0) + needed
    columns = [RoleColumn(role=role, needed=per_role.get(role.pk, 0)) for role in roles]
    shown_trees = {tree_id for _role, tree_id in by_role_section}
    rows = []
    for tree_id, section in sorted(sections_by_tree().items(), key=lambda item: item[0]):
        if tree_id not in shown_trees:
            continue
        cells = []
        for role in roles:
            deepest, needed = by_role_section.get((role.pk, tree_id), (None, 0))
            label = labels[deepest] if deepest else not_needed
            cells.append(Cell(depth=deepest, count=needed, label=label))
        rows.append(SectionRow(section=section, cells=cells, needed_by_area=by_section[tree_id]))
    return AreaWorkforce(
        area=area,
        columns=columns,
        rows=rows,
        # A competence sits in exactly one section, so the sections' totals add up.
        needed_by_area=sum(by_section.values()),
    )


def workforce_sheets(workforce: AreaWorkforce) -> list[Sheet]:
    """The page's views as tables: roles by level, the heat-map as the page lays it out
    (sections down, roles across, each cell's words as the page shows them, with the
    page's totals), and the section totals."""
    roles = Sheet(
        _("Roles by level"),
        [_("Level"), _("Level name"), _("Role"), _("Role code"), _("Competences needed")],
        [
            [
                column.role.level.number,
                column.role.level.name,
                column.role.title,
                column.role.code,
                column.needed,
            ]
            for column in workforce.columns
        ],
    )
    level = _("Level %(number)s")
    heat_map = Sheet(
        _("Heat map"),
        [
            _("Section"),
            *(
                "\n".join(
                    [
                        *textwrap.wrap(column.role.title, ROLE_HEADING_WIDTH),
                        level % {"number": column.role.level.number},
                    ]
                )
                for column in workforce.columns
            ),
            _("Needed by the service"),
        ],
        [
            [row.section.title, *(cell.text for cell in row.cells), row.needed_by_area]
            for row in workforce.rows
        ],
        frozen_columns=1,
    )
    heat_map.rows.append(
        [
            _("Competences needed"),
            *(column.needed for column in workforce.columns),
            workforce.needed_by_area,
        ]
    )
    sections = Sheet(
        _("Section totals"),
        [_("Section code"), _("Section"), _("Competences the service needs")],
        [[row.section.code, row.section.title, row.needed_by_area] for row in workforce.rows],
    )
    return [roles, heat_map, sections]


def heat_map_list(workforce: AreaWorkforce) -> Sheet:
    """The heat-map as data, one row for each section and role: proficiency as a number
    (1-4, blank when not needed) and a name."""
    sheet = Sheet(
        _("Heat map"),
        [
            _("Section code"),
            _("Section"),
            _("Role"),
            _("Role code"),
            _("Level"),
            _("Deepest proficiency (number)"),
            _("Deepest proficiency"),
            _("Competences needed in section"),
        ],
    )
    for row in workforce.rows:
        for column, cell in zip(workforce.columns, row.cells, strict=True):
            sheet.rows.append(
                [
                    row.section.code,
                    row.section.title,
                    column.role.title,
                    column.role.code,
                    column.role.level.number,
                    cell.depth,
                    cell.label,
                    cell.count,
                ]
            )
    return sheet
