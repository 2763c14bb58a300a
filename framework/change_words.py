"""The change log's words: an item's versions over one day, said in plain words.

``describe`` takes the rows ``framework.changes`` reads (every history table's records in
a window, each with the record before it and the links each version held) and compares,
for each item and day, its state before the day's first change with its state after the
day's last, saying what differs ("Role added: …", "Competence reworded: …").
It reads nothing from the database; which history tables it reads, and the words
for a day's summary, are in ``change_sources.py``.
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from competences.history import ADDED, CHANGED, REMOVED
from competences.models import Kind, StandardStatus
from competences.services import MOVED
from roles.models import Proficiency, Requirement

from .change_sources import BY_KIND, COMPARED, ORDER


@dataclass
class ChangeLine:
    """One change in plain words; ``subject`` links to the item's page while it exists."""

    before: str
    subject: str
    after: str = ""
    # (URL name, keyword, value), reversed only for the lines a page shows.
    link: tuple | None = None

    @property
    def text(self) -> str:
        return f"{self.before}{self.subject}{self.after}"

    @property
    def url(self) -> str:
        if not self.link or self.link[2] in (None, ""):
            return ""
        name, key, value = self.link
        return reverse(name, kwargs={key: value})


# --- Describing ------------------------------------------------------------------------


@dataclass
class _Version:
    kind: str
    item: int
    record: int
    at: datetime.datetime
    change: str
    reason: str
    data: dict
    links: dict = field(default_factory=dict)


def describe(rows: list[dict], window: set[datetime.date]) -> dict[datetime.date, list[ChangeLine]]:
    """Plain-words lines for each day in ``window``, from the rows ``framework.changes`` reads.

    An item changed several times in a day gets one comparison: its state before the
    day's first change against its state after the day's last.
    """
    versions: dict[tuple[str, int], _Version] = {}
    links: dict[tuple[str, int], dict] = {}
    for row in rows:
        kind, record, data = row["log_kind"], row["log_record"], row["log_data"] or {}
        if "." in kind:
            owner, name = kind.split(".")
            links.setdefault((owner, record), {}).setdefault(name, {})[row["log_item"]] = (
                data.get("label") or ""
            )
            continue
        versions[(kind, record)] = _Version(
            kind,
            row["log_item"],
            record,
            row["log_at"],
            row["log_change"],
            row["log_reason"] or "",
            data,
        )
    items: dict[tuple[str, int], list[_Version]] = {}
    for key, version in versions.items():
        version.links = links.get(key, {})
        items.setdefault((version.kind, version.item), []).append(version)
    for history in items.values():
        history.sort(key=lambda version: (version.at, version.record))

    words = _Words(items)
    days: dict[datetime.date, list[tuple[datetime.datetime, ChangeLine]]] = {}
    for (kind, _item), history in items.items():
        todays: dict[datetime.date, list[int]] = {}
        for index, version in enumerate(history):
            day = timezone.localdate(version.at)
            if day in window:
                todays.setdefault(day, []).append(index)
        for day, indexes in todays.items():
            base = history[indexes[0] - 1] if indexes[0] else None
            final = history[indexes[-1]]
            day_versions = [history[index] for index in indexes]
            for line in words.lines(kind, base, day_versions, final):
                days.setdefault(day, []).append((ORDER[kind], -final.at.timestamp(), line))
    # Within a day: roles first, then what they need, the tree, standards, learning,
    # moves, and reference data; the latest change first within each kind.
    return {
        day: [entry[-1] for entry in sorted(entries, key=lambda e: (e[0], e[1], e[2].text))]
        for day, entries in days.items()
    }


def _differing(kind: str, before: dict, after: dict) -> list[str]:
    """The names of the compared fields whose values differ."""
    return [name for name in COMPARED[kind] if before.get(name) != after.get(name)]


def _label(kind: str, name: str) -> str:
    return str(BY_KIND[kind].model._meta.get_field(name).verbose_name)


class _Words:
    """Turns an item's versions over one day into lines a reader understands."""

    def __init__(self, items: dict):
        # Translations and choice labels are looked up once per page, not once per line
        # (``self._`` is gettext remembered; makemessages still finds its strings).
        self._ = functools.lru_cache(maxsize=None)(gettext)
        self.labels = functools.lru_cache(maxsize=None)(_label)
        self.requirement = {value: str(label).lower() for value, label in Requirement.choices}
        self.proficiency = {value: str(label).lower() for value, label in Proficiency.choices}
        self.noun = {value: str(label) for value, label in Kind.choices}
        self.status = {value: str(label).lower() for value, label in StandardStatus.choices}
        # Items removed in the window, so that their dependants' removals go unsaid.
        self.removed = {key for key, history in items.items() if history[-1].change == REMOVED}
        self.names = {
            key: history[-1].data.get("title") or history[-1].data.get("name") or ""
            for key, history in items.items()
        }

    def lines(self, kind, base, day_versions, final) -> list[ChangeLine]:
        first = day_versions[0]
        existed = base.change != REMOVED if base else first.change != ADDED
        if existed and base is None:
            # History began after the item was made: compare within the day.
            base = first
        exists = final.change != REMOVED
        if not existed and not exists:
            return []
        describe_kind = getattr(self, f"_{kind}")
        if not existed:
            return describe_kind(ADDED, None, final)
        if not exists:
            return describe_kind(REMOVED, None, final)
        moved = any(version.reason == MOVED for version in day_versions)
        return describe_kind(CHANGED, base, final, moved=moved)

    # Each kind: (change, version before or None, version after) -> lines.

    def _area(self, change, base, final, moved=False):
        data = final.data
        url = _link("roles:area-detail", "slug", data.get("slug"))
        if change == ADDED:
            return [ChangeLine(self._("Area added: "), data["name"], link=url)]
        if change == REMOVED:
            return [ChangeLine(self._("Area removed: "), data["name"])]
        return self._changed(self._("Area changed: "), "area", base, final, data["name"], link=url)

    def _level(self, change, base, final, moved=False):
        data = final.data
        name = self._("Level %(number)s, %(name)s") % data
        url = _link("roles:level-detail", "number", data["number"])
        if change == ADDED:
            return [ChangeLine(self._("Level added: "), name, link=url)]
        if change == REMOVED:
            return [ChangeLine(self._("Level removed: "), name)]
        return self._changed(self._("Level changed: "), "level", base, final, name, link=url)

    def _role(self, change, base, final, moved=False):
        data = final.data
        title = data["title"]
        if change == REMOVED:
            return [ChangeLine(self._("Role removed: "), title)]
        url = _link("framework:role-detail", "slug", data["slug"])
        if change == ADDED:
            return [ChangeLine(self._("Role added: "), title, link=url)]
        lines = []
        if base.data["title"] != title:
            lines.append(
                ChangeLine(
                    self._("Role renamed: "),
                    title,
                    self._(" (was %s)") % base.data["title"],
                    link=url,
                )
            )
        if base.data["level_id"] != data["level_id"] and data.get("level_number"):
            lines.append(
                ChangeLine(
                    self._("Role "),
                    title,
                    self._(" is now at level %s") % data["level_number"],
                    link=url,
                )
            )
        for area in _added(base, final, "areas"):
            lines.append(ChangeLine(self._("Role "), title, self._(" is now in %s") % area, url))
        for area in _added(final, base, "areas"):
            lines.append(
                ChangeLine(self._("Role "), title, self._(" is no longer in %s") % area, url)
            )
        others = [n for n in _differing("role", base.data, data) if n not in {"title", "level_id"}]
        if others:
            fields = ", ".join(self.labels("role", name) for name in others)
            lines.append(ChangeLine(self._("Role changed: "), title, f" ({fields})", url))
        return lines

    def _requirement(self, change, base, final, moved=False):
        data = final.data
        role_key = ("role", data["role_id"])
        if change == REMOVED and role_key in self.removed:
            return []  # said by "Role removed"
        role = data.get("role_title") or self.names.get(role_key) or self._("a removed role")
        url = _link("framework:role-detail", "slug", data.get("role_slug"))
        competence = " ".join(
            part for part in (data.get("competence_code"), data.get("competence_title")) if part
        )
        depth = self._("%(requirement)s, at %(proficiency)s proficiency") % {
            "requirement": self.requirement[data["requirement"]],
            "proficiency": self.proficiency[data["proficiency"]],
        }
        if change == ADDED:
            return [
                ChangeLine(
                    self._("Role "),
                    role,
                    self._(" now needs %s (%s)") % (competence, depth),
                    link=url,
                )
            ]
        if change == REMOVED:
            return [
                ChangeLine(
                    self._("Role "), role, self._(" no longer needs %s") % competence, link=url
                )
            ]
        if _differing("requirement", base.data, data):
            was = self._("%(requirement)s, at %(proficiency)s proficiency") % {
                "requirement": self.requirement[base.data["requirement"]],
                "proficiency": self.proficiency[base.data["proficiency"]],
            }
            after = self._(" now needs %(competence)s (%(depth)s; was %(was)s)") % {
                "competence": competence,
                "depth": depth,
                "was": was,
            }
            return [ChangeLine(self._("Role "), role, after, link=url)]
        return []

    def _competence(self, change, base, final, moved=False):
        data = final.data
        noun = self.noun.get(data.get("kind")) or self._("Item")
        name = f"{data['code']} {data['title']}"
        if change == REMOVED:
            return [ChangeLine(self._("%s removed: ") % noun, name)]
        url = _link("framework:competence-detail", "code", data["code"])
        if change == ADDED:
            return [ChangeLine(self._("%s added: ") % noun, name, link=url)]
        lines = []
        before = base.data
        if before["code"] != data["code"]:
            lines.append(
                ChangeLine(
                    self._("Code changed: "), name, self._(" (was %s)") % before["code"], link=url
                )
            )
        if any(before[key] != data[key] for key in ("title", "description", "knowledge", "skills")):
            lines.append(ChangeLine(self._("%s reworded: ") % noun, name, link=url))
        if before["kind"] != data["kind"]:
            lines.append(
                ChangeLine(
                    self._("%s changed: ") % noun,
                    name,
                    self._(" (now a %s)") % noun.lower(),
                    link=url,
                )
            )
        if before["parent_id"] != data["parent_id"] and data.get("parent_code"):
            after = self._(", now under %s") % data["parent_code"]
            lines.append(ChangeLine(self._("%s moved: ") % noun, name, after, url))
        elif moved and not lines:
            lines.append(ChangeLine(self._("%s reordered: ") % noun, name, link=url))
        for reference in _added(base, final, "standards"):
            lines.append(
                ChangeLine(
                    self._("Standard relinked: "),
                    reference,
                    self._(" now underpins %s") % data["code"],
                    _link("framework:standard-detail", "code", reference),
                )
            )
        for reference in _added(final, base, "standards"):
            lines.append(
                ChangeLine(
                    self._("Standard relinked: "),
                    reference,
                    self._(" no longer underpins %s") % data["code"],
                    _link("framework:standard-detail", "code", reference),
                )
            )
        return lines

    def _standard(self, change, base, final, moved=False):
        data = final.data
        name = f"{data['code']} {data['title']}"
        if change == REMOVED:
            return [ChangeLine(self._("Standard removed: "), name)]
        url = _link("framework:standard-detail", "code", data["reference"])
        if change == ADDED:
            return [ChangeLine(self._("Standard added: "), name, link=url)]
        differing = _differing("standard", base.data, data)
        lines = []
        if "url" in differing:
            after = (
                self._(" (a new address for its own page)")
                if data["url"]
                else self._(" (its page address was removed)")
            )
            lines.append(ChangeLine(self._("Standard relinked: "), data["reference"], after, url))
        if "status" in differing:
            status = self.status.get(data["status"], data["status"])
            lines.append(ChangeLine(self._("Standard marked %s: ") % status, name, link=url))
        others = [name_ for name_ in differing if name_ not in {"url", "status"}]
        if others:
            fields = ", ".join(self.labels("standard", name_) for name_ in others)
            lines.append(ChangeLine(self._("Standard changed: "), name, f" ({fields})", url))
        return lines

    def _learning(self, change, base, final, moved=False):
        title = final.data["title"]
        if change == ADDED:
            return [ChangeLine(self._("Learning added: "), title)]
        if change == REMOVED:
            return [ChangeLine(self._("Learning removed: "), title)]
        lines = self._changed(self._("Learning changed: "), "learning", base, final, title, "")
        lines += [
            ChangeLine(self._("Learning "), title, self._(" now develops %s") % code)
            for code in _added(base, final, "competences")
        ]
        lines += [
            ChangeLine(self._("Learning "), title, self._(" no longer develops %s") % code)
            for code in _added(final, base, "competences")
        ]
        return lines

    def _move(self, change, base, final, moved=False):
        data = final.data
        ends = [("role", data["from_role_id"]), ("role", data["to_role_id"])]
        if change == REMOVED and any(end in self.removed for end in ends):
            return []  # said by "Role removed"
        name = self._move_name(data, ends)
        if change == ADDED:
            return [ChangeLine(self._("Move added: "), name)]
        if change == REMOVED:
            return [ChangeLine(self._("Move removed: "), name)]
        return self._changed(self._("Move changed: "), "move", base, final, name, "")

    def _drop(self, change, base, final, moved=False):
        data = final.data
        if change == REMOVED and ("move", data["progression_id"]) in self.removed:
            return []  # said by "Move removed"
        name = self._move_name(data, [])
        code = data.get("competence_code") or self._("a removed competence")
        if change == ADDED:
            return [ChangeLine(self._("Move "), name, self._(" now leaves %s behind") % code)]
        if change == REMOVED:
            return [ChangeLine(self._("Move "), name, self._(" no longer leaves %s behind") % code)]
        if _differing("drop", base.data, data):
            return [
                ChangeLine(
                    self._("Move "), name, self._(": why it leaves %s behind reworded") % code
                )
            ]
        return []

    def _move_name(self, data: dict, ends: list) -> str:
        names = [
            data.get("from_title") or (self.names.get(ends[0]) if ends else ""),
            data.get("to_title") or (self.names.get(ends[1]) if ends else ""),
        ]
        names = [name or self._("a removed role") for name in names]
        return self._("%s to %s") % tuple(names)

    def _changed(self, before: str, kind: str, base, final, name: str, link) -> list:
        differing = _differing(kind, base.data, final.data)
        if not differing:
            return []
        fields = ", ".join(self.labels(kind, name_) for name_ in differing)
        return [ChangeLine(before, name, f" ({fields})", link)]


def _link(name: str, key: str, value) -> tuple:
    return (name, key, value)


def _added(base: _Version, final: _Version, name: str) -> list[str]:
    """Labels of the links ``final`` holds in ``name`` that ``base`` did not, in order."""
    before = base.links.get(name, {})
    after = final.links.get(name, {})
    return sorted(label or _("a removed item") for pk, label in after.items() if pk not in before)
