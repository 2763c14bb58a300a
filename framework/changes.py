"""The public change log: what changed in the framework, day by day, in plain words.

Everything an editor saves is published at once, so every historical record (see
``competences/history.py``) is a published change; ``framework.change_words`` says what
each item's records over a day amount to.

Neither the queries nor the work grow with the history or with a day's size. The log
reads the newest few days that have changes (one query) and what each of those days
holds, item counts by kind (one query); days of ordinary editing are then read in full
(one query: every history table's records at once, a UNION ALL, each with the record
before it and the links each version held, the fields as JSON) and said line by line,
while a day of bulk changes (a first load or a large import) is summed up in counts. A
single day's own page reads its changed items a page at a time in the same way.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import JSONObject, TruncDate
from django.utils import timezone

from .change_sources import COLUMNS, SOURCES, Source, summary
from .change_words import ChangeLine, describe

# The days one page of the log shows, and the lines a day shows before it points to its
# own page.
DAYS_PER_PAGE = 10
LINES_PER_DAY = 25
# A day with more changed items than this is summed up in the log, not said line by line.
DETAILED_ITEMS = 200
# The changed items one page of a single day shows.
ITEMS_PER_PAGE = 100


@dataclass
class ChangeDay:
    """One day of changes: its lines, or for a day of bulk changes only its summary."""

    day: datetime.date
    lines: list[ChangeLine] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    items: int = 0

    @property
    def more(self) -> int:
        """How many of the day's lines a page of the log leaves for the day's own page."""
        return max(0, len(self.lines) - LINES_PER_DAY)

    @property
    def shown(self) -> list[ChangeLine]:
        return self.lines[:LINES_PER_DAY]


@dataclass
class ChangeLogPage:
    """Some days of changes, newest first; ``older_than`` is set when older ones exist."""

    days: list[ChangeDay]
    older_than: datetime.date | None


@dataclass
class ChangeDayPage:
    """One page of a single day's changes."""

    day: ChangeDay
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


# --- Reading ---------------------------------------------------------------------------


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _on_days(days) -> Q:
    """Records made on any of ``days`` (local dates)."""
    window = Q(pk__in=[])
    for day in days:
        window |= Q(
            history_date__gte=_midnight(day),
            history_date__lt=_midnight(day + datetime.timedelta(days=1)),
        )
    return window


def _kind(source: Source, suffix: str = "") -> Value:
    return Value(source.kind + suffix, output_field=CharField())


def days_with_changes(*, before: datetime.date | None, limit: int) -> list[datetime.date]:
    """The newest ``limit`` days (before ``before``, if given) with any recorded change."""
    parts = []
    for source in SOURCES:
        records = source.history.objects.order_by()
        if before is not None:
            records = records.filter(history_date__lt=_midnight(before))
        parts.append(records.annotate(day=TruncDate("history_date")).values("day"))
    return list(parts[0].union(*parts[1:]).order_by("-day").values_list("day", flat=True)[:limit])


def _day_counts(days: list[datetime.date]) -> dict[datetime.date, dict[tuple[str, str], int]]:
    """For each day, how many items of each kind were added, changed and removed."""
    parts = [
        source.history.objects.order_by()
        .filter(_on_days(days))
        .annotate(log_day=TruncDate("history_date"), log_kind=_kind(source))
        .values("log_day", "log_kind", "history_type")
        .annotate(log_items=Count("id", distinct=True))
        .values("log_day", "log_kind", "history_type", "log_items")
        for source in SOURCES
    ]
    counts: dict[datetime.date, dict[tuple[str, str], int]] = {}
    for row in parts[0].union(*parts[1:], all=True):
        key = (row["log_kind"], row["history_type"])
        counts.setdefault(row["log_day"], {})[key] = row["log_items"]
    return counts


def _window_records(source: Source, window: Q):
    """The source's records in ``window``, and the record before each of them."""
    records = source.history.objects.order_by()
    earlier = (
        records.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    previous = records.filter(window).annotate(previous=Subquery(earlier)).values("previous")
    return records.filter(window | Q(history_id__in=previous))


def _rows(window: Q, items: dict[str, list[int]] | None = None) -> list[dict]:
    """Every record in ``window`` (of only ``items``, by kind, if given), the record before
    each, and the links each of them held, in one query."""
    parts = []
    for source in SOURCES:
        if items is not None and not items.get(source.kind):
            continue
        scope = window & Q(id__in=items[source.kind]) if items is not None else window
        records = _window_records(source, scope)
        data = {name: F(name) for name in source.compared()}
        data |= {name: F(path) for name, path in source.labels.items()}
        parts.append(
            records.annotate(
                log_kind=_kind(source),
                log_record=F("history_id"),
                log_item=F("id"),
                log_at=F("history_date"),
                log_change=F("history_type"),
                log_reason=F("history_change_reason"),
                log_data=JSONObject(**data),
            ).values(*COLUMNS)
        )
        for name, label in source.links.items():
            snapshots = getattr(source.history, name).model
            target = source.model._meta.get_field(name).m2m_reverse_field_name()
            parts.append(
                snapshots.objects.order_by()
                .filter(history__in=records.values("history_id"))
                .annotate(
                    log_kind=_kind(source, f".{name}"),
                    log_record=F("history_id"),
                    log_item=F(f"{target}_id"),
                    log_at=F("history__history_date"),
                    log_change=Value("", output_field=CharField()),
                    log_reason=Value("", output_field=CharField()),
                    log_data=JSONObject(label=F(label)),
                )
                .values(*COLUMNS)
            )
    if not parts:
        return []
    return list(parts[0].union(*parts[1:], all=True))


def _items_on(day: datetime.date, *, offset: int, limit: int) -> dict[str, list[int]]:
    """The items changed on ``day``, by kind, ``limit`` of them from ``offset``, in order."""
    parts = [
        source.history.objects.order_by()
        .filter(_on_days([day]))
        .annotate(log_kind=_kind(source), log_item=F("id"))
        .values("log_kind", "log_item")
        .distinct()
        for source in SOURCES
    ]
    chosen = parts[0].union(*parts[1:]).order_by("log_kind", "log_item")[offset : offset + limit]
    items: dict[str, list[int]] = {}
    for row in chosen:
        items.setdefault(row["log_kind"], []).append(row["log_item"])
    return items


# --- The pages -------------------------------------------------------------------------


def change_days(*, before: datetime.date | None = None) -> ChangeLogPage:
    """The newest DAYS_PER_PAGE days with changes (before ``before``, if given)."""
    days = days_with_changes(before=before, limit=DAYS_PER_PAGE + 1)
    older = days[DAYS_PER_PAGE] if len(days) > DAYS_PER_PAGE else None
    days = days[:DAYS_PER_PAGE]
    if not days:
        return ChangeLogPage([], None)
    counts = _day_counts(days)
    sizes = {day: sum(counts.get(day, {}).values()) for day in days}
    detailed = [day for day in days if sizes[day] <= DETAILED_ITEMS]
    lines = describe(_rows(_on_days(detailed)), set(detailed)) if detailed else {}
    shown = []
    for day in days:
        if day in lines:
            shown.append(ChangeDay(day, lines=lines[day], items=sizes[day]))
        elif day not in detailed:
            shown.append(ChangeDay(day, summary=summary(counts[day]), items=sizes[day]))
        # A detailed day with no lines saved nothing a reader sees, and is left out.
    return ChangeLogPage(shown, days[-1] if older else None)


def change_day(day: datetime.date, *, page: int = 1) -> ChangeDayPage | None:
    """One page of the changes made on ``day``; None when the day or page has none."""
    page = max(page, 1)
    items = _items_on(day, offset=(page - 1) * ITEMS_PER_PAGE, limit=ITEMS_PER_PAGE + 1)
    listed = [(kind, pk) for kind, pks in items.items() for pk in pks]
    if not listed:
        return None
    has_next = len(listed) > ITEMS_PER_PAGE
    if has_next:
        kind, pk = max(listed)
        items[kind].remove(pk)
    counts = _day_counts([day]).get(day, {})
    lines = describe(_rows(_on_days([day]), items), {day}).get(day, [])
    changed = ChangeDay(day, lines=lines, summary=summary(counts), items=sum(counts.values()))
    return ChangeDayPage(changed, page, has_next)
