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
from dataclasses import asdict, dataclass, field, replace

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

    @property
    def self_rating_label(self) -> str:
        from .assessment import Answer

        return str(dict(Answer.choices).get(self.self_rating, ""))

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
        document = strict_json(text)
    except ValueError:
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


def strict_json(text: str):
    """``text`` read as JSON, refusing what Python's reader lets through and JSON does
    not allow (NaN, Infinity) and nesting too deep to read: ValueError for either."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


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


# --- The record from the page's form -------------------------------------------------

ITEMS_FIELD = "items"
ADD_FIELD = "add"
LAST_FIELD = "last"


def field_name(kind: str, code: str) -> str:
    """The form field of ``kind`` (evidence, action, target...) for competence ``code``."""
    return f"{kind}-{code}"


@dataclass
class Needed:
    """What the role needs of one competence now, from the framework."""

    code: str
    title: str
    section: str
    required: int
    essential: bool
    learning: list[str] = field(default_factory=list)


def needed_by_role(sections) -> dict[str, Needed]:
    """{code: Needed} for every competence ``sections`` (the role's requirements by
    section, read ``with_learning``) holds, in the role's order."""
    needed = {}
    for group in sections:
        for item in group.requirements:
            competence = item.competence
            needed[competence.code] = Needed(
                code=competence.code,
                title=competence.title,
                section=group.section.title,
                required=item.proficiency,
                essential=item.is_essential,
                learning=[learning.title for learning in competence.learning_opportunities.all()],
            )
    return needed


def _described(item: RecordItem, need: Needed) -> RecordItem:
    item.title, item.section = need.title, need.section
    item.required, item.essential = need.required, need.essential
    return item


def record_from_gaps(
    role, needed: dict[str, Needed], ratings: dict[str, str], *, version: int, today
) -> DevelopmentRecord:
    """A new record holding one item per gap (``ratings``: code to answer)."""
    return DevelopmentRecord(
        role_slug=role.slug,
        role_title=role.title,
        framework_version=version,
        made_on=today,
        items=[
            _described(RecordItem(code=code, self_rating=ratings[code]), need)
            for code, need in needed.items()
            if code in ratings
        ],
    )


def record_from_post(
    post, role, needed: dict[str, Needed], *, version: int, today
) -> tuple[DevelopmentRecord, list[Problem]]:
    """The record as the form sent it, described from the framework as it is now. Text
    over its limit is kept (and reported) so nothing typed is lost; competences the role
    does not need are left out, and said so."""
    problems: list[Problem] = []
    record = DevelopmentRecord(
        role_slug=role.slug,
        role_title=role.title,
        framework_version=version,
        made_on=today,
        supervisor=clean_text(
            post.get("supervisor", ""),
            limit=MAX_NAME,
            multiline=False,
            label=_("The supervisor's name"),
            problems=problems,
            anchor="supervisor",
        ),
        meeting=parse_date(
            post.get("meeting"), label=_("The meeting date"), problems=problems, anchor="meeting"
        ),
        next_review=parse_date(
            post.get("next_review"),
            label=_("The next review date"),
            problems=problems,
            anchor="next_review",
        ),
    )
    codes = []
    for code in post.getlist(ITEMS_FIELD)[: len(needed) + 1]:
        if code in needed and code not in codes:
            codes.append(code)
        elif code not in needed:
            problems.append(
                Problem(
                    _("%(code)s is not a competence this role needs, so it was left out.")
                    % {"code": echo(code)}
                )
            )
    added = post.get(ADD_FIELD, "")
    if post.get("do") == "add":
        if added in needed and added not in codes:
            codes.append(added)
        elif added and added not in needed:
            problems.append(Problem(_("Choose a competence from the list to add."), ADD_FIELD))
    for code in sorted(codes, key=list(needed).index):
        need = needed[code]
        label = f"{code}:"
        rating = post.get(field_name("rating", code), "")
        learning = [
            title for title in post.getlist(field_name("learning", code)) if title in need.learning
        ][:MAX_LEARNING]
        item = RecordItem(
            code=code,
            self_rating=rating if rating in SELF_RATINGS else "",
            evidence=clean_text(
                post.get(field_name("evidence", code), ""),
                limit=MAX_NOTE,
                multiline=True,
                label=f"{label} {_('the evidence')}",
                problems=problems,
                anchor=field_name("evidence", code),
            ),
            action=clean_text(
                post.get(field_name("action", code), ""),
                limit=MAX_NOTE,
                multiline=True,
                label=f"{label} {_('the agreed action')}",
                problems=problems,
                anchor=field_name("action", code),
            ),
            target=parse_date(
                post.get(field_name("target", code)),
                label=f"{label} {_('the target date')}",
                problems=problems,
                anchor=field_name("target", code),
            ),
            learning=learning,
            confirmed=post.get(field_name("confirmed", code)) == "on",
            initials=clean_text(
                post.get(field_name("initials", code), ""),
                limit=MAX_INITIALS,
                multiline=False,
                label=f"{label} {_('the supervisor’s initials')}",
                problems=problems,
                anchor=field_name("initials", code),
            ),
        )
        if item.confirmed and not item.initials:
            problems.append(
                Problem(
                    _("%(code)s: add the supervisor's initials to confirm it.") % {"code": code},
                    field_name("initials", code),
                )
            )
        record.items.append(_described(item, need))
    return record, problems


def restored(record: DevelopmentRecord, needed: dict[str, Needed]) -> DevelopmentRecord:
    """A record read from a file, for editing against the framework as it is now: items
    the role still needs take today's description; the rest are dropped (and reported by
    ``since``)."""
    items = [
        _described(replace(item, learning=list(item.learning)), needed[item.code])
        for item in record.items
        if item.code in needed
    ]
    return DevelopmentRecord(
        role_slug=record.role_slug,
        role_title=record.role_title,
        framework_version=record.framework_version,
        made_on=record.made_on,
        supervisor=record.supervisor,
        meeting=record.meeting,
        next_review=record.next_review,
        items=items,
    )


# --- What changed since the last record ----------------------------------------------


@dataclass
class RequirementChange:
    code: str
    title: str
    then: str  # e.g. "Working, essential"
    now: str  # "" when the role no longer needs it


@dataclass
class Since:
    """The record now against the last one the person kept."""

    made_on: datetime.date | None
    version_then: int
    version_now: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    requirements: list[RequirementChange] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(
            self.added or self.removed or self.confirmed or self.actions or self.requirements
        )


def _depth(required: int, essential: bool) -> str:
    name = dict(Proficiency.choices).get(required, "")
    kind = Requirement.ESSENTIAL.label if essential else Requirement.DESIRABLE.label
    return f"{name}, {str(kind).lower()}" if name else ""


def since(last: DevelopmentRecord, now: DevelopmentRecord, needed: dict[str, Needed]) -> Since:
    """What changed between the last record and this one, and which requirements the
    framework has changed since the last record was made."""
    then_items = {item.code: item for item in last.items}
    now_items = {item.code: item for item in now.items}
    result = Since(last.made_on, last.framework_version, now.framework_version)
    result.added = [code for code in now_items if code not in then_items]
    result.removed = [code for code in then_items if code not in now_items]
    for code, item in now_items.items():
        before = then_items.get(code)
        if before is None:
            continue
        if item.confirmed and not before.confirmed:
            result.confirmed.append(code)
        if (item.action, item.target) != (before.action, before.target):
            result.actions.append(code)
    for code, before in then_items.items():
        need = needed.get(code)
        then = _depth(before.required, before.essential)
        if need is None:
            result.requirements.append(RequirementChange(code, before.title, then, ""))
        elif (need.required, need.essential) != (before.required, before.essential):
            result.requirements.append(
                RequirementChange(code, need.title, then, _depth(need.required, need.essential))
            )
    return result
