"""Where the career map pictures put things: measured titles, placed boxes, routed lines.

Pure arithmetic, no queries and no markup. ``pathways.diagram`` decides which boxes go
in which row and lane and which moves join them; ``lay_out`` gives them coordinates,
keeping the pictures readable:

- every box's title wraps onto as many lines as it needs and never overruns the box;
- lines run at right angles through the gaps between boxes, never across a box: a move
  between two neighbouring boxes in a row is a straight line between them; any other
  move leaves its box into the gap above or below its row, and changes row only inside
  a gap between lanes (or a column that is empty all the way);
- lines that share a gap get their own track in it, so they never lie on top of each
  other.
"""

from dataclasses import dataclass, field

from .models import MoveKind

FONT_SIZE = 13
LINE_HEIGHT = 16
# Estimated text widths, in ems, kept on the generous side of Arial (the fallback when
# the NHS.UK font is not loaded) so a wrapped title never overruns its box.
WIDE, NORMAL, NARROW, SPACE = 0.78, 0.58, 0.3, 0.3
NARROW_CHARACTERS = set("fijlrtI.,:;'!()|-")
WIDE_CHARACTERS = set("mwMW@%")

BOX_WIDTH = 150
BOX_GAP = 36  # between boxes that share a cell: room for arrows between them
TEXT_PADDING = 8
BOX_PADDING = 10  # above and below a title
TRACK_GAP = 10  # between lines sharing a gap, and between a line and a box
MIN_GAP = 28
# How far a straight move between neighbours sits above or below the middle of the
# boxes, so a move back the other way stays apart from it.
SIDE_OFFSET = 6


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of how wide ``text`` is when drawn at ``size`` pixels."""
    ems = 0.0
    for character in text:
        if character == " ":
            ems += SPACE
        elif character in WIDE_CHARACTERS:
            ems += WIDE
        elif character in NARROW_CHARACTERS:
            ems += NARROW
        elif character.isupper() or character.isdigit():
            ems += WIDE
        else:
            ems += NORMAL
    return ems * size


def wrap(text: str, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``; a word too long for a line gets its own."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines or [""]


# --- Boxes and lines: placed here, drawn by pathways/_map_svg.html ---------------------


@dataclass
class TextLine:
    x: float
    y: float
    text: str


@dataclass
class Box:
    """A role's box: a link to the role, with the title wrapped inside."""

    key: object
    title: str
    url: str
    row: int
    lane: int
    current: bool = False
    x: float = 0
    y: float = 0
    width: float = BOX_WIDTH
    height: float = 0
    lines: list[TextLine] = field(default_factory=list)

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def centre_x(self) -> float:
        return self.x + self.width / 2


@dataclass
class Edge:
    """One move as a line of right-angled segments, ``points`` from start to arrow."""

    start: Box
    end: Box
    kind: str
    points: list[tuple[float, float]] = field(default_factory=list)

    @property
    def is_vertical(self) -> bool:
        return self.kind == MoveKind.VERTICAL

    @property
    def path(self) -> str:
        return "M" + " L".join(f"{x:g},{y:g}" for x, y in self.points)


# --- Layout ---------------------------------------------------------------------------


@dataclass
class _Route:
    """Where an edge runs before coordinates are final: which gaps, which tracks."""

    edge: Edge
    start_side: str  # "top", "bottom", "left" or "right"
    end_side: str
    first_gap: int | None = None  # the gap between rows the line leaves its box into
    last_gap: int | None = None  # the gap it reaches its target from
    lane_gap: int | None = None  # the gap between lanes it changes row in, if any
    free_x: str | None = None  # "start" or "end": changes row in an empty column instead
    ports: dict = field(default_factory=dict)
    number: int = 0  # the edge's place in the input: breaks ties the same way every time


def _slots(boxes: list[Box], lanes: int) -> list[int]:
    counts: dict[tuple[int, int], int] = {}
    for box in boxes:
        counts[(box.row, box.lane)] = counts.get((box.row, box.lane), 0) + 1
    return [
        max([n for (_row, lane), n in counts.items() if lane == index] + [1])
        for index in range(lanes)
    ]


def _place(boxes, rows, lanes, row_gaps, lane_gaps, *, left, top):
    """Give every box its coordinates for the given gap sizes; return lane and row spans."""
    slots = _slots(boxes, lanes)
    lane_spans, x = [], left
    for index in range(lanes):
        x += lane_gaps[index]
        width = slots[index] * BOX_WIDTH + (slots[index] - 1) * BOX_GAP
        lane_spans.append((x, width))
        x += width
    right = x + lane_gaps[lanes]

    heights = [0.0] * rows
    for box in boxes:
        lines = wrap(box.title, box.width - 2 * TEXT_PADDING)
        box.height = len(lines) * LINE_HEIGHT + 2 * BOX_PADDING
        heights[box.row] = max(heights[box.row], box.height)
    row_spans, y = [], top
    for index in range(rows):
        y += row_gaps[index]
        row_spans.append((y, heights[index] or LINE_HEIGHT + 2 * BOX_PADDING))
        y += row_spans[-1][1]
    bottom = y + row_gaps[rows]

    cells: dict[tuple[int, int], list[Box]] = {}
    for box in boxes:
        cells.setdefault((box.row, box.lane), []).append(box)
    for (row, lane), cell in cells.items():
        lane_x, lane_width = lane_spans[lane]
        row_y, row_height = row_spans[row]
        used = len(cell) * BOX_WIDTH + (len(cell) - 1) * BOX_GAP
        for slot, box in enumerate(cell):
            box.x = lane_x + (lane_width - used) / 2 + slot * (BOX_WIDTH + BOX_GAP)
            box.height = row_height
            box.y = row_y
            lines = wrap(box.title, box.width - 2 * TEXT_PADDING)
            first = row_y + (row_height - (len(lines) - 1) * LINE_HEIGHT) / 2 + FONT_SIZE * 0.35
            box.lines = [
                TextLine(box.centre_x, first + n * LINE_HEIGHT, text)
                for n, text in enumerate(lines)
            ]
    return lane_spans, row_spans, right, bottom


def _between(row_boxes: list[Box], a: Box, b: Box) -> bool:
    """Whether another box in the row stands between ``a`` and ``b``."""
    low, high = sorted((a.centre_x, b.centre_x))
    return any(low < box.centre_x < high for box in row_boxes if box is not a and box is not b)


def _plan(edge: Edge, boxes_by_row) -> _Route:
    start, end = edge.start, edge.end
    if start.row == end.row:
        if not _between(boxes_by_row[start.row], start, end):
            rightward = end.x > start.x
            return _Route(edge, "right" if rightward else "left", "left" if rightward else "right")
        # Rightward moves run in the gap above the row, leftward ones in the gap below.
        if end.x > start.x:
            return _Route(edge, "top", "top", first_gap=start.row, last_gap=start.row)
        return _Route(edge, "bottom", "bottom", first_gap=start.row + 1, last_gap=start.row + 1)
    if end.row < start.row:  # up the picture
        return _Route(edge, "top", "bottom", first_gap=start.row, last_gap=end.row + 1)
    return _Route(edge, "bottom", "top", first_gap=start.row + 1, last_gap=end.row)


def _assign_ports(routes: list[_Route]) -> None:
    """Spread the lines that share a side of a box along it, ordered to cross less."""
    sides: dict[tuple[int, str], list[tuple[float, _Route, str]]] = {}
    for route in routes:
        start, end = route.edge.start, route.edge.end
        sides.setdefault((id(start), route.start_side), []).append((end.centre_x, route, "start"))
        sides.setdefault((id(end), route.end_side), []).append((start.centre_x, route, "end"))
    for (_box, side), users in sides.items():
        users.sort(key=lambda user: (user[0], user[1].number))
        for index, (_other, route, which) in enumerate(users):
            box = route.edge.start if which == "start" else route.edge.end
            if side in ("top", "bottom"):
                x = box.x + box.width * (index + 1) / (len(users) + 1)
                route.ports[which] = (round(x, 1), box.y if side == "top" else box.bottom)
            else:
                rightward = route.edge.end.x > route.edge.start.x
                y = box.y + box.height / 2 + (-SIDE_OFFSET if rightward else SIDE_OFFSET)
                route.ports[which] = (box.x if side == "left" else box.right, y)


def _column_is_free(x: float, rows: range, boxes_by_row) -> bool:
    return all(
        not (box.x - TRACK_GAP < x < box.right + TRACK_GAP)
        for row in rows
        for box in boxes_by_row[row]
    )


def _choose_crossing(route: _Route, lane_gap_middles: list[float], boxes_by_row) -> None:
    """Where a line that passes other rows changes row: an empty column, or a lane gap."""
    route.lane_gap = route.free_x = None
    if route.first_gap is None or route.first_gap == route.last_gap:
        return
    low, high = sorted((route.edge.start.row, route.edge.end.row))
    between = range(low + 1, high)
    start_x, end_x = route.ports["start"][0], route.ports["end"][0]
    options = []
    for which, x in (("start", start_x), ("end", end_x)):
        if _column_is_free(x, between, boxes_by_row):
            options.append((abs(start_x - end_x), 0, which, None))
    for gap, x in enumerate(lane_gap_middles):
        options.append((abs(start_x - x) + abs(x - end_x), 1, None, gap))
    _length, _rank, route.free_x, route.lane_gap = min(options, key=lambda option: option[:2])


def _runs(route: _Route, lane_gap_spans) -> list[tuple[str, int, float, float]]:
    """The horizontal runs a route needs: (first or last, row gap, from x, to x)."""
    if route.first_gap is None:
        return []
    start_x, end_x = route.ports["start"][0], route.ports["end"][0]
    if route.first_gap == route.last_gap or route.free_x == "end":
        runs = [("first", route.first_gap, start_x, end_x)]
    elif route.free_x == "start":
        runs = [("last", route.last_gap, start_x, end_x)]
    else:
        # The run reaches somewhere in the lane gap; reserve room to all of it.
        left, right = lane_gap_spans[route.lane_gap]
        runs = [
            ("first", route.first_gap, min(start_x, left), max(start_x, right)),
            ("last", route.last_gap, min(end_x, left), max(end_x, right)),
        ]
    return [run for run in runs if abs(run[2] - run[3]) > 0.5]


def _assign(runs_by_gap: dict[int, list]) -> dict:
    """Give each run in a gap a track, so runs that overlap never share one."""
    tracks = {}
    for runs in runs_by_gap.values():
        ends: list[float] = []
        for low, high, key in sorted(runs, key=lambda run: (run[0], run[1])):
            for track, last in enumerate(ends):
                if last + TRACK_GAP <= low:
                    ends[track] = high
                    break
            else:
                track = len(ends)
                ends.append(high)
            tracks[key] = track
    return tracks


def lay_out(boxes, edges, *, rows, lanes, left=0, top=0):
    """Place ``boxes`` and route ``edges``; returns (width, height, lane spans, row spans).

    Gap sizes depend on how many lines share each gap, and where lines run depends on
    the gap sizes, so this repeats until every gap is wide enough for its lines.
    """
    row_gaps = [MIN_GAP] * (rows + 1)
    lane_gaps = [MIN_GAP] * (lanes + 1)
    boxes_by_row = [[box for box in boxes if box.row == row] for row in range(rows)]
    for _attempt in range(10):
        lane_spans, row_spans, width, height = _place(
            boxes, rows, lanes, row_gaps, lane_gaps, left=left, top=top
        )
        routes = [_plan(edge, boxes_by_row) for edge in edges]
        for number, route in enumerate(routes):
            route.number = number
        gap_tops = [top] + [y + h for y, h in row_spans]
        lane_gap_lefts = [x - lane_gaps[n] for n, (x, _w) in enumerate(lane_spans)]
        lane_gap_lefts.append(lane_spans[-1][0] + lane_spans[-1][1])
        lane_gap_spans = [(x, x + w) for x, w in zip(lane_gap_lefts, lane_gaps, strict=True)]
        _assign_ports(routes)
        row_runs: dict[int, list] = {}
        for route in routes:
            _choose_crossing(route, [(a + b) / 2 for a, b in lane_gap_spans], boxes_by_row)
            for name, gap, x1, x2 in _runs(route, lane_gap_spans):
                row_runs.setdefault(gap, []).append((min(x1, x2), max(x1, x2), (id(route), name)))
        row_tracks = _assign(row_runs)

        def run_y(route, name, row_tracks=row_tracks, gap_tops=gap_tops, row_gaps=row_gaps):
            gap = route.first_gap if name == "first" else route.last_gap
            track = row_tracks.get((id(route), name))
            if track is None:  # no horizontal run: the line passes straight through
                return gap_tops[gap] + row_gaps[gap] / 2
            return gap_tops[gap] + (track + 1) * TRACK_GAP

        lane_runs: dict[int, list] = {}
        for route in routes:
            if route.lane_gap is not None:
                ends = sorted((run_y(route, "first"), run_y(route, "last")))
                lane_runs.setdefault(route.lane_gap, []).append((*ends, id(route)))
        lane_tracks = _assign(lane_runs)

        needed_rows = [MIN_GAP] * (rows + 1)
        for (route_id, name), track in row_tracks.items():
            route = next(r for r in routes if id(r) == route_id)
            gap = route.first_gap if name == "first" else route.last_gap
            needed_rows[gap] = max(needed_rows[gap], (track + 2) * TRACK_GAP)
        needed_lanes = [MIN_GAP] * (lanes + 1)
        for route in routes:
            if route.lane_gap is not None:
                track = lane_tracks[id(route)]
                needed_lanes[route.lane_gap] = max(
                    needed_lanes[route.lane_gap], (track + 2) * TRACK_GAP
                )
        if needed_rows == row_gaps and needed_lanes == lane_gaps:
            break
        row_gaps = [max(a, b) for a, b in zip(row_gaps, needed_rows, strict=True)]
        lane_gaps = [max(a, b) for a, b in zip(lane_gaps, needed_lanes, strict=True)]

    for route in routes:
        start, end = route.ports["start"], route.ports["end"]
        if route.first_gap is None:
            points = [start, end]
        elif route.lane_gap is None:
            name = "last" if route.free_x == "start" else "first"
            y = run_y(route, name)
            points = [start, (start[0], y), (end[0], y), end]
        else:
            x = lane_gap_lefts[route.lane_gap] + (lane_tracks[id(route)] + 1) * TRACK_GAP
            first, last = run_y(route, "first"), run_y(route, "last")
            points = [start, (start[0], first), (x, first), (x, last), (end[0], last), end]
        route.edge.points = _without_repeats(points)
    return width, height, lane_spans, row_spans


def _without_repeats(points):
    kept = [points[0]]
    for point in points[1:]:
        if abs(point[0] - kept[-1][0]) > 0.01 or abs(point[1] - kept[-1][1]) > 0.01:
            kept.append(point)
    return [(round(x, 1), round(y, 1)) for x, y in kept]
