"""The import's preview: what importing a file would change, kept with the pending
import, and each changed value shown as the words that differ.

The preview is worked out by a dry run that writes nothing; its report is kept as JSON
in ``PendingImport`` so any worker can show it and confirm it.
"""

import datetime
import re
from collections import Counter
from difflib import SequenceMatcher

from django.utils.translation import gettext as _

from core.models import FrameworkVersion

from .importing import import_framework, read_file
from .load_report import Change, LoadReport
from .models import PendingImport

# How much of a changed value the preview shows: values up to WHOLE_UP_TO characters
# whole, longer ones cut to the part that differs with CONTEXT characters either side.
WHOLE_UP_TO = 300
CONTEXT = 80
DIFFERENCE_SHOWN = 400
COMPARED_WORDS = 1_000_000  # word pairs; beyond this a value's middle is one difference
SIMILAR = 0.5  # difflib's ratio under which two values are compared as wholes
WORDS = re.compile(r"\s+|\S+")


# The stored preview ---------------------------------------------------------------------


def report_data(report: LoadReport) -> dict:
    """A load report as JSON, to keep with the pending import."""
    return {
        "counts": {kind: dict(counts) for kind, counts in report.counts.items()},
        "changes": [
            [change.kind, change.key, change.outcome, [list(item) for item in change.fields]]
            for change in report.changes
        ],
    }


def report_from_data(data: dict) -> LoadReport:
    return LoadReport(
        counts={kind: Counter(counts) for kind, counts in data.get("counts", {}).items()},
        changes=[
            Change(kind, key, outcome, [tuple(item) for item in fields])
            for kind, key, outcome, fields in data.get("changes", [])
        ],
    )


def stored_version() -> tuple[int, datetime.date | None]:
    version = FrameworkVersion.objects.filter(pk=1).first()
    return (version.number, version.last_changed) if version else (0, None)


def file_version(data: bytes, name: str) -> tuple[int | None, datetime.date | None]:
    """The version and date of the last change that a checked file carries."""
    block = read_file(data, name)[0].get("framework", {})
    changed = block.get("last_changed")
    return (
        block.get("version"),
        datetime.date.fromisoformat(str(changed)) if changed not in (None, "") else None,
    )


def preview(pending: PendingImport) -> None:
    """Work out (without writing) what importing the pending file would change now."""
    report = import_framework(bytes(pending.data), name=pending.name, dry_run=True)
    pending.report = report_data(report)
    pending.based_on_version, pending.based_on_last_changed = stored_version()


# Showing changed values -------------------------------------------------------------------


def _opcodes(old: list[str], new: list[str]) -> list[tuple]:
    """Which runs of words the two values share and which differ, as difflib opcodes.

    The shared start and end are found directly; only what lies between is compared
    word by word, and only when it is small enough to compare quickly."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    middle_old, middle_new = old[start : len(old) - end], new[start : len(new) - end]
    matcher = None
    if len(middle_old) * len(middle_new) <= COMPARED_WORDS:
        matcher = SequenceMatcher(None, middle_old, middle_new, autojunk=False)
    # Two mostly different texts share only small words; marking those as unchanged
    # would break the old and new text into confetti, so they count as one difference.
    if matcher and matcher.ratio() >= SIMILAR:
        middle = [
            (tag, i1 + start, i2 + start, j1 + start, j2 + start)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
    else:
        middle = [("replace", start, len(old) - end, start, len(new) - end)]
    return [
        *([("equal", 0, start, 0, start)] if start else []),
        *middle,
        *([("equal", len(old) - end, len(old), len(new) - end, len(new))] if end else []),
    ]


def _unchanged(text: str, *, first: bool, last: bool) -> str:
    """Unchanged text between differences, cut to some context either side."""
    if len(text) <= (1 if first or last else 2) * CONTEXT:
        return text
    head = text[:CONTEXT].rsplit(" ", 1)[0] + "…"
    tail = "…" + text[-CONTEXT:].split(" ", 1)[-1]
    if first and last:
        return head
    if first:
        return tail
    if last:
        return head
    return head + " " + tail


def _different(text: str) -> str:
    if len(text) <= DIFFERENCE_SHOWN:
        return text
    hidden = len(text) - DIFFERENCE_SHOWN
    return (
        text[: DIFFERENCE_SHOWN // 2]
        + _(" … (%(count)s more characters) … ") % {"count": f"{hidden:,}"}
        + text[-DIFFERENCE_SHOWN // 2 :]
    )


def _runs(opcodes: list[tuple], old: list[str], new: list[str]) -> list[list]:
    """The two values as runs of [differs, old text, new text], alternating."""
    runs = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        was, now = "".join(old[i1:i2]), "".join(new[j1:j2])
        # A space shared by two differences belongs to one longer difference.
        differs = tag != "equal" or (not was.strip() and 0 < index < len(opcodes) - 1)
        if runs and runs[-1][0] == differs:
            runs[-1][1] += was
            runs[-1][2] += now
        else:
            runs.append([differs, was, now])
    return runs


def shown_difference(old, new) -> tuple[list[dict], list[dict]]:
    """The old and new value of a field as the preview shows them: lists of parts, the
    parts that differ marked. A short value is shown whole; a long one keeps what
    differs and a little unchanged text either side of each difference."""
    old, new = str(old), str(new)
    old_words, new_words = WORDS.findall(old), WORDS.findall(new)
    runs = _runs(_opcodes(old_words, new_words), old_words, new_words)
    cut = max(len(old), len(new)) > WHOLE_UP_TO
    shown_old, shown_new = [], []
    for index, (differs, was, now) in enumerate(runs):
        if cut and differs:
            was, now = _different(was), _different(now)
        elif cut:
            was = now = _unchanged(was, first=index == 0, last=index == len(runs) - 1)
        for shown, text in ((shown_old, was), (shown_new, now)):
            if text:
                shown.append({"text": text, "marked": differs})
    return shown_old, shown_new


def _shown_field(name: str, old, new) -> dict:
    shown_old, shown_new = shown_difference(old, new)
    return {"name": name, "old": shown_old, "new": shown_new}


def preview_entities(report: LoadReport) -> list[dict]:
    """Each kind of entry the import touches, with its counts and its changes."""
    changes = dict(report.by_kind())
    entities = []
    for kind, counts in report.counts.items():
        entity = {
            "name": kind,
            "added": counts["created"],
            "changed": counts["updated"],
            "removed": counts["removed"],
            "unchanged": counts["unchanged"],
            "added_keys": [],
            "changed_entries": [],
            "removed_keys": [],
        }
        for change in changes.get(kind, []):
            if change.outcome == "added":
                entity["added_keys"].append(change.key)
            elif change.outcome == "removed":
                entity["removed_keys"].append(change.key)
            else:
                entity["changed_entries"].append(
                    {
                        "key": change.key,
                        "fields": [
                            _shown_field(name, old, new) for name, old, new in change.fields
                        ],
                    }
                )
        entity["listed"] = len(changes.get(kind, []))
        entities.append(entity)
    return entities


def totals(report: LoadReport) -> dict[str, int]:
    total = Counter()
    for counts in report.counts.values():
        total.update(counts)
    return {
        "added": total["created"],
        "changed": total["updated"],
        "removed": total["removed"],
        "unchanged": total["unchanged"],
    }
