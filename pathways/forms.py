"""Reading and checking what people send to the compare and self-assessment pages.

Both pages use plain GET forms, so everything arrives in the query string and anything
in it may have been edited by hand. These functions never raise on bad input: they
keep what makes sense and describe the rest as problems for the page's error summary.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_COMPARED = 3
ANSWER_PREFIX = "c-"
FROM_FIELD = "from"
PREFILL_FIELD = "prefill"
# Long hand-edited values are cut short before they are echoed back in a message.
ECHO_LIMIT = 60
LISTED_CODES = 5


class Answer(models.TextChoices):
    """How sure a person is that they hold a competence at the level a role needs."""

    CONFIDENT = "confident", gettext_lazy("Confident")
    PARTLY = "partly", gettext_lazy("Partly")
    NOT_YET = "not-yet", gettext_lazy("Not yet")


# Answers that make a competence a gap; the last is what an unanswered one counts as.
GAP_ANSWERS = (Answer.PARTLY, Answer.NOT_YET)


@dataclass
class Problem:
    """Something wrong with the input, and the id of the field to fix it in (if any)."""

    message: str
    anchor: str = ""


def _echo(value: str) -> str:
    value = value.strip()
    return value if len(value) <= ECHO_LIMIT else value[:ECHO_LIMIT] + "…"


def answer_field(code: str) -> str:
    """The query-string name that carries the answer for competence ``code``."""
    return f"{ANSWER_PREFIX}{code}"


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
                    % {"slug": _echo(slug)},
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


# --- Self-assessment ----------------------------------------------------------------


@dataclass
class AssessmentInput:
    """A person's answers about one role, as far as they can be trusted.

    ``answers`` maps competence codes to answers: the ones given in the query string,
    with gaps filled from the current role (``prefilled``) when one was chosen.
    """

    answers: dict[str, str] = field(default_factory=dict)
    given: set[str] = field(default_factory=set)
    prefilled: set[str] = field(default_factory=set)
    from_slug: str = ""
    from_found: bool = False
    invalid: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def clean_from_slug(query: QueryDict) -> str:
    """The current role's slug as sent, stripped (blank when none was chosen)."""
    return (query.get(FROM_FIELD) or "").strip()


def prefill_answers(required: dict[str, int], current: dict[str, int]) -> dict[str, str]:
    """Answers implied by a current role: confident where it already needs a competence
    at the same or a higher proficiency, partly where it needs it at a lower one."""
    prefilled = {}
    for code, proficiency in required.items():
        if code in current:
            prefilled[code] = (
                Answer.CONFIDENT if current[code] >= proficiency else Answer.PARTLY
            ).value
    return prefilled


def parse_assessment(
    query: QueryDict,
    *,
    required: dict[str, int],
    current: dict[str, int] | None,
    from_found: bool,
) -> AssessmentInput:
    """Read answers for the competences in ``required`` from ``query``.

    ``current`` holds the chosen current role's proficiencies (None when no role was
    chosen or it was not found; ``from_found`` tells those apart). When the Pre-fill
    button was pressed, the current role's answers replace the ones given; otherwise
    they only fill competences left unanswered.
    """
    result = AssessmentInput(from_slug=clean_from_slug(query), from_found=from_found)
    valid = set(Answer.values)
    unknown_codes = []
    for key in query:
        if not key.startswith(ANSWER_PREFIX):
            continue
        code = key[len(ANSWER_PREFIX) :]
        if code not in required:
            unknown_codes.append(_echo(code))
            continue
        values = query.getlist(key)
        value = values[-1].strip()
        if len(values) > 1:
            result.problems.append(
                Problem(
                    _("%(code)s was answered more than once. Only the last answer is used.")
                    % {"code": code},
                    f"{key}-confident",
                )
            )
        if value in valid:
            result.answers[code] = value
        elif value:
            result.invalid.add(code)
            result.problems.append(
                Problem(
                    _(
                        "The answer for %(code)s was not one of Confident, Partly or Not yet, "
                        "so it was ignored."
                    )
                    % {"code": code},
                    f"{key}-confident",
                )
            )
    if unknown_codes:
        listed = ", ".join(unknown_codes[:LISTED_CODES])
        extra = len(unknown_codes) - LISTED_CODES
        message = _(
            "These are not competences of this role, so their answers were ignored: %(codes)s."
        ) % {"codes": listed}
        if extra > 0:
            message += " " + _("(and %(count)d more)") % {"count": extra}
        result.problems.append(Problem(message))
    if result.from_slug and not from_found:
        result.problems.append(
            Problem(
                _("There is no role called “%(slug)s” to pre-fill from. Choose one from the list.")
                % {"slug": _echo(result.from_slug)},
                "assessment-from",
            )
        )
    result.given = set(result.answers)
    if current is not None:
        implied = prefill_answers(required, current)
        override = PREFILL_FIELD in query
        for code, answer in implied.items():
            if override or code not in result.answers:
                result.answers[code] = answer
                result.prefilled.add(code)
    return result


def carried_answers(answers: AssessmentInput, *, exclude=()) -> list[tuple[str, str]]:
    """(name, value) pairs that carry the person's own answers and chosen current role
    from one step of the self-assessment to the next, leaving out the codes in
    ``exclude`` (the ones the page asks about). Answers implied by the current role are
    not carried: every page works them out again from the role."""
    pairs = [(FROM_FIELD, answers.from_slug)] if answers.from_found else []
    pairs += [
        (answer_field(code), answers.answers[code])
        for code in sorted(answers.given)
        if code not in exclude
    ]
    return pairs


def assessment_query(answers: AssessmentInput) -> str:
    """The person's answers and current role as a query string, ready for a link."""
    return urlencode(carried_answers(answers))


def problems_on_page(problems: list[Problem], field_names) -> list[Problem]:
    """``problems`` with links kept only to fields this page shows."""
    shown = {f"{name}-confident" for name in field_names}
    return [
        problem if problem.anchor in shown else Problem(problem.message) for problem in problems
    ]


def annotate_answers(sections, answers: AssessmentInput, *, definitions=None) -> None:
    """Set on each requirement in ``sections`` what its question needs: the field name,
    the current answer, whether it was pre-filled or sent with a bad value, and (from
    ``definitions``, {proficiency: text}) what the proficiency it asks for means."""
    labels = {value: str(label) for value, label in Answer.choices}
    for group in sections:
        for item in group.requirements:
            code = item.competence.code
            item.field_name = answer_field(code)
            item.answer = answers.answers.get(code, "")
            item.answer_label = labels.get(item.answer, "")
            item.prefilled = code in answers.prefilled
            item.invalid = code in answers.invalid
            if definitions is not None:
                item.definition = definitions[item.proficiency]
