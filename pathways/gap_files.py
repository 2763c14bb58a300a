"""Gap files read back: a person's earlier result, or a whole team's results.

A gap file is the CSV that the self-assessment result offers (``assessment.gaps_csv``):
a header row, then one row per gap, each naming the role by its slug. A file with only
the header row is a person with no gaps. A combined file is several gap files joined end
to end, each keeping its own header row: every header row starts the next person.

Uploads arrive through ``GapFileUploadHandler`` (the only upload handler the settings
configure), so they are held in memory, never written to disk, and a file past the size
limit is refused without keeping its bytes. Nothing read here is stored or logged. Any
file may have been edited, renamed or swapped for something else, so reading never
raises: each problem becomes a message that names the file and says what is wrong.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.spreadsheets import FORMULA_STARTS
from core.uploads import KeptInMemory
from roles.models import RoleCompetence, RoleProfile
from roles.selectors import SectionRequirements

from .assessment import Answer, gap_csv_header, not_answered_in_csv
from .development_record import MAX_FILE_BYTES
from .forms import Problem, echo

MAX_FILES = 50
FILE_LIMIT = 200 * 1024
TOTAL_LIMIT = 2 * 1024 * 1024
LISTED = 5
# The pages that take development records, whose data files may be up to
# ``MAX_FILE_BYTES`` each: a person's record page and a team's records. Matched on the
# address because the handler runs before the view: the upload is parsed when the view
# first reads ``request.FILES``, and by then this handler is the only one installed.
RECORD_PAGES = re.compile(r"^/pathways/(self-assessment/[-a-zA-Z0-9_]+/record|team/records)/$")
RECORDS_TOTAL_LIMIT = 10 * 1024 * 1024


class GapFileUploadHandler(KeptInMemory):
    """Keeps uploads in memory. It stops keeping a file's bytes one past its page's
    limit for one file (``FILE_LIMIT`` for gap files, ``MAX_FILE_BYTES`` on the record
    pages), and all bytes one past the page's limit for the request, but counts each
    file's real size, so the page can say which file was too large."""

    @property
    def takes_records(self) -> bool:
        return self.request is not None and bool(RECORD_PAGES.match(self.request.path_info))

    @property
    def file_limit(self) -> int:
        return MAX_FILE_BYTES if self.takes_records else FILE_LIMIT

    @property
    def request_limit(self) -> int:
        return RECORDS_TOTAL_LIMIT if self.takes_records else TOTAL_LIMIT


@dataclass
class EarlierResult:
    """One person's gaps from a gap file.

    ``gaps`` maps competence codes to the answer given ("partly" or "not-yet"), or ""
    for a competence that was left unanswered. ``role_slug`` is blank when the person
    had no gaps, because then no row names the role.
    """

    file_name: str
    file_number: int = 0
    role_slug: str = ""
    gaps: dict[str, str] = field(default_factory=dict)


@dataclass
class GapFiles:
    """What a set of uploaded gap files holds: one entry per person, the roles they
    name, and the problems that stop them being used (none when all is well)."""

    people: list[EarlierResult] = field(default_factory=list)
    roles: dict[str, RoleProfile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    anchor: str = ""


def _kilobytes(size: int) -> str:
    return _("%(size)s KB") % {"size": f"{size / 1024:,.0f}"}


class _Refused(Exception):
    """A file cannot be used; the message says why."""


def _answers_in_csv() -> dict[str, str]:
    return {
        str(Answer.PARTLY.label): Answer.PARTLY.value,
        str(Answer.NOT_YET.label): Answer.NOT_YET.value,
        not_answered_in_csv(): "",
    }


def _read_one(name: str, number: int, data: bytes) -> list[EarlierResult]:
    """The people in one file's bytes; raises ``_Refused`` at the first problem."""
    if not data.strip():
        raise _Refused(_("“%(name)s” is empty.") % {"name": name})
    if b"\0" in data:
        raise _Refused(
            _(
                "“%(name)s” is not a CSV file: it holds binary data, as a picture or an Excel "
                "workbook does. Upload the CSV file that your self-assessment result gave you."
            )
            % {"name": name}
        )
    try:
        # A file put together from several keeps each part's byte-order mark.
        text = data.decode("utf-8-sig").replace("\ufeff", "")
    except UnicodeDecodeError:
        raise _Refused(
            _(
                "“%(name)s” is not plain text in UTF-8. If you opened it in a spreadsheet, "
                "save it as “CSV UTF-8” and upload it again."
            )
            % {"name": name}
        ) from None
    header = gap_csv_header()
    answers = _answers_in_csv()
    people: list[EarlierResult] = []
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise _Refused(
            _("“%(name)s” is not a well-formed CSV file, so it could not be read.") % {"name": name}
        ) from None
    for row_number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        where = {"name": name, "row": row_number}
        for cell in cells:
            if cell.startswith(FORMULA_STARTS):
                raise _Refused(
                    _(
                        "“%(name)s”, row %(row)d: a cell starts with “%(start)s”, so it looks "
                        "like a spreadsheet formula. Files from this site never hold one, so "
                        "the file was refused."
                    )
                    % {**where, "start": cell[0]}
                )
        if cells == header:
            people.append(EarlierResult(file_name=name, file_number=number))
            continue
        if not people:
            if cells == header[1:]:
                raise _Refused(
                    _(
                        "“%(name)s” was made before gap files named their role. Open your "
                        "self-assessment result and download the CSV again."
                    )
                    % where
                )
            raise _Refused(
                _(
                    "“%(name)s” is not a gap file from this site’s self-assessment. Its first "
                    "row should be: %(header)s."
                )
                % {**where, "header": ", ".join(header)}
            )
        if len(cells) != len(header):
            raise _Refused(
                _("“%(name)s”, row %(row)d has %(count)d columns; a gap file has %(expected)d.")
                % {**where, "count": len(cells), "expected": len(header)}
            )
        person = people[-1]
        slug, code, answer = cells[0], cells[2], cells[6]
        if person.role_slug and slug != person.role_slug:
            raise _Refused(
                _(
                    "“%(name)s”, row %(row)d is about a different role from the rows above "
                    "it. In a combined file, start each person’s rows with the header row."
                )
                % where
            )
        if code in person.gaps:
            raise _Refused(
                _("“%(name)s”, row %(row)d lists %(code)s a second time for the same person.")
                % {**where, "code": echo(code)}
            )
        if answer not in answers:
            raise _Refused(
                _(
                    "“%(name)s”, row %(row)d: “%(answer)s” is not an answer a gap can have "
                    "(Partly, Not yet or not answered)."
                )
                % {**where, "answer": echo(answer)}
            )
        person.role_slug = slug
        person.gaps[code] = answers[answer]
    return people


def _check_against_framework(files: GapFiles, refused: set[int]) -> None:
    """Refuse files naming a role that does not exist, or competences their role lacks;
    two queries however many files there are."""
    slugs = {person.role_slug for person in files.people if person.role_slug}
    files.roles = {
        role.slug: role
        for role in RoleProfile.objects.filter(slug__in=slugs).select_related("level")
    }
    codes: dict[str, set[str]] = {slug: set() for slug in files.roles}
    for slug, code in RoleCompetence.objects.filter(role__slug__in=list(files.roles)).values_list(
        "role__slug", "competence__code"
    ):
        codes[slug].add(code)
    for person in files.people:
        if person.file_number in refused or not person.role_slug:
            continue
        role = files.roles.get(person.role_slug)
        if role is None:
            message = _("“%(name)s” is for a role that does not exist: “%(slug)s”.") % {
                "name": person.file_name,
                "slug": echo(person.role_slug),
            }
        else:
            unknown = sorted(set(person.gaps) - codes[role.slug])
            if not unknown:
                continue
            message = _("“%(name)s” lists competences that %(title)s does not need: %(codes)s.") % {
                "name": person.file_name,
                "title": role.title,
                "codes": ", ".join(echo(code) for code in unknown[:LISTED]),
            }
        files.problems.append(Problem(message, files.anchor))
        refused.add(person.file_number)


def read_gap_files(uploads, *, anchor: str = "") -> GapFiles:
    """Read uploaded gap files (Django ``UploadedFile`` objects); every problem found
    is linked to the field with id ``anchor``."""
    files = GapFiles(anchor=anchor)

    def refuse(message: str) -> GapFiles:
        files.problems.append(Problem(message, anchor))
        return files

    if not uploads:
        return refuse(_("Choose at least one gap file (CSV) to upload."))
    if len(uploads) > MAX_FILES:
        return refuse(
            _(
                "You chose %(count)d files. Upload up to %(limit)d at a time, or join them "
                "into one combined file."
            )
            % {"count": len(uploads), "limit": MAX_FILES}
        )
    refused: set[int] = set()
    for number, upload in enumerate(uploads):
        name = echo(upload.name or _("Unnamed file"))
        if upload.size > FILE_LIMIT:
            files.problems.append(
                Problem(
                    _(
                        "“%(name)s” is %(size)s, which is over the %(limit)s limit for one "
                        "file. A gap file is usually a few KB: check you chose the right one."
                    )
                    % {
                        "name": name,
                        "size": _kilobytes(upload.size),
                        "limit": _kilobytes(FILE_LIMIT),
                    },
                    anchor,
                )
            )
            refused.add(number)
    total = sum(upload.size for upload in uploads)
    if total > TOTAL_LIMIT:
        return refuse(
            _("The files you chose add up to %(size)s. Upload up to 2 MB at a time.")
            % {"size": _kilobytes(total)}
        )
    for number, upload in enumerate(uploads):
        if number in refused:
            continue
        try:
            files.people += _read_one(echo(upload.name or _("Unnamed file")), number, upload.read())
        except _Refused as refusal:
            files.problems.append(Problem(str(refusal), anchor))
            refused.add(number)
    _check_against_framework(files, refused)
    files.people = [person for person in files.people if person.file_number not in refused]
    return files


# --- What changed since an earlier result ---------------------------------------------


@dataclass
class Progress:
    """How today's gaps differ from an earlier result's, each list in the role's order."""

    closed: list = field(default_factory=list)
    new: list = field(default_factory=list)
    still_open: list = field(default_factory=list)


def progress_since(before: set[str], sections: list[SectionRequirements], gaps) -> Progress:
    """Compare the earlier gaps (codes in ``before``) with today's ``gaps``."""
    now = {gap.competence.code for gap in gaps}
    progress = Progress()
    for group in sections:
        for item in group.requirements:
            code = item.competence.code
            if code in before and code in now:
                progress.still_open.append(item.competence)
            elif code in before:
                progress.closed.append(item.competence)
            elif code in now:
                progress.new.append(item.competence)
    return progress


def earlier_answers(person: EarlierResult, codes) -> dict[str, str]:
    """The answers an earlier result implies for a role's competence ``codes``: a gap's
    own answer, Confident for every competence that was not a gap, and nothing for a gap
    that was left unanswered (it counts as Not yet again)."""
    answers = {}
    for code in codes:
        if code not in person.gaps:
            answers[code] = Answer.CONFIDENT.value
        elif person.gaps[code]:
            answers[code] = person.gaps[code]
    return answers


def read_earlier_result(role: RoleProfile, uploads, *, anchor: str = ""):
    """One person's earlier result for ``role`` from a single uploaded gap file, and the
    problems that stop it being used (the result is None when there are any)."""
    if len(uploads) > 1:
        return None, [Problem(_("Choose one file: the gap file from your last result."), anchor)]
    files = read_gap_files(uploads, anchor=anchor)
    if files.problems:
        return None, files.problems
    name = files.people[0].file_name if files.people else ""
    if len(files.people) != 1:
        message = _("“%(name)s” holds %(count)d people’s results. Choose your own file.") % {
            "name": name,
            "count": len(files.people),
        }
        return None, [Problem(message, anchor)]
    person = files.people[0]
    if person.role_slug and person.role_slug != role.slug:
        message = _(
            "“%(name)s” is a result for %(other)s, not for %(title)s. Choose the file from "
            "your last %(title)s result."
        ) % {"name": name, "other": files.roles[person.role_slug].title, "title": role.title}
        return None, [Problem(message, anchor)]
    return person, []
