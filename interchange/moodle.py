"""The framework as a Moodle competency framework CSV, for Moodle's "Import competency
framework" tool (tool_lpimportcsv).

``moodle_csv(document)`` writes one framework row, then one row for each section,
subsection and competence statement in the framework's tree order. It reads nothing but
the document, so unchanged content always gives the same bytes.

What this relies on in how Moodle reads the file (its importer and its CSV reader):

- Columns are taken by position: the header row is shown to the person importing, who
  can remap columns, but the importer's defaults are the fourteen columns in this order.
  The header here is the one Moodle's own export writes.
- Every row must have as many fields as the header, or the whole file is refused. Values
  are read with PHP's CSV reader: comma-separated, double quotes around any value that
  needs them and doubled inside. A byte order mark, if there were one, would be dropped,
  and CR LF becomes LF, so neither is needed: the file is UTF-8 without a BOM, lines end
  in LF, and no value holds a line break. (PHP's reader also treats a backslash
  directly before a double quote as an escape; no description here can hold a double
  quote, as they are HTML-escaped, and a competence's title may not hold a backslash:
  ``Competence.clean`` refuses it, with the reason.)
- Id numbers are compared loosely by PHP, so "1.1" and "1.10", both numbers to it,
  would be one competence; ``Competence.clean`` refuses a code made only of digits.
- The row whose "Is framework" value is true becomes the framework; PHP treats "0" as
  false, so every other row says 0.
- Competences are attached by "Parent id number": a row whose parent is empty is placed
  directly under the framework, and any other row under the row with that id number.
  The framework's own id number is never looked up as a parent, so a section naming it
  would be silently left out with everything below it; sections therefore have an empty
  parent.
- Id numbers and short names are cut to 100 characters by Moodle. Codes are far
  shorter; a longer title is shortened here at a word with an ellipsis, and the full
  title opens the description, so nothing is lost and the cut is ours, not Moodle's.
- The scale: "Scale values" is the comma-separated list of the scale's items, lowest
  first, which Moodle matches against its existing site scales (or creates as a new
  one). "Scale configuration" is a JSON list whose first entry holds the scale id (the
  importer replaces it with the id of the scale it found or created) and whose other
  entries give, for each item by its position from 1, whether it is the default rating
  and whether it counts as proficient. Moodle refuses a framework with no default or no
  proficient item. Here the scale is the framework's four proficiency depths; working
  and above count as proficient (a person at working depth does the work themselves),
  and working is the default rating. Competences carry no scale of their own, so they
  use the framework's.
- "Description format" 1 is HTML, Moodle's default; descriptions are built as HTML
  with every stored string escaped.
- "Taxonomy" is a comma-separated list of terms, one per depth of the tree, from
  Moodle's fixed list (behaviour, competency, concept, domain, indicator, level, outcome,
  practice, proficiency, skill, value). Sections are domains, subsections practices and
  statements competencies; a depth that mixes kinds is called competency, as Moodle does
  for any depth it has no term for.
- Moodle refuses a second framework with an id number already in use, so the
  framework's id number carries the edition and version: a new version imports beside
  the old one instead of failing.
- Rule, cross-reference and exported-id columns are optional and left empty.
"""

import html
import json

from django.utils import translation

from competences.text import split_lines
from core.spreadsheets import csv_bytes
from roles.models import Proficiency

from .errors import ContentError

HEADER = [
    "Parent id number",
    "Id number",
    "Shortname",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross referenced competency id numbers",
    "Exported id (optional)",
    "Is framework",
    "Taxonomy",
]

FORMAT_HTML = "1"
NAME_LIMIT = 100  # Moodle's limit for short names and id numbers, in characters

TAXONOMY_TERMS = {"section": "domain", "subsection": "practice", "statement": "competency"}
MIXED_DEPTH_TERM = "competency"

# Depths from working up count as holding the competence; working is the default rating.
PROFICIENT_FROM = Proficiency.WORKING
DEFAULT_RATING = Proficiency.WORKING


def framework_id_number(framework: dict) -> str:
    """The id number Moodle will know this edition and version of the framework by."""
    return f"NCCF-{framework['edition']}-v{framework['version']}"


def scale_values() -> str:
    """The proficiency depths, shallowest first, as Moodle lists a scale's items."""
    with translation.override("en"):
        return ",".join(str(depth.label) for depth in Proficiency)


def scale_configuration() -> str:
    """Moodle's scale configuration JSON for the proficiency scale."""
    entries: list[dict] = [{"scaleid": "0"}]  # the importer puts the real scale id here
    for position, depth in enumerate(Proficiency, start=1):
        entries.append(
            {
                "id": position,
                "scaledefault": int(depth == DEFAULT_RATING),
                "proficient": int(depth >= PROFICIENT_FROM),
            }
        )
    return json.dumps(entries, separators=(",", ":"))


def moodle_csv(document: dict) -> bytes:
    """The framework ``document`` as a Moodle competency framework CSV file (UTF-8)."""
    standards = {standard["reference"]: standard for standard in document["standards"]}
    rows = [
        _framework_row(document),
        *(_competence_row(competence, standards) for competence in document["competences"]),
    ]
    # Moodle reads the file, not a spreadsheet: text is written exactly as it is.
    return csv_bytes(HEADER, rows, cell=None, lineterminator="\n", bom=False)


def _framework_row(document: dict) -> list[str]:
    framework = document["framework"]
    licence = framework["licence"]
    name = f"{framework['title']} ({framework['edition']} edition, version {framework['version']})"
    description = (
        _paragraph(
            f"{framework['title']}, {framework['edition']} edition, version "
            f"{framework['version']}. Content last changed: "
            f"{framework['last_changed'] or 'not recorded'}."
        )
        + "<p>"
        + html.escape(f"Published by {framework['publisher']} under the ")
        + f'<a href="{html.escape(licence["url"])}">{html.escape(licence["name"])}</a>.</p>'
    )
    if framework.get("status"):  # what the content is, shown with the framework in Moodle
        description = _paragraph(framework["status"]) + description
    return _row(
        parent="",
        id_number=framework_id_number(framework),
        name=_short_name(name),
        description=description,
        scale=scale_values(),
        configuration=scale_configuration(),
        is_framework="1",
        taxonomy=",".join(_taxonomy(document["competences"])),
    )


def _competence_row(competence: dict, standards: dict) -> list[str]:
    title = competence["title"]
    name = _short_name(title)
    parts = []
    if name != title:
        parts.append(_paragraph(title))
    if competence["description"].strip():
        parts.append(_paragraph(competence["description"]))
    parts.append(_list("What a person knows", split_lines(competence["knowledge"])))
    parts.append(_list("What a person can do", split_lines(competence["skills"])))
    parts.append(
        _list(
            "National Occupational Standards",
            [
                _standard_name(competence, reference, standards)
                for reference in competence["standards"]
            ],
        )
    )
    return _row(
        parent=competence["parent"] or "",
        id_number=competence["code"],
        name=name,
        description="".join(parts),
    )


def _row(
    *,
    parent: str,
    id_number: str,
    name: str,
    description: str,
    scale: str = "",
    configuration: str = "",
    is_framework: str = "0",
    taxonomy: str = "",
) -> list[str]:
    """The fourteen columns, in the header's order."""
    return [
        parent,
        id_number,
        name,
        description,
        FORMAT_HTML,
        scale,
        configuration,
        "",  # rule type
        "",  # rule outcome
        "",  # rule config
        "",  # cross-referenced id numbers
        "",  # exported id
        is_framework,
        taxonomy,
    ]


def _taxonomy(competences: list[dict]) -> list[str]:
    """One Moodle taxonomy term per depth of the tree, top first."""
    depth_of: dict[str, int] = {}
    kinds_at: dict[int, set[str]] = {}
    for competence in competences:
        parent = competence["parent"]
        if parent and parent not in depth_of:
            raise ContentError(
                f"Competence {competence['code']}: its parent {parent} does not come before it."
            )
        if competence["code"] in depth_of:
            raise ContentError(f"Competence {competence['code']} appears twice.")
        depth = depth_of[parent] + 1 if parent else 1
        depth_of[competence["code"]] = depth
        kinds_at.setdefault(depth, set()).add(competence["kind"])
    terms = []
    for depth in sorted(kinds_at):
        kinds = kinds_at[depth]
        terms.append(TAXONOMY_TERMS[next(iter(kinds))] if len(kinds) == 1 else MIXED_DEPTH_TERM)
    return terms


def _short_name(text: str) -> str:
    """``text`` cut at a word to fit Moodle's short name limit, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= NAME_LIMIT:
        return text
    cut = text[: NAME_LIMIT - 1]
    space = cut.rfind(" ")
    if space > NAME_LIMIT // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def _paragraph(text: str) -> str:
    """Paragraphs split at blank lines, single line breaks kept as <br>, all escaped."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + "<br>".join(html.escape(line.strip()) for line in block.split("\n")) + "</p>"
        for block in blocks
        if block
    )


def _list(heading: str, entries: list[str]) -> str:
    """A headed bullet list of ``entries``; empty when there are none."""
    if not entries:
        return ""
    items = "".join(f"<li>{html.escape(entry)}</li>" for entry in entries)
    return f"<p><strong>{html.escape(heading)}</strong></p><ul>{items}</ul>"


def _standard_name(competence: dict, reference: str, standards: dict) -> str:
    standard = standards.get(reference)
    if standard is None:
        raise ContentError(
            f"Competence {competence['code']}: standard {reference} is not in the document."
        )
    return f"{standard['code']} {standard['title']} ({standard['suite']})"
