"""Career map pictures, drawn on the server as SVG: the whole map, and one role's moves.

Pure arithmetic over data already read by the selectors: no queries. This module
decides what each picture shows: roles in rows by level (highest at the top) and in
lanes by service area, a line per move, and the level bands and area names; it leaves
placing the boxes and routing the lines to ``pathways.diagram_layout``. The template
``pathways/_map_svg.html`` turns the shapes into markup, on the map page and (small) on
a role's page. The pictures repeat what the lists of moves say, for people who take
them in at a glance; every box is a link to its role.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .diagram_layout import LINE_HEIGHT, Box, Edge, TextLine, lay_out, wrap

LEVEL_LABEL_WIDTH = 64
AREA_LABEL_HEIGHT = 48

# The largest pictures drawn. The published framework's map has 21 boxes and 49 moves,
# and its busiest role 9 moves; a map or a role past these limits would draw a picture
# too dense to read and too large to send, so its moves are described in words only.
MAP_MOST_BOXES = 60
MAP_MOST_MOVES = 100
ROLE_MOST_MOVES = 24


# --- Shapes the templates draw, besides the boxes and lines ----------------------------


@dataclass
class Band:
    """One level's horizontal strip, with its label at the left."""

    y: float
    height: float
    label: TextLine
    shaded: bool


@dataclass
class Lane:
    """One service area's column, with its name at the top."""

    x: float
    width: float
    label: list[TextLine]


@dataclass
class Diagram:
    """A whole picture: its size and every shape in it."""

    width: float
    height: float
    bands: list[Band] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


# --- The two pictures -----------------------------------------------------------------


def draw_career_map(framework, moves) -> Diagram | None:
    """The whole map from ``framework`` (a ``career_map.CareerMap`` that names every
    role) and ``moves`` (every move): a row per level, a lane per service area, a box
    per role in each of its lanes, and a line per move. None when the framework is too
    large for one picture (see ``MAP_MOST_BOXES`` and ``MAP_MOST_MOVES``), or when
    there is nothing to draw (no areas, levels or roles yet)."""
    too_many = framework.box_count > MAP_MOST_BOXES or len(moves) > MAP_MOST_MOVES
    if too_many or not framework.whole or not framework.rows or not framework.areas:
        return None
    rows, lanes = len(framework.rows), len(framework.areas)
    boxes: list[Box] = []
    boxes_by_role: dict[int, list[Box]] = {}
    for row_index, row in enumerate(framework.rows):
        for lane_index, cell in enumerate(row.cells):
            for role in cell.roles:
                box = Box(role.pk, role.title, role.get_absolute_url(), row_index, lane_index)
                boxes.append(box)
                boxes_by_role.setdefault(role.pk, []).append(box)
    edges = []
    for move in moves:
        starts, ends = boxes_by_role.get(move.from_role_id), boxes_by_role.get(move.to_role_id)
        if starts and ends:
            start, end = _nearest(starts, ends)
            edges.append(Edge(start, end, move.kind))
    width, height, lane_spans, row_spans = lay_out(
        boxes, edges, rows=rows, lanes=lanes, left=LEVEL_LABEL_WIDTH, top=AREA_LABEL_HEIGHT
    )
    diagram = Diagram(width=width, height=height, boxes=boxes, edges=edges)
    for (x, lane_width), area in zip(lane_spans, framework.areas, strict=True):
        lines = wrap(area.short_name, lane_width)
        bottom = AREA_LABEL_HEIGHT - 14
        diagram.lanes.append(
            Lane(
                x=x,
                width=lane_width,
                label=[
                    TextLine(x + lane_width / 2, bottom - (len(lines) - 1 - n) * LINE_HEIGHT, text)
                    for n, text in enumerate(lines)
                ],
            )
        )
    _add_bands(diagram, [row.level for row in framework.rows], row_spans, top=AREA_LABEL_HEIGHT)
    return diagram


def draw_role_moves(role, moves) -> Diagram:
    """One role's own moves: ``moves`` as from ``pathways.moves.role_moves`` (up,
    sideways and into). The role sits in the middle of its level's row, the roles it
    leads to above it or beside it, and the roles that lead to it below or beside it.
    A role with more than ``ROLE_MOST_MOVES`` moves gets an empty picture (no boxes, no
    lines): its page lists the moves in words."""
    if len(moves["up"]) + len(moves["sideways"]) + len(moves["into"]) > ROLE_MOST_MOVES:
        return Diagram(width=0, height=0)
    others: dict[int, object] = {}
    edges_wanted = []
    for move in moves["up"] + moves["sideways"]:
        others.setdefault(move.to_role.pk, move.to_role)
        edges_wanted.append((role.pk, move.to_role.pk, move.kind))
    for move in moves["into"]:
        others.setdefault(move.from_role.pk, move.from_role)
        edges_wanted.append((move.from_role.pk, role.pk, move.kind))
    everyone = [role, *others.values()]
    levels = sorted({person.level.number for person in everyone}, reverse=True)
    level_objects = {person.level.number: person.level for person in everyone}
    boxes: dict[int, Box] = {}
    for row, number in enumerate(levels):
        in_row = sorted(
            (other for other in others.values() if other.level.number == number),
            key=lambda other: other.title,
        )
        if number == role.level.number:
            middle = len(in_row) // 2
            in_row = in_row[:middle] + [role] + in_row[middle:]
        for other in in_row:
            boxes[other.pk] = Box(
                other.pk, other.title, other.get_absolute_url(), row, 0, current=other is role
            )
    edges = [Edge(boxes[start], boxes[end], kind) for start, end, kind in edges_wanted]
    width, height, _lanes, row_spans = lay_out(
        list(boxes.values()), edges, rows=len(levels), lanes=1, left=LEVEL_LABEL_WIDTH, top=0
    )
    diagram = Diagram(width=width, height=height, boxes=list(boxes.values()), edges=edges)
    _add_bands(diagram, [level_objects[number] for number in levels], row_spans, top=0)
    return diagram


def _add_bands(diagram, levels, row_spans, *, top) -> None:
    """A shaded or plain strip behind each level's row, split halfway across the gaps."""
    splits = [top]
    for (y, height), (next_y, _next_height) in zip(row_spans, row_spans[1:], strict=False):
        splits.append((y + height + next_y) / 2)
    splits.append(diagram.height)
    for index, level in enumerate(levels):
        y, height = row_spans[index]
        label = TextLine(8, y + height / 2 + 5, _("Level %(number)d") % {"number": level.number})
        diagram.bands.append(
            Band(splits[index], splits[index + 1] - splits[index], label, index % 2 == 0)
        )


def _nearest(starts: list[Box], ends: list[Box]) -> tuple[Box, Box]:
    def distance(pair):
        a, b = pair
        return abs(a.lane - b.lane) + abs(a.row - b.row)

    return min(((a, b) for a in starts for b in ends), key=distance)
