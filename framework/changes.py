"""The public change log: what changed in the framework, day by day, in plain words.

Everything an editor saves is published at once, so every historical record (see
``competences/history.py``) is a published change; ``framework.change_words`` says what
each item's records over a day amount to.

The reads do not grow with the data or the history: one query finds the days that have
changes (the newest few), and one more reads that window's records from every history
table at once (a UNION ALL), each with the record before it and the links each version
held, every row carrying its fields as JSON.
"""

import datetime
from dataclasses import dataclass

from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import JSONObject, TruncDate
from django.utils import timezone

from .change_words import COLUMNS, SOURCES, ChangeLine, Source, describe

# The days one page of the log shows, and the lines a day shows before it points to its
# own page.
DAYS_PER_PAGE = 10
LINES_PER_DAY = 25
# The lines one page of a single day's changes shows.
DAY_PAGE_SIZE = 100


@dataclass
class ChangeDay:
    day: datetime.date
    lines: list[ChangeLine]

    @property
    def more(self) -> int:
        """How many of the day's lines a page of the log leaves for the day's own page."""
        return max(0, len(self.lines) - LINES_PER_DAY)

    @property
    def shown(self) -> list[ChangeLine]:
        return self.lines[:LINES_PER_DAY]


# --- Reading ---------------------------------------------------------------------------


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def days_with_changes(*, before: datetime.date | None, limit: int) -> list[datetime.date]:
    """The newest ``limit`` days (before ``before``, if given) with any recorded change."""
    parts = []
    for source in SOURCES:
        records = source.history.objects.order_by()
        if before is not None:
            records = records.filter(history_date__lt=_midnight(before))
        parts.append(records.annotate(day=TruncDate("history_date")).values("day"))
    return list(parts[0].union(*parts[1:]).order_by("-day").values_list("day", flat=True)[:limit])


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


def _rows(start: datetime.datetime, end: datetime.datetime) -> list[dict]:
    """Every record in [start, end) and the one before each, with links, in one query."""
    window = Q(history_date__gte=start, history_date__lt=end)
    parts = []
    for source in SOURCES:
        records = _window_records(source, window)
        data = {name: F(name) for name in source.compared()}
        data |= {name: F(path) for name, path in source.labels.items()}
        parts.append(
            records.annotate(
                log_kind=Value(source.kind, output_field=CharField()),
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
                    log_kind=Value(f"{source.kind}.{name}", output_field=CharField()),
                    log_record=F("history_id"),
                    log_item=F(f"{target}_id"),
                    log_at=F("history__history_date"),
                    log_change=Value("", output_field=CharField()),
                    log_reason=Value("", output_field=CharField()),
                    log_data=JSONObject(label=F(label)),
                )
                .values(*COLUMNS)
            )
    return list(parts[0].union(*parts[1:], all=True))


@dataclass
class ChangeLogPage:
    """Some days of changes, newest first; ``older_than`` is set when older ones exist."""

    days: list[ChangeDay]
    older_than: datetime.date | None


def change_days(*, before: datetime.date | None = None) -> ChangeLogPage:
    """The newest DAYS_PER_PAGE days with changes (before ``before``, if given)."""
    days = days_with_changes(before=before, limit=DAYS_PER_PAGE + 1)
    older = len(days) > DAYS_PER_PAGE
    days = days[:DAYS_PER_PAGE]
    if not days:
        return ChangeLogPage([], None)
    start = _midnight(days[-1])
    by_day = describe(_rows(start, _midnight(days[0] + datetime.timedelta(days=1))), start)
    # A day whose saves changed nothing a reader sees has no lines, and is left out.
    shown = [ChangeDay(day, by_day[day]) for day in days if by_day.get(day)]
    return ChangeLogPage(shown, days[-1] if older else None)


def change_day(day: datetime.date) -> ChangeDay:
    """Every change made on ``day``."""
    start = _midnight(day)
    rows = _rows(start, _midnight(day + datetime.timedelta(days=1)))
    return ChangeDay(day, describe(rows, start).get(day, []))
