"""Reading and checking what people send to the compare page, and the problems both
the compare and self-assessment pages report.

The pages use plain GET forms, so everything arrives in the query string and anything
in it may have been edited by hand. These functions never raise on bad input: they
keep what makes sense and describe the rest as problems for the page's error summary.
The self-assessment's own parsing lives in ``pathways.assessment``, with its gap rules.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_COMPARED = 3
# Long hand-edited values are cut short before they are echoed back in a message.
ECHO_LIMIT = 60


@dataclass
class Problem:
    """Something wrong with the input, and the id of the field to fix it in (if any)."""

    message: str
    anchor: str = ""


def echo(value: str) -> str:
    """``value`` stripped, and cut short if it is too long to repeat in a message."""
    value = value.strip()
    return value if len(value) <= ECHO_LIMIT else value[:ECHO_LIMIT] + "…"


# --- Compare ------------------------------------------------------------------------


@dataclass
class CompareChoice:
    """The roles to compare, in the order chosen, and what was wrong with the choice."""

    roles: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def slugs(self) -> list[str]:
        return [role.slug for role in self.roles]

    @property
    def ready(self) -> bool:
        return len(self.roles) >= 2 and not self.problems


def parse_compare_roles(values: list[str], roles_by_slug: dict) -> CompareChoice:
    """Turn the ``roles`` values into role profiles; blank choices are skipped."""
    choice = CompareChoice()
    slugs = [value.strip() for value in values if value.strip()]
    if len(slugs) > MAX_COMPARED:
        choice.problems.append(
            Problem(
                _("Choose up to three roles to compare. You chose %(count)d.")
                % {"count": len(slugs)},
                "compare-role-1",
            )
        )
    seen = set()
    for slug in slugs:
        role = roles_by_slug.get(slug)
        if role is None:
            choice.problems.append(
                Problem(
                    _("There is no role called “%(slug)s”. Choose one from the list.")
                    % {"slug": echo(slug)},
                    "compare-role-1",
                )
            )
        elif slug in seen:
            choice.problems.append(
                Problem(
                    _("You chose %(title)s more than once. Choose different roles.")
                    % {"title": role.title},
                    "compare-role-1",
                )
            )
        else:
            seen.add(slug)
            choice.roles.append(role)
    choice.roles = choice.roles[:MAX_COMPARED]
    return choice
