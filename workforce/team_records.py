"""A team's development, from the development records its members keep.

A manager uploads several people's record data files (``pathways.development_record``)
and sees, section by section, where the team has agreed actions, where actions are
overdue and which competences supervisors have confirmed. The files are read in memory
for one response; nothing is stored or logged.

Rules, stated on the page too:
- Each record read is one person, whatever their role: records for different roles are
  counted together. A file with exactly the same bytes as one already read is the same
  record chosen twice: it is counted once, and the page says so.
- An agreed action is a competence whose record holds an action. It is overdue when its
  target date is before the day the page is asked for and no supervisor has confirmed
  the competence (``RecordItem.overdue``). A confirmed competence is one a supervisor
  confirmed.
- A count that comes from fewer than 3 people is not shown: a number of people shows
  as "fewer than 3", and a number of actions or competences as "from fewer than 3
  people", so no one's record can be picked out. A total that adds up counts of which
  one is not shown (a section's actions, the sum of its competences' counts; the
  actions in all sections) shows as "not shown", since subtracting would give the
  hidden count away. Rows keep the framework's order and are never sorted by their
  counts, so the order gives nothing away either.
- No names: the supervisor, their initials and everything written in a record (evidence,
  actions, learning) are never shown; only codes, titles and counts are.
"""

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.spreadsheets import Sheet
from pathways.development_record import (
    MAX_FILE_BYTES,
    DevelopmentRecord,
    RecordItem,
    read_record_file,
)
from pathways.forms import Problem
from pathways.gap_files import RECORDS_TOTAL_LIMIT
from pathways.provider_summary import SUPPRESS_BELOW

from .uploaded_files import read_uploads

FILES_FIELD = "files"


class TeamRecordsForm(forms.Form):
    """The choice beside the uploaded files: the page or the Excel workbook."""

    format = forms.ChoiceField(choices=[("page", "page"), ("xlsx", "xlsx")], required=False)


def suppression_rule() -> str:
    return _(
        "A count that comes from fewer than 3 people is not shown, so no one’s record can "
        "be picked out: a number of people shows as “fewer than 3”, and a number of "
        "actions or competences as “from fewer than 3 people”. A total of actions or "
        "competences that adds up counts of which one is not shown shows as “not shown”, "
        "because that count could be worked out from it."
    )


def duplicates_rule() -> str:
    return _(
        "Each record is one person. A file that is exactly the same as one already read "
        "is the same record chosen twice, so it is counted once."
    )


# --- Reading the files ---------------------------------------------------------------


@dataclass
class TeamRecordFiles:
    """The records read from a set of uploads, and what happened to the other files:
    ``refused`` (not a record that can be read) and ``repeated`` (the same record as a
    file already read)."""

    records: list[DevelopmentRecord] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)


def read_team_records(uploads, *, anchor: str = "") -> TeamRecordFiles:
    """Read uploaded record files (see ``uploaded_files.read_uploads``)."""

    def read_one(name: str, data: bytes):
        read = read_record_file(name, data)
        return read.record, [problem.message for problem in read.problems]

    files = read_uploads(
        uploads,
        anchor=anchor,
        nothing_chosen=_("Choose at least one development record file (JSON) to upload."),
        file_limit=MAX_FILE_BYTES,
        too_large=lambda name, size: (
            _(
                "“%(name)s” is %(size)s, which is over the %(limit)s limit for one "
                "file. Check you chose a development record’s data file."
            )
            % {"name": name, "size": filesizeformat(size), "limit": _megabytes(MAX_FILE_BYTES)}
        ),
        request_limit_text=_megabytes(RECORDS_TOTAL_LIMIT),
        read_one=read_one,
    )
    return TeamRecordFiles(records=files.read, refused=files.refused, repeated=files.repeated)


def _megabytes(size: int) -> str:
    return _("%(count)d MB") % {"count": size // (1024 * 1024)}


# --- Counting ------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """A number, and how many people it comes from, which decides whether it is shown.
    ``of_people``: the number is itself a number of people. ``withheld``: a total of
    other counts on the page, one of which is not shown, so it is not shown either."""

    value: int
    people: int
    of_people: bool = True
    withheld: bool = False

    @property
    def suppressed(self) -> bool:
        return self.people < SUPPRESS_BELOW or self.withheld

    @property
    def text(self) -> str:
        if not self.suppressed:
            return str(self.value)
        if self.people >= SUPPRESS_BELOW:
            return _("not shown")
        return _("fewer than 3") if self.of_people else _("from fewer than 3 people")

    @property
    def cell(self) -> int | None:
        """The number for a spreadsheet's count column, blank when it is not shown: a
        number column that holds words cannot be summed or sorted."""
        return None if self.suppressed else self.value

    @property
    def note(self) -> str | None:
        """What a blank count stands for, in the column beside it."""
        return self.text if self.suppressed else None


@dataclass
class CompetenceRow:
    """One competence within a section, and the people whose record counts it."""

    code: str
    title: str
    people: Count


@dataclass
class SectionRow:
    """One section (or all of them): the people with at least one competence counted
    in it, how many competences that is, and each competence."""

    title: str
    people: Count
    items: Count
    competences: list[CompetenceRow] = field(default_factory=list)


@dataclass
class Tally:
    """One table: the sections with anything counted, in the framework's order, and the
    row for all sections together."""

    sections: list[SectionRow]
    total: SectionRow


@dataclass
class TeamRecords:
    people: int
    today: datetime.date
    actions: Tally
    overdue: Tally
    confirmed: Tally


def _natural(code: str) -> tuple:
    """A code's parts with its numbers as numbers, so COM.1.10 comes after COM.1.9."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))


def _place(code: str, order: dict[str, int]) -> tuple:
    """Where a code sorts: the framework's order, then codes it no longer has."""
    return (0, order[code], ()) if code in order else (1, 0, _natural(code))


def tally(
    records: list[DevelopmentRecord],
    counted: Callable[[RecordItem], bool],
    *,
    order: dict[str, int],
    by_competence: bool = False,
) -> Tally:
    """Count, section by section (and competence by competence if ``by_competence``),
    the items for which ``counted`` is true and the people (records) who hold them.

    A section's number of items is the sum of its competences' counts (a record holds a
    competence once), and the number for all sections the sum of the sections': such a
    total is withheld when one of its parts is not shown, which subtraction would give
    away."""
    in_section: dict[str, set[int]] = defaultdict(set)
    items_in_section: Counter = Counter()
    with_competence: dict[tuple[str, str], set[int]] = defaultdict(set)
    # A code's title from the newest record that names it (the first such file on a tie).
    titles: dict[str, tuple[int, int, str]] = {}
    for person, record in enumerate(records):
        for item in record.items:
            if not counted(item):
                continue
            in_section[item.section].add(person)
            items_in_section[item.section] += 1
            with_competence[(item.section, item.code)].add(person)
            candidate = (-record.framework_version, person, item.title)
            titles[item.code] = min(titles.get(item.code, candidate), candidate)
    competences: dict[str, list[str]] = defaultdict(list)
    for section, code in with_competence:
        competences[section].append(code)
    sections = []
    for section in sorted(
        in_section,
        key=lambda title: (min(_place(code, order) for code in competences[title]), title),
    ):
        people = len(in_section[section])
        rows = [
            CompetenceRow(
                code=code,
                title=titles[code][2],
                people=Count(
                    len(with_competence[(section, code)]), len(with_competence[(section, code)])
                ),
            )
            for code in sorted(competences[section], key=lambda code: _place(code, order))
        ]
        if not by_competence:
            rows = []
        sections.append(
            SectionRow(
                title=section or _("Section not given"),
                people=Count(people, people),
                items=Count(
                    items_in_section[section],
                    people,
                    of_people=False,
                    withheld=any(row.people.suppressed for row in rows),
                ),
                competences=rows,
            )
        )
    everyone = len(set().union(*in_section.values()))
    total = SectionRow(
        title=_("All sections"),
        people=Count(everyone, everyone),
        items=Count(
            sum(items_in_section.values()),
            everyone,
            of_people=False,
            withheld=any(row.items.suppressed for row in sections),
        ),
    )
    return Tally(sections=sections, total=total)


def team_records(
    records: list[DevelopmentRecord], *, today: datetime.date, order: dict[str, int]
) -> TeamRecords:
    """What the team's ``records`` hold, counted; ``today`` decides which actions are
    overdue and ``order`` (code: place) is the framework's order of competences."""
    return TeamRecords(
        people=len(records),
        today=today,
        actions=tally(records, lambda item: bool(item.action), order=order, by_competence=True),
        overdue=tally(records, lambda item: item.overdue(today), order=order),
        confirmed=tally(records, lambda item: item.confirmed, order=order),
    )


# --- The workbook --------------------------------------------------------------------


def overdue_rule(today: datetime.date) -> str:
    return _(
        "An agreed action is overdue when its target date is before %(day)s and no "
        "supervisor has confirmed the competence."
    ) % {"day": date_format(today, "j F Y")}


def _section_sheet(title: str, tally: Tally, people: str, items: str) -> Sheet:
    def not_shown(heading: str) -> str:
        return _("%(heading)s: count not shown") % {"heading": heading}

    return Sheet(
        title=title,
        header=[_("Section"), people, not_shown(people), items, not_shown(items)],
        rows=[
            [row.title, row.people.cell, row.people.note, row.items.cell, row.items.note]
            for row in [*tally.sections, tally.total]
        ],
    )


def team_records_sheets(summary: TeamRecords, files: TeamRecordFiles) -> list[Sheet]:
    """The page's tables as spreadsheet sheets, in the page's order, after a summary.
    Counts are numbers; one that is not shown is blank, with what the page says in a
    column of its own."""
    about = Sheet(
        title=_("Summary"),
        header=[_("What"), _("Detail")],
        rows=[
            [_("Records read"), summary.people],
            [_("Files not used"), len(files.refused)],
            [_("Files counted once"), len(files.repeated)],
            [_("Small numbers"), suppression_rule()],
            [_("Same file twice"), duplicates_rule()],
            [_("Overdue"), overdue_rule(summary.today)],
        ],
    )
    by_competence = Sheet(
        title=_("Actions by competence"),
        header=[
            _("Section"),
            _("Code"),
            _("Competence"),
            _("People with an agreed action"),
            _("Count not shown"),
        ],
        rows=[
            [section.title, row.code, row.title, row.people.cell, row.people.note]
            for section in summary.actions.sections
            for row in section.competences
        ],
    )
    sheets = [
        about,
        _section_sheet(
            _("Actions by section"),
            summary.actions,
            _("People with an agreed action"),
            _("Agreed actions"),
        ),
        by_competence,
        _section_sheet(
            _("Overdue by section"),
            summary.overdue,
            _("People with an overdue action"),
            _("Overdue actions"),
        ),
        _section_sheet(
            _("Confirmed by section"),
            summary.confirmed,
            _("People with confirmed competences"),
            _("Confirmed competences"),
        ),
    ]
    if files.refused or files.repeated:
        sheets.append(
            Sheet(
                title=_("Files not counted"),
                header=[_("What happened")],
                rows=[[problem.message] for problem in files.refused]
                + [[message] for message in files.repeated],
            )
        )
    return sheets
