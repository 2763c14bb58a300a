"""Where the change log's entries come from: each content model's history, the fields
it compares and the labels it reads, and how a day of bulk changes is summed up.

A new content model that keeps history needs a ``Source`` here to appear in the log.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from competences.history import ADDED, CHANGED, REMOVED
from competences.models import Competence, LearningOpportunity, Standard
from pathways.models import Progression, ProgressionDrop
from roles.models import Area, Level, RoleCompetence, RoleProfile


@dataclass(frozen=True)
class Source:
    """One content model's history: which fields to compare and which labels to read."""

    kind: str
    model: type
    # Names the log shows, read through the record's relations (live rows).
    labels: dict = field(default_factory=dict)
    # Many-to-many fields whose snapshots are compared, with the label of a linked row.
    links: dict = field(default_factory=dict)

    @property
    def history(self):
        return self.model.history.model

    def compared(self) -> list[str]:
        return [
            f.attname
            for f in self.history.tracked_fields
            if f.attname != self.model._meta.pk.attname
        ]


SOURCES = [
    Source("area", Area),
    Source("level", Level),
    Source("role", RoleProfile, {"level_number": "level__number"}, {"areas": "area__name"}),
    Source(
        "requirement",
        RoleCompetence,
        {
            "role_title": "role__title",
            "role_slug": "role__slug",
            "competence_code": "competence__code",
            "competence_title": "competence__title",
        },
    ),
    Source(
        "competence",
        Competence,
        {"parent_code": "parent__code"},
        {"standards": "standard__reference"},
    ),
    Source("standard", Standard),
    Source("learning", LearningOpportunity, {}, {"competences": "competence__code"}),
    Source(
        "move",
        Progression,
        {"from_title": "from_role__title", "to_title": "to_role__title"},
    ),
    Source(
        "drop",
        ProgressionDrop,
        {
            "from_title": "progression__from_role__title",
            "to_title": "progression__to_role__title",
            "competence_code": "competence__code",
        },
    ),
]
BY_KIND = {source.kind: source for source in SOURCES}
ORDER = {
    kind: index
    for index, kind in enumerate(
        [
            "role",
            "requirement",
            "competence",
            "standard",
            "learning",
            "move",
            "drop",
            "area",
            "level",
        ]
    )
}
COMPARED = {source.kind: source.compared() for source in SOURCES}
COLUMNS = ["log_kind", "log_record", "log_item", "log_at", "log_change", "log_reason", "log_data"]


# What a day of bulk changes is summed up as: each kind's name, plural, and the order.
KIND_NAMES = {
    "role": gettext_lazy("Roles"),
    "requirement": gettext_lazy("Role requirements"),
    "competence": gettext_lazy("Competences, sections and subsections"),
    "standard": gettext_lazy("Standards"),
    "learning": gettext_lazy("Learning"),
    "move": gettext_lazy("Moves between roles"),
    "drop": gettext_lazy("Competences left behind by a move"),
    "area": gettext_lazy("Areas"),
    "level": gettext_lazy("Levels"),
}
CHANGE_NAMES = {
    ADDED: gettext_lazy("%(things)s added: %(count)s"),
    CHANGED: gettext_lazy("%(things)s changed: %(count)s"),
    REMOVED: gettext_lazy("%(things)s removed: %(count)s"),
}


def summary(counts: dict[tuple[str, str], int]) -> list[str]:
    """A day's changes summed up: how many items of each kind were added, changed, removed.

    ``counts`` maps (kind, change) to a number of items, as ``framework.changes`` reads it.
    """
    return [
        CHANGE_NAMES[change] % {"things": KIND_NAMES[kind], "count": counts[(kind, change)]}
        for kind in ORDER
        for change in (ADDED, CHANGED, REMOVED)
        if counts.get((kind, change))
    ]
