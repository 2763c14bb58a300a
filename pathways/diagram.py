"""Geometry for the career map picture, drawn on the server as SVG.

Pure arithmetic over data already read by ``selectors.career_map``: no queries. The
template ``pathways/_map_svg.html`` turns the shapes into markup. The picture repeats
what the table and the list of moves say, for people who take it in at a glance.
"""

import textwrap
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import MoveKind

WIDTH = 960
LABEL_WIDTH = 84
# Narrowest a service-area column may get; more areas make the picture wider instead.
MIN_COLUMN_WIDTH = 160
HEADER_HEIGHT = 44
BOX_HEIGHT = 64
BOX_GAP = 10
# Roles sharing a cell sit side by side, this many to a row, so moves up and down
# leave and enter a band without crossing the other boxes in it.
PER_ROW = 2
BAND_PADDING = 14
CELL_MARGIN = 14
LINE_HEIGHT = 14
MAX_LINES = 4
# Roughly how wide one character of 12-unit text is, to wrap titles to their box.
CHAR_WIDTH = 6.2


@dataclass
class TextLine:
    x: int
    y: int
    text: str


@dataclass
class Band:
    """One level's horizontal strip."""

    y: int
    height: int
    label: TextLine
    shaded: bool


@dataclass
class Column:
    x: int
    width: int
    label: TextLine


@dataclass
class Box:
    x: int
    y: int
    width: int
    height: int
    lines: list[TextLine]

    @property
    def centre(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2


@dataclass
class Edge:
    path: str
    kind: str

    @property
    def is_vertical(self) -> bool:
        return self.kind == MoveKind.VERTICAL


@dataclass
class Diagram:
    width: int
    height: int
    bands: list[Band] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _wrap(text: str, width: int) -> list[str]:
    lines = textwrap.wrap(text, max(6, int(width / CHAR_WIDTH))) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][: max(1, len(lines[-1]) - 1)] + "…"
    return lines


def _edge_path(start: Box, end: Box, kind: str) -> str:
    """A curve from ``start`` to ``end``: up and down between levels, sideways within one."""
    (sx, sy), (ex, ey) = start.centre, end.centre
    if kind == MoveKind.VERTICAL:
        y1 = start.y if ey < sy else start.y + start.height
        y2 = end.y + end.height if ey < sy else end.y
        middle = (y1 + y2) // 2
        return f"M{sx},{y1} C{sx},{middle} {ex},{middle} {ex},{y2}"
    if start.x == end.x:
        # Same cell: loop out of the right-hand side and back in.
        x = start.x + start.width
        return f"M{x},{sy} C{x + 30},{sy} {x + 30},{ey} {x},{ey}"
    # Rightward moves run just above the middle of the boxes and bow upwards; leftward
    # ones run just below and bow downwards, so a pair of opposite moves stays apart.
    direction = 1 if ex > sx else -1
    x1 = start.x + start.width if direction > 0 else start.x
    x2 = end.x if direction > 0 else end.x + end.width
    y1, y2 = sy - 8 * direction, ey - 8 * direction
    lift = direction * (8 + abs(x2 - x1) // 10)
    reach = max(CELL_MARGIN, abs(x2 - x1) // 3)
    return (
        f"M{x1},{y1} C{x1 + direction * reach},{y1 - lift} "
        f"{x2 - direction * reach},{y2 - lift} {x2},{y2}"
    )


def _role_box(title: str, x: int, y: int, width: int) -> Box:
    """A role's box with its title wrapped into a few centred lines."""
    lines = _wrap(title, width - 12)
    top = y + BOX_HEIGHT // 2 - (len(lines) - 1) * LINE_HEIGHT // 2 + 4
    return Box(
        x=x,
        y=y,
        width=width,
        height=BOX_HEIGHT,
        lines=[
            TextLine(x + width // 2, top + n * LINE_HEIGHT, text) for n, text in enumerate(lines)
        ],
    )


def _nearest(starts: list[Box], ends: list[Box]) -> tuple[Box, Box]:
    def distance(pair):
        (ax, ay), (bx, by) = pair[0].centre, pair[1].centre
        return abs(ax - bx) + abs(ay - by)

    return min(((a, b) for a in starts for b in ends), key=distance)


def draw_career_map(framework) -> Diagram:
    """Lay out ``framework`` (a ``selectors.CareerMap``): one band per level, one column
    per area, a box per role in each of its cells, and a curve per move."""
    areas = framework.areas
    column_width = max(MIN_COLUMN_WIDTH, (WIDTH - LABEL_WIDTH) // max(1, len(areas)))
    diagram = Diagram(width=max(WIDTH, LABEL_WIDTH + column_width * len(areas)), height=0)
    for position, area in enumerate(areas):
        x = LABEL_WIDTH + position * column_width
        label = _wrap(area.short_name, column_width)[0]
        diagram.columns.append(
            Column(
                x=x,
                width=column_width,
                label=TextLine(x + column_width // 2, HEADER_HEIGHT - 16, label),
            )
        )

    boxes_by_role: dict[int, list[Box]] = {}
    y = HEADER_HEIGHT
    for index, row in enumerate(framework.rows):
        stacked = max([-(-len(cell) // PER_ROW) for cell in row.cells] + [1])
        height = stacked * (BOX_HEIGHT + BOX_GAP) - BOX_GAP + 2 * BAND_PADDING
        label = TextLine(
            12, y + height // 2 + 5, _("Level %(number)d") % {"number": row.level.number}
        )
        diagram.bands.append(Band(y=y, height=height, label=label, shaded=index % 2 == 0))
        for column, cell in zip(diagram.columns, row.cells, strict=True):
            across = min(len(cell), PER_ROW) or 1
            box_width = (column.width - 2 * CELL_MARGIN - (across - 1) * BOX_GAP) // across
            for slot, role in enumerate(cell):
                box_x = column.x + CELL_MARGIN + (slot % across) * (box_width + BOX_GAP)
                box_y = y + BAND_PADDING + (slot // across) * (BOX_HEIGHT + BOX_GAP)
                diagram.boxes.append(box := _role_box(role.title, box_x, box_y, box_width))
                boxes_by_role.setdefault(role.pk, []).append(box)
        y += height
    diagram.height = y + 8

    for move in framework.moves:
        starts = boxes_by_role.get(move.from_role_id)
        ends = boxes_by_role.get(move.to_role_id)
        if starts and ends:
            start, end = _nearest(starts, ends)
            diagram.edges.append(Edge(path=_edge_path(start, end, move.kind), kind=move.kind))
    return diagram
