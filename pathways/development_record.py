"""A development record: what a person and their supervisor agree about the gaps a
self-assessment found, kept by the person and never by the site.

The record travels in POST bodies only (the form, the downloads) and in the data file
the person keeps: JSON in the shape ``RECORD_SCHEMA`` describes, published beside the
other open-data schemas. Reading a form or a file never raises: whatever cannot be
trusted becomes a ``Problem`` for the page, and what was typed is kept so the person can
fix it. Nothing here logs, caches or stores what it reads.
"""

import datetime
import json
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from core.text import REFUSED_IN_STORED, normalised_stored
from roles.models import Proficiency, Requirement

from .forms import Problem, echo

RECORD_FORMAT = "non-custodial-framework/development-record"
RECORD_VERSION = 1
MAX_NOTE = 2000  # characters in one evidence note or one action
MAX_NAME = 100  # characters in the supervisor's name
MAX_INITIALS = 6
MAX_LEARNING = 10  # learning items chosen for one competence
MAX_FILE_BYTES = 1024 * 1024
# Target and review dates a record may hold: nothing before this year or long after.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100

SELF_RATINGS = ("confident", "partly", "not-yet", "")
PROFICIENCY_NAMES = {int(member.value): member.name.lower() for member in Proficiency}
PROFICIENCY_VALUES = {name: value for value, name in PROFICIENCY_NAMES.items()}


@dataclass
class RecordItem:
    """One competence in the record, as the person and their supervisor left it."""

    code: str
    title: str = ""
    section: str = ""
    required: int = 0  # the proficiency the role needed when the record was made
    essential: bool = True
    self_rating: str = ""
    evidence: str = ""
    action: str = ""
    target: datetime.date | None = None
    learning: list[str] = field(default_factory=list)
    confirmed: bool = False
    initials: str = ""

    @property
    def required_name(self) -> str:
        return PROFICIENCY_NAMES.get(self.required, "")

    def overdue(self, today: datetime.date) -> bool:
        """An agreed action whose date has passed and that no supervisor has confirmed."""
        return (
            bool(self.action)
            and self.target is not None
            and self.target < today
            and not (self.confirmed)
        )


@dataclass
class DevelopmentRecord:
    role_slug: str
    role_title: str = ""
    framework_version: int = 0
    made_on: datetime.date | None = None
    supervisor: str = ""
    meeting: datetime.date | None = None
    next_review: datetime.date | None = None
    items: list[RecordItem] = field(default_factory=list)

    def item(self, code: str) -> RecordItem | None:
        return next((item for item in self.items if item.code == code), None)

    @property
    def codes(self) -> list[str]:
        return [item.code for item in self.items]


# --- Text and dates ----------------------------------------------------------------


def clean_text(value, *, limit: int, multiline: bool, label: str, problems, anchor: str):
    """``value`` as stored text (line endings made plain, characters that cannot be
    stored removed), cut to ``limit`` with a problem that names the field. The text
    is kept either way, so nothing typed is lost when the form comes back."""
    if not isinstance(value, str):
        return ""
    text = normalised_stored(value, multiline=multiline)
    text = REFUSED_IN_STORED.sub("", text).strip()
    if len(text) > limit:
        problems.append(
            Problem(
                _("%(label)s must be %(limit)d characters or fewer: it has %(count)d.")
                % {"label": label, "limit": limit, "count": len(text)},
                anchor,
            )
        )
    return text


def parse_date(value, *, label: str, problems, anchor: str) -> datetime.date | None:
    """A date written as YYYY-MM-DD (what a date field sends), or None when blank."""
    if value in (None, ""):
        return None
    try:
        day = datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(
            Problem(
                _("%(label)s must be a real date, such as 2027-03-31.") % {"label": label}, anchor
            )
        )
        return None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        problems.append(
            Problem(
                _("%(label)s must be between %(first)d and %(last)d.")
                % {"label": label, "first": EARLIEST_YEAR, "last": LATEST_YEAR},
                anchor,
            )
        )
        return None
    return day


# --- The data file -------------------------------------------------------------------


def record_json(record: DevelopmentRecord) -> bytes:
    """The data file: UTF-8 JSON in the shape of ``RECORD_SCHEMA``."""
    document = {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "framework_version": record.framework_version,
        "made_on": record.made_on.isoformat() if record.made_on else None,
        "role": {"slug": record.role_slug, "title": record.role_title},
        "supervisor": record.supervisor,
        "meeting_date": record.meeting.isoformat() if record.meeting else None,
        "next_review": record.next_review.isoformat() if record.next_review else None,
        "items": [
            {
                "code": item.code,
                "title": item.title,
                "section": item.section,
                "required": item.required_name,
                "requirement": Requirement.ESSENTIAL if item.essential else Requirement.DESIRABLE,
                "self_rating": item.self_rating,
                "evidence": item.evidence,
                "action": item.action,
                "target_date": item.target.isoformat() if item.target else None,
                "learning": item.learning,
                "confirmed": item.confirmed,
                "confirmed_by": item.initials,
            }
            for item in record.items
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


RECORD_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "development-record.schema.json",
    "title": "Development record",
    "description": (
        "A person's development record against one role profile of the Non-custodial "
        "Career and Competence Framework: the competences they and their supervisor are "
        "working on, with evidence, agreed actions, dates and confirmation. The site "
        "makes and reads these files and keeps none of them."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "version", "framework_version", "role", "items"],
    "properties": {
        "format": {"const": RECORD_FORMAT},
        "version": {"const": RECORD_VERSION},
        "framework_version": {
            "type": "integer",
            "minimum": 0,
            "description": "The framework version the record was made against.",
        },
        "made_on": {"type": ["string", "null"], "format": "date"},
        "role": {
            "type": "object",
            "additionalProperties": False,
            "required": ["slug"],
            "properties": {
                "slug": {"type": "string", "pattern": "^[a-z0-9-]{1,150}$"},
                "title": {"type": "string", "maxLength": 150},
            },
        },
        "supervisor": {"type": "string", "maxLength": MAX_NAME},
        "meeting_date": {"type": ["string", "null"], "format": "date"},
        "next_review": {"type": ["string", "null"], "format": "date"},
        "items": {
            "type": "array",
            "maxItems": 500,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Za-z0-9.]{1,30}$"},
                    "title": {"type": "string", "maxLength": 500},
                    "section": {"type": "string", "maxLength": 500},
                    "required": {"enum": [*PROFICIENCY_VALUES, ""]},
                    "requirement": {"enum": list(Requirement.values)},
                    "self_rating": {"enum": list(SELF_RATINGS)},
                    "evidence": {"type": "string", "maxLength": MAX_NOTE},
                    "action": {"type": "string", "maxLength": MAX_NOTE},
                    "target_date": {"type": ["string", "null"], "format": "date"},
                    "learning": {
                        "type": "array",
                        "maxItems": MAX_LEARNING,
                        "items": {"type": "string", "maxLength": 300},
                    },
                    "confirmed": {"type": "boolean"},
                    "confirmed_by": {"type": "string", "maxLength": MAX_INITIALS},
                },
            },
        },
    },
}


@dataclass
class ReadRecord:
    """A data file read back: the record, or the problems that stopped it."""

    record: DevelopmentRecord | None = None
    problems: list[Problem] = field(default_factory=list)
    raw: str = ""


def read_record_file(name: str, data: bytes, *, role_slug: str | None = None) -> ReadRecord:
    """The record in an uploaded data file. A file that is not a development record
    (a gap CSV, the framework JSON, anything else), is too large, is not UTF-8 JSON,
    breaks the schema, or belongs to another role than ``role_slug`` is refused with a
    message naming it; nothing is half-read."""
    from jsonschema import Draft202012Validator, FormatChecker

    shown = echo(name or _("the file"))

    def refuse(message: str) -> ReadRecord:
        return ReadRecord(problems=[Problem(message % {"file": shown}, "record-file")])

    if not data:
        return refuse(_("%(file)s is empty. Choose the data file you downloaded."))
    if len(data) > MAX_FILE_BYTES:
        return refuse(_("%(file)s is too large to be a development record (the limit is 1 MB)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return refuse(_("%(file)s is not a development record: it is not UTF-8 text."))
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return refuse(_("%(file)s is not a development record: it is not JSON."))
    if not isinstance(document, dict) or document.get("format") != RECORD_FORMAT:
        return refuse(
            _(
                "%(file)s is not a development record from this site. Choose the data file "
                "the record page gave you (not the gap spreadsheet or the framework's data)."
            )
        )
    if document.get("version") != RECORD_VERSION:
        return refuse(_("%(file)s was made by a version of the site this one cannot read."))
    errors = sorted(
        Draft202012Validator(RECORD_SCHEMA, format_checker=FormatChecker()).iter_errors(document),
        key=lambda error: list(error.absolute_path),
    )
    if errors:
        where = "/".join(str(part) for part in errors[0].absolute_path) or _("the top level")
        return refuse(
            _("%(file)s has been changed and cannot be read: the problem is at ")
            + echo(where)
            + "."
        )
    slug = document["role"]["slug"]
    if role_slug is not None and slug != role_slug:
        return refuse(
            _("%(file)s is a record for another role (")
            + echo(document["role"].get("title") or slug)
            + _("). Open that role's record page to use it.")
        )
    codes = [item["code"] for item in document["items"]]
    if len(set(codes)) != len(codes):
        return refuse(_("%(file)s names a competence twice, so it has been changed."))
    problems: list[Problem] = []
    record = DevelopmentRecord(
        role_slug=slug,
        role_title=document["role"].get("title", ""),
        framework_version=document["framework_version"],
        made_on=_file_date(document.get("made_on")),
        supervisor=_file_text(document.get("supervisor"), MAX_NAME, False),
        meeting=_file_date(document.get("meeting_date")),
        next_review=_file_date(document.get("next_review")),
        items=[
            RecordItem(
                code=item["code"],
                title=_file_text(item.get("title"), 500, False),
                section=_file_text(item.get("section"), 500, False),
                required=PROFICIENCY_VALUES.get(item.get("required") or "", 0),
                essential=item.get("requirement", Requirement.ESSENTIAL) == Requirement.ESSENTIAL,
                self_rating=item.get("self_rating", ""),
                evidence=_file_text(item.get("evidence"), MAX_NOTE, True),
                action=_file_text(item.get("action"), MAX_NOTE, True),
                target=_file_date(item.get("target_date")),
                learning=[_file_text(title, 300, False) for title in item.get("learning", [])],
                confirmed=bool(item.get("confirmed")),
                initials=_file_text(item.get("confirmed_by"), MAX_INITIALS, False),
            )
            for item in document["items"]
        ],
    )
    if any(day is False for day in _all_dates(record)):
        return refuse(_("%(file)s holds a date that is not a real date, so it has been changed."))
    return ReadRecord(record=record, problems=problems, raw=text)


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _file_text(value, limit: int, multiline: bool) -> str:
    if not isinstance(value, str):
        return ""
    text = normalised_stored(value, multiline=multiline)
    return REFUSED_IN_STORED.sub("", text).strip()[:limit]


def _file_date(value):
    """A date from the file; False (not None) for one that is not a real date."""
    if value in (None, ""):
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return day if EARLIEST_YEAR <= day.year <= LATEST_YEAR else False


def _all_dates(record: DevelopmentRecord):
    yield record.made_on
    yield record.meeting
    yield record.next_review
    for item in record.items:
        yield item.target


def record_as_dict(record: DevelopmentRecord) -> dict:
    """The record as plain values (for templates and tests)."""
    return asdict(record)
