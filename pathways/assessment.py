"""The self-assessment in one place: reading answers, deciding the gaps, writing the CSV.

What an answer means runs through every step of the check: how it is read from the
query string and carried between pages, which answers make a competence a gap (and
what an unanswered one counts as), which learning suits a gap, and how gaps are written
to a spreadsheet. Keeping those rules in one module means a change to any of them is
made, and reviewed, in one place.

Answers travel in plain GET forms, so anything may have been edited by hand: parsing
never raises, it keeps what makes sense and describes the rest as problems for the
page's error summary. The reads take a fixed number of queries however large the role.
"""

from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlencode

from django.db import models
from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competences.models import Competence, LearningFit, LearningOpportunity
from core.spreadsheets import Sheet, csv_response
from core.text import one_line
from roles.models import Requirement, RoleCompetence, RoleProfile
from roles.selectors import SectionRequirements

from .forms import Problem, echo

ANSWER_PREFIX = "c-"
FROM_FIELD = "from"
PREFILL_FIELD = "prefill"
# The gaps of an earlier result, as comma-separated codes, so the result can show changes.
BEFORE_FIELD = "before"
LISTED_CODES = 5


class Answer(models.TextChoices):
    """How sure a person is that they hold a competence at the level a role needs."""

    CONFIDENT = "confident", gettext_lazy("Confident")
    PARTLY = "partly", gettext_lazy("Partly")
    NOT_YET = "not-yet", gettext_lazy("Not yet")


# Answers that make a competence a gap; the last is what an unanswered one counts as.
GAP_ANSWERS = (Answer.PARTLY, Answer.NOT_YET)


def answer_field(code: str) -> str:
    """The query-string name that carries the answer for competence ``code``."""
    return f"{ANSWER_PREFIX}{code}"


# --- Reading the answers ------------------------------------------------------------


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
    # The earlier result's gaps (None when the check did not start from one).
    before: set[str] | None = None


def clean_from_slug(query: QueryDict) -> str:
    """The current role's slug as sent, stripped of spaces and control characters (blank
    when none was chosen), so it can be echoed back safely."""
    return one_line(query.get(FROM_FIELD) or "")


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
            unknown_codes.append(echo(code))
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
    if BEFORE_FIELD in query:
        result.before = _read_before(query.get(BEFORE_FIELD, ""), required, result.problems)
    if result.from_slug and not from_found:
        result.problems.append(
            Problem(
                _("There is no role called “%(slug)s” to pre-fill from. Choose one from the list.")
                % {"slug": echo(result.from_slug)},
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


def _read_before(value: str, required: dict[str, int], problems: list[Problem]) -> set[str]:
    """The earlier gaps in ``value`` that are competences of the role; the rest are
    reported and left out."""
    codes = {code.strip() for code in value.split(",") if code.strip()}
    unknown = sorted(codes - set(required))
    if unknown:
        problems.append(
            Problem(
                _(
                    "The earlier result in this page's address lists competences this role "
                    "does not have, so they were left out: %(codes)s."
                )
                % {"codes": ", ".join(echo(code) for code in unknown[:LISTED_CODES])}
            )
        )
    return codes & set(required)


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
    if answers.before is not None:
        pairs.append((BEFORE_FIELD, ",".join(sorted(answers.before))))
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


# --- The role's requirements, and the gaps in them ------------------------------------


def role_proficiencies(role: RoleProfile) -> dict[str, int]:
    """{competence code: required proficiency} for ``role``, in one query."""
    return dict(
        RoleCompetence.objects.filter(role=role).values_list("competence__code", "proficiency")
    )


class LearningOffer(NamedTuple):
    """The learning offered for one gap at a role's level.

    ``suits``: learning whose range of career framework levels includes the role's, the
    narrowest range first (it is the most specific to the role). ``later``: learning for
    staff one level above, "for later in your career"; never more than one level above.
    ``below``: learning for staff below the role's level, offered only when there is
    nothing in the other two, and said to be below it.
    """

    suits: list
    later: list
    below: list


def learning_for_level(learning: list[LearningOpportunity], role_level: int) -> LearningOffer:
    """Sort ``learning`` for a role at career framework level ``role_level``."""

    def specific_first(item):
        return (item.suits_to - item.suits_from, item.title)

    fits = [(item.fit_for(role_level), item) for item in learning]
    suits = sorted((item for fit, item in fits if fit == LearningFit.SUITS), key=specific_first)
    later = sorted((item for fit, item in fits if fit == LearningFit.LATER), key=specific_first)
    below = []
    if not suits and not later:
        below = sorted(
            (item for fit, item in fits if fit == LearningFit.BELOW),
            key=lambda item: (-item.suits_to, item.title),
        )
    return LearningOffer(suits, later, below)


@dataclass
class Gap:
    """A competence the person is not yet confident in, and the learning offered for it
    at the role's level (``learning_for_level``)."""

    requirement: RoleCompetence
    answer: str
    answer_label: str
    answered: bool
    section_title: str = ""
    learning: LearningOffer = LearningOffer([], [], [])

    @property
    def competence(self) -> Competence:
        return self.requirement.competence


@dataclass
class GapSection:
    section: Competence
    gaps: list[Gap] = field(default_factory=list)


def gaps_by_section(
    sections: list[SectionRequirements],
    answers: dict[str, str],
    *,
    gap_answers,
    labels,
    role_level: int | None = None,
) -> list[GapSection]:
    """The requirements whose answer is in ``gap_answers``, essential before desirable
    within each section; a competence missing from ``answers`` counts as the last of
    ``gap_answers`` (not yet). With ``role_level`` (and sections read ``with_learning``)
    each gap carries the learning that suits a role at that level."""
    fallback = list(gap_answers)[-1]
    labels = {key: str(label) for key, label in labels.items()}
    result = []
    for group in sections:
        gaps = []
        for item in group.requirements:
            answer = answers.get(item.competence.code, fallback)
            if answer in gap_answers:
                gap = Gap(
                    requirement=item,
                    answer=answer,
                    answer_label=labels[answer],
                    answered=item.competence.code in answers,
                    section_title=group.section.title,
                )
                if role_level is not None:
                    gap.learning = learning_for_level(
                        list(item.competence.learning_opportunities.all()), role_level
                    )
                gaps.append(gap)
        if gaps:
            gaps.sort(key=lambda gap: gap.requirement.requirement != Requirement.ESSENTIAL)
            result.append(GapSection(section=group.section, gaps=gaps))
    return result


# --- The gaps as a spreadsheet --------------------------------------------------------


def _learning_cell(learning) -> str:
    return f"{learning.title} ({learning.kind_and_level})"


def learning_text(offer: LearningOffer) -> str:
    """The learning offered for a gap, in words, as the gap CSV and the development
    files give it: what suits the role, then what is for later, then (only when nothing
    else is known) what is below the role's level."""
    parts = []
    if offer.suits:
        parts.append("; ".join(_learning_cell(item) for item in offer.suits))
    if offer.later:
        parts.append(
            _("For later in your career: %(titles)s")
            % {"titles": "; ".join(_learning_cell(item) for item in offer.later)}
        )
    if offer.below:
        parts.append(
            _("Below this role's level, the only learning known for it: %(titles)s")
            % {"titles": "; ".join(_learning_cell(item) for item in offer.below)}
        )
    if not offer.suits:
        parts.insert(0, _("No learning at this role's level is known for this yet"))
    return ". ".join(parts)


def gap_csv_header() -> list[str]:
    """The first row of a gap CSV. ``pathways.gap_files`` reads files back by it, so a
    change here is a change to the format people keep and upload again."""
    return [
        _("role"),
        _("section"),
        _("code"),
        _("competence"),
        _("required proficiency"),
        _("essential or desirable"),
        _("your answer"),
        _("standards"),
        _("learning"),
    ]


def not_answered_in_csv() -> str:
    """What a gap CSV says for a competence left unanswered."""
    return _("Not answered (counted as not yet)")


def gaps_csv(role, gaps) -> HttpResponse:
    """The gaps as a CSV download named after the role, one row per gap; each row names
    the role by its slug, so a file read back (or combined with others) says whose role
    it was about."""
    rows = []
    for gap in gaps:
        competence = gap.competence
        standards = "; ".join(f"{s.code} {s.title}" for s in competence.standards.all())
        learning = learning_text(gap.learning)
        row = [
            role.slug,
            gap.section_title,
            competence.code,
            competence.title,
            gap.requirement.get_proficiency_display(),
            gap.requirement.get_requirement_display(),
            gap.answer_label if gap.answered else not_answered_in_csv(),
            standards,
            learning,
        ]
        rows.append([str(value) for value in row])
    return csv_response(Sheet(role.slug, gap_csv_header(), rows), f"gaps-{role.slug}.csv")
