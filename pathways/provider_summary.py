"""A provider's summary of its team's training needs, for its commissioner: the file's
shape, its JSON Schema (published under /export/) and a strict reader.

A manager makes one on the team training page from the team's gap files
(``workforce.team_summary``); a commissioner puts several together on the regional page
(``workforce.team_region``). The file holds counts only, and they are already hidden
where they are small: the number of people, each competence's number of people with it
as a gap, and each learning item's number of gaps it addresses, each ``null`` when it
comes from fewer than 3 people. It holds no names, no file names and no roles, so no
role's count of 1 or 2 can be read from it. The schema refuses a number below 3, so a
file cannot carry a small count even if it is edited.

Any file may have been edited or swapped for another, so reading never raises: a file
that cannot be used gets one message that names it and says why.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import one_line

from .development_record import RECORD_FORMAT, strict_json

SUMMARY_FORMAT = "non-custodial-framework/provider-summary"
SUMMARY_VERSION = 1
# The small-number rule every team count follows: a count of 1 or 2 people is never
# shown as a number. It lives here, the lowest app that writes such counts to a file.
SUPPRESS_BELOW = 3
MAX_ENTRIES = 1000  # competences or learning items in one file: far more than exist
MAX_TITLE = 500
MAX_COUNT = 100_000  # people or gaps in one team: far more than any team has


class Region(models.TextChoices):
    """NHS England's seven regions. Health and justice services may be commissioned in
    groupings that differ from them, which the pages say."""

    EAST_OF_ENGLAND = "east-of-england", gettext_lazy("East of England")
    LONDON = "london", gettext_lazy("London")
    MIDLANDS = "midlands", gettext_lazy("Midlands")
    NORTH_EAST_AND_YORKSHIRE = "north-east-and-yorkshire", gettext_lazy("North East and Yorkshire")
    NORTH_WEST = "north-west", gettext_lazy("North West")
    SOUTH_EAST = "south-east", gettext_lazy("South East")
    SOUTH_WEST = "south-west", gettext_lazy("South West")


def region_name(region: str | None) -> str:
    """A region's name, or "Region not given"."""
    return str(Region(region).label) if region else _("Region not given")


def suppressed(count: int) -> int | None:
    """``count`` as a summary file holds it: None (shown as "fewer than 3") for 1 or 2."""
    return None if count < SUPPRESS_BELOW else count


@dataclass
class SummaryGap:
    """A competence that is a gap for someone in the team, and how many people have it
    (None: 1 or 2)."""

    code: str
    title: str
    section: str
    people: int | None


@dataclass
class SummaryLearning:
    """A learning item and the team's gaps it addresses (None: not given, see
    ``workforce.team_summary``)."""

    title: str
    gaps: int | None


@dataclass
class ProviderSummary:
    framework_version: int
    made_on: datetime.date
    service_slug: str
    service_name: str
    region: str | None
    people: int | None
    gaps: list[SummaryGap] = field(default_factory=list)
    learning: list[SummaryLearning] = field(default_factory=list)


def summary_json(summary: ProviderSummary, *, status: str) -> bytes:
    """The file: UTF-8 JSON in the shape of ``SUMMARY_SCHEMA``. ``status`` is the
    content's status statement, which every output carries."""
    document = {
        "format": SUMMARY_FORMAT,
        "version": SUMMARY_VERSION,
        "framework": {"version": summary.framework_version, "status": status},
        "made_on": summary.made_on.isoformat(),
        "service": {"slug": summary.service_slug, "name": summary.service_name},
        "region": summary.region,
        "people": summary.people,
        "gaps": [
            {"code": gap.code, "title": gap.title, "section": gap.section, "people": gap.people}
            for gap in summary.gaps
        ],
        "learning": [{"title": item.title, "gaps": item.gaps} for item in summary.learning],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_COUNT = {
    "type": ["integer", "null"],
    "minimum": SUPPRESS_BELOW,
    "maximum": MAX_COUNT,
    "description": "A count of 3 or more, or null for 1 or 2 (not shown).",
}

SUMMARY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "provider-summary.schema.json",
    "title": "Provider summary of a team's training needs",
    "description": (
        "One provider team's training needs against the Non-custodial Career and "
        "Competence Framework, made from its members' self-assessment gap files for the "
        "commissioner. Counts only, with no names, file names or roles; any count that "
        "comes from fewer than 3 people is null. The site makes and reads these files "
        "and keeps none of them."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": [
        "format",
        "version",
        "framework",
        "made_on",
        "service",
        "region",
        "people",
        "gaps",
        "learning",
    ],
    "properties": {
        "format": {"const": SUMMARY_FORMAT},
        "version": {"const": SUMMARY_VERSION},
        "framework": {
            "type": "object",
            "additionalProperties": False,
            "required": ["version"],
            "properties": {
                "version": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "The framework version the summary was made against.",
                },
                "status": {"type": "string", "maxLength": MAX_TITLE},
            },
        },
        "made_on": {"type": "string", "format": "date"},
        "service": {
            "type": "object",
            "additionalProperties": False,
            "required": ["slug", "name"],
            "description": "The service (one of the framework's areas) the team works in.",
            "properties": {
                "slug": {"type": "string", "pattern": "^[a-z0-9-]{1,80}$"},
                "name": {"type": "string", "minLength": 1, "maxLength": 120},
            },
        },
        "region": {
            "enum": [*Region.values, None],
            "description": (
                "The NHS England region the provider chose: "
                + "; ".join(f"{member.value} ({member.label})" for member in Region)
                + "; or null, not given."
            ),
        },
        "people": {**_COUNT, "description": "People in the team; null for 1 or 2."},
        "gaps": {
            "type": "array",
            "maxItems": MAX_ENTRIES,
            "description": "Each competence that is a gap for someone in the team.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "title", "section", "people"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Za-z0-9.]{1,30}$"},
                    "title": {"type": "string", "maxLength": MAX_TITLE},
                    "section": {"type": "string", "maxLength": MAX_TITLE},
                    "people": {**_COUNT, "description": "People with this gap; null for 1 or 2."},
                },
            },
        },
        "learning": {
            "type": "array",
            "maxItems": MAX_ENTRIES,
            "description": (
                "Each learning item that addresses a gap of someone whose level it suits."
            ),
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "gaps"],
                "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "gaps": {
                        **_COUNT,
                        "description": (
                            "The team's gaps it addresses: the sum of the people counts of "
                            "the competences it develops, given only when each of them is "
                            "a number and everyone it counts is at a level the item suits; "
                            "otherwise null."
                        ),
                    },
                },
            },
        },
    },
}


@dataclass
class ReadSummary:
    """A summary file read back: the summary, or the one message that refuses it."""

    summary: ProviderSummary | None = None
    problem: str = ""


def read_summary_file(name: str, data: bytes) -> ReadSummary:
    """The summary in an uploaded file called ``name`` (already quoted for messages).
    A file that is not a provider summary (a gap CSV, a development record, the
    framework's data, anything else), is not UTF-8 JSON, breaks the schema or
    contradicts itself is refused with a message naming it; nothing is half-read."""
    from jsonschema import Draft202012Validator, FormatChecker

    def refuse(message: str, **values) -> ReadSummary:
        return ReadSummary(problem=message % {"file": name, **values})

    if not data.strip():
        return refuse(_("%(file)s is empty."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return refuse(_("%(file)s is not a provider summary: it is not UTF-8 text."))
    try:
        document = strict_json(text)
    except ValueError:
        return refuse(
            _(
                "%(file)s is not a provider summary: it is not JSON. A gap spreadsheet goes "
                "on the team training page, not here."
            )
        )
    kind = document.get("format") if isinstance(document, dict) else None
    if kind == RECORD_FORMAT:
        return refuse(
            _(
                "%(file)s is a person’s development record, not a provider summary. Choose "
                "the summary file a provider downloaded from the team training page."
            )
        )
    if kind != SUMMARY_FORMAT:
        return refuse(
            _(
                "%(file)s is not a provider summary from this site. Choose the summary file "
                "a provider downloaded from the team training page (not a gap spreadsheet, "
                "a development record or the framework’s data)."
            )
        )
    if document.get("version") != SUMMARY_VERSION:
        return refuse(_("%(file)s was made by a version of the site this one cannot read."))
    errors = sorted(
        Draft202012Validator(SUMMARY_SCHEMA, format_checker=FormatChecker()).iter_errors(document),
        key=lambda error: list(map(str, error.absolute_path)),
    )
    if errors:
        where = "/".join(str(part) for part in errors[0].absolute_path) or _("the top level")
        return refuse(
            _("%(file)s has been changed and cannot be read: the problem is at %(where)s."),
            where=one_line(where, limit=60),
        )
    problem = _contradiction(document)
    if problem:
        return refuse(problem)
    return ReadSummary(
        summary=ProviderSummary(
            framework_version=document["framework"]["version"],
            made_on=datetime.date.fromisoformat(document["made_on"]),
            service_slug=document["service"]["slug"],
            service_name=one_line(document["service"]["name"], limit=120),
            region=document["region"],
            people=_count(document["people"]),
            gaps=[
                SummaryGap(
                    code=gap["code"],
                    title=one_line(gap["title"], limit=MAX_TITLE),
                    section=one_line(gap["section"], limit=MAX_TITLE),
                    people=_count(gap["people"]),
                )
                for gap in document["gaps"]
            ],
            learning=[
                SummaryLearning(title=one_line(item["title"], limit=200), gaps=_count(item["gaps"]))
                for item in document["learning"]
            ],
        )
    )


def _contradiction(document: dict) -> str:
    """Why a file that fits the schema cannot be true (so it was changed), or ""."""
    codes = [gap["code"] for gap in document["gaps"]]
    titles = [item["title"] for item in document["learning"]]
    if len(set(codes)) != len(codes) or len(set(titles)) != len(titles):
        return _("%(file)s names a competence or a learning item twice, so it has been changed.")
    people = document["people"]
    counts = [gap["people"] for gap in document["gaps"] if gap["people"] is not None]
    learning = [item["gaps"] for item in document["learning"] if item["gaps"] is not None]
    if ((counts or learning) and people is None) or (counts and max(counts) > people):
        # A team of 1 or 2 has no count of 3 or more; nor has anything more people
        # with a gap than the team has.
        return _(
            "%(file)s counts more people with a gap than there are in the team, so it has "
            "been changed."
        )
    return ""


def _count(value) -> int | None:
    """A count as the file gives it; JSON Schema takes 3.0 as an integer, shown as 3."""
    return None if value is None else int(value)
