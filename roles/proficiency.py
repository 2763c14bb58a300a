"""What each proficiency depth means: one home for the definitions page, the tags that
link to it and the self-assessment's questions."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Proficiency

# The id of each depth's definition on the proficiency page ("#working").
ANCHORS = {depth.value: depth.name.lower() for depth in Proficiency}

DEFINITIONS = {
    Proficiency.AWARENESS: _(
        "You know what this is and why it matters, and you spot when it is needed so you can "
        "pass it to the right person. You are not expected to do it yourself."
    ),
    Proficiency.WORKING: _(
        "You do this yourself in everyday situations, following your service's procedures, "
        "and you know when to ask a more experienced colleague for help."
    ),
    Proficiency.PROFICIENT: _(
        "You do this well on your own, including when a situation is complex or unusual, "
        "and you can guide colleagues and check their work."
    ),
    Proficiency.EXPERT: _(
        "Others turn to you for this. You decide how it is done across a team or service, "
        "improve it and teach it, and you handle the hardest cases."
    ),
}


def definitions() -> dict[int, str]:
    """{depth number: its definition}, translated once for the current request."""
    return {depth.value: str(text) for depth, text in DEFINITIONS.items()}


@dataclass(frozen=True)
class Depth:
    """One proficiency depth as the definitions page shows it."""

    value: int
    label: str
    anchor: str
    definition: str


def depths() -> list[Depth]:
    """Every depth, shallowest first, with its name and definition translated."""
    return [
        Depth(
            value=depth.value,
            label=str(depth.label),
            anchor=ANCHORS[depth.value],
            definition=str(DEFINITIONS[depth]),
        )
        for depth in Proficiency
    ]
