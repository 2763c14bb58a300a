"""What a load of the framework did: counts by kind and each change, field by field.

The import's preview and the load commands show it; it is built while the loaders work.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import models

OUTCOMES = {"created": "added", "updated": "changed", "removed": "removed"}


@dataclass
class Change:
    """One entry that a load adds, changes or removes, with each changed field's values."""

    kind: str
    key: str
    outcome: str  # "added", "changed" or "removed"
    fields: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class LoadReport:
    """What a load created, updated, removed or left as it was, kind by kind."""

    counts: dict[str, Counter] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    _index: dict = field(default_factory=dict, repr=False)

    def add(self, kind: str, outcome: str, amount: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += amount

    def record(self, kind: str, key, outcome: str, fields=()) -> None:
        self.add(kind, outcome)
        change = Change(kind, key_text(key), OUTCOMES[outcome], list(fields))
        self.changes.append(change)
        self._index[(kind, change.key)] = change

    def find(self, kind: str, key) -> Change | None:
        return self._index.get((kind, key_text(key)))

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def by_kind(self) -> list[tuple[str, list[Change]]]:
        kinds: dict[str, list[Change]] = {}
        for change in self.changes:
            kinds.setdefault(change.kind, []).append(change)
        return list(kinds.items())

    def lines(self) -> list[str]:
        return [
            f"{kind}: {sum(c.values()) - c['removed']} ({c['created']} created, "
            f"{c['updated']} updated, {c['unchanged']} unchanged, {c['removed']} removed)"
            for kind, c in self.counts.items()
        ]


def key_text(key) -> str:
    if isinstance(key, tuple):
        return " ".join(str(part) for part in key)
    return str(key)


def shown_value(value) -> str:
    """A stored or new value as a person reading a preview would recognise it."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        for name in ("slug", "number", "code", "reference", "title"):
            if hasattr(value, name):
                return str(getattr(value, name))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (set, list, tuple)):
        return " ".join(sorted(str(item) for item in value))
    return str(value)
