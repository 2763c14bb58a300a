"""Workforce questions for a procurement or a contract review, built from a planned skill
mix (``skill_mix.Plan``): what to ask a provider about recruiting to the mix, developing
and keeping its staff, and the figures it could report.

Pure: everything comes from the plan and from ``MixRoutes`` (which roles welcome people
with lived experience, and the framework's moves between the area's roles), which the
view reads. The page, the Word document and the workbook all show the one ``QuestionSet``
built here, so they hold the same questions.

Each question is tagged with one of the Provider Selection Regime's five key criteria.
The list follows DHSC's consultation outcome; the final wording is in regulation 5 and
the statutory guidance, which every output tells the reader to check (``PSR_CAUTION``).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import procurement_wording as wording
from .skill_mix import Plan
from .skill_mix_choice import Post, plain_number

# The owners' pages the outputs cite.
PSR_REGULATIONS_URL = "https://www.legislation.gov.uk/uksi/2023/1348/contents/made"
PSR_GUIDANCE_URL = (
    "https://www.england.nhs.uk/long-read/the-provider-selection-regime-statutory-guidance/"
)
PSR_CONSULTATION_URL = (
    "https://www.gov.uk/government/consultations/"
    "provider-selection-regime-supplementary-consultation-on-the-detail-of-proposals-for-regulations/"
    "provider-selection-regime-supplementary-consultation-on-the-detail-of-proposals-for-regulations"
)
HEALTH_AND_JUSTICE_URL = "https://www.england.nhs.uk/commissioning/health-just/"

REGULATION_18 = wording.REGULATION_18

WHAT_THIS_IS = gettext_lazy(
    "These questions are a starting point for your own procurement or contract review "
    "documents, made from the skill mix you planned. They are not NHS England policy and "
    "not part of the framework. Change them to suit the service, the contract and the "
    "way you are choosing a provider."
)
PSR_CAUTION = gettext_lazy(
    "Each question is tagged with one of the Provider Selection Regime's five key "
    "criteria, as the Department of Health and Social Care's consultation outcome of July "
    "2023 lists them. Check the final wording in regulation 5 of the Health Care Services "
    "(Provider Selection Regime) Regulations 2023 and in NHS England's statutory guidance "
    "before you use them. Which criterion a question serves is a suggestion: your "
    "evaluation may weigh it under another."
)


class KeyCriterion(models.TextChoices):
    """The Provider Selection Regime's five key criteria (see ``PSR_CAUTION``)."""

    QUALITY = "quality", gettext_lazy("Quality and innovation")
    VALUE = "value", gettext_lazy("Value")
    INTEGRATION = (
        "integration",
        gettext_lazy("Integration, collaboration and service sustainability"),
    )
    ACCESS = (
        "access",
        gettext_lazy("Improving access, reducing health inequalities and facilitating choice"),
    )
    SOCIAL_VALUE = "social-value", gettext_lazy("Social value")


# One scale for every question: each question's own "what a good answer shows" says
# what the top band needs.
SCORES = (
    (4, gettext_lazy("Excellent")),
    (3, gettext_lazy("Good")),
    (2, gettext_lazy("Partial")),
    (1, gettext_lazy("Weak")),
    (0, gettext_lazy("No answer")),
)
SCORE_MEANINGS = {
    4: gettext_lazy(
        "Shows everything a good answer shows, for this service and this mix, with "
        "evidence such as current figures, named leads and dates."
    ),
    3: gettext_lazy("Shows most of it, with plans that are specific and believable."),
    2: gettext_lazy("Shows some of it; the plans are general or the evidence is thin."),
    1: gettext_lazy("Says what the provider intends with little detail; important points missing."),
    0: gettext_lazy("No answer, or the answer does not address the question."),
}


@dataclass(frozen=True)
class MixRoutes:
    """What the question set needs beyond the plan, for the area's roles: the ids of
    those that welcome people with lived experience, and the framework's moves between
    them as (from role id, to role id)."""

    lived_experience: frozenset[int] = frozenset()
    moves: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Question:
    """One question: ``key`` names its subject whatever its number (``id``)."""

    key: str
    id: str
    topic: str
    text: str
    criterion: KeyCriterion
    good_answer: tuple[str, ...]
    # The framework sections the question names, for the question on thin cover.
    sections: tuple[str, ...] = ()

    @property
    def criterion_label(self) -> str:
        return str(self.criterion.label)


@dataclass(frozen=True)
class Measure:
    """A figure the provider could report, how it is counted, and the questions it
    gives evidence for (their ids)."""

    id: str
    name: str
    counted: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    """A competence the mix leaves uncovered or to a single post."""

    section: str
    code: str
    title: str
    # "No role in the mix", or the one post that holds it.
    cover: str
    uncovered: bool


@dataclass
class QuestionSet:
    area_name: str
    posts: list[Post]
    questions: list[Question]
    measures: list[Measure]
    gaps: list[Gap] = field(default_factory=list)

    @property
    def total_text(self) -> str:
        """The mix's whole-time equivalents in all, as the page shows a WTE."""
        return plain_number(sum((post.wte for post in self.posts), Decimal(0)))

    @property
    def sections(self) -> list[str]:
        """The sections with a gap, in framework order."""
        return list(dict.fromkeys(gap.section for gap in self.gaps))

    @property
    def thin_cover_question(self) -> Question:
        return next(question for question in self.questions if question.key == "thin-cover")


def scale() -> list[tuple[int, str, str]]:
    """(score, band, what it means), highest first."""
    return [(score, str(band), str(SCORE_MEANINGS[score])) for score, band in SCORES]


def scoring_guide() -> str:
    """The scale as one block of text, for a spreadsheet cell."""
    return "\n".join(f"{score} {band}: {meaning}" for score, band, meaning in scale())


def gaps(plan: Plan) -> list[Gap]:
    """Every competence the mix leaves uncovered or to a single post, in framework order."""
    found = []
    for item in plan.competences:
        if not item.covered:
            cover = _("No role in the mix")
        elif item.single_post:
            post = item.posts[0]
            cover = _("Only the %(role)s (%(wte)s WTE)") % {
                "role": post.role.title,
                "wte": post.wte_text,
            }
        else:
            continue
        found.append(
            Gap(
                item.section_title,
                item.competence.code,
                item.competence.title,
                cover,
                uncovered=not item.covered,
            )
        )
    return found


def question_set(plan: Plan, routes: MixRoutes) -> QuestionSet:
    """The questions and measures for ``plan``'s mix (its posts with more than 0 WTE)."""
    posts = plan.chosen
    found = gaps(plan)
    sections = list(dict.fromkeys(gap.section for gap in found))
    by_pk = {post.role.pk: post for post in posts}
    lived = [post.role.title for post in posts if post.role.pk in routes.lived_experience]
    moves = [
        (by_pk[start].role.title, by_pk[end].role.title)
        for start, end in routes.moves
        if start in by_pk and end in by_pk
    ]
    # Drafted by key, then numbered: the measures and the questions refer to each other
    # by id, so that a question added or left out renumbers them all consistently.
    drafts = {
        "recruiting": wording.recruiting(
            [(post.role.title, post.wte_text) for post in posts],
            plain_number(sum((post.wte for post in posts), Decimal(0))),
        ),
        "lived-experience": wording.lived_experience(lived),
        "inclusive": wording.inclusive(),
        "supervision": wording.supervision(),
        "training": wording.training(plan.covered_count),
        "thin-cover": wording.thin_cover(
            sections,
            uncovered=any(gap.uncovered for gap in found),
            single=not all(gap.uncovered for gap in found),
        ),
        "progression": wording.progression(moves),
        "value": wording.value(),
    }
    ids = {key: f"Q{number}" for number, key in enumerate(drafts, start=1)}
    questions = [
        Question(
            key=key,
            id=ids[key],
            topic=draft["topic"],
            text=draft["text"],
            criterion=KeyCriterion(draft["criterion"]),
            good_answer=tuple(point.format(**ids) for point in draft["good_answer"]),
            sections=tuple(draft.get("sections", ())),
        )
        for key, draft in drafts.items()
    ]
    return QuestionSet(
        area_name=plan.area.name,
        posts=posts,
        questions=questions,
        measures=_measures(ids, sections, moves),
        gaps=found,
    )


# --- The measures ----------------------------------------------------------------------


def _measures(
    ids: dict[str, str], sections: list[str], moves: list[tuple[str, str]]
) -> list[Measure]:
    """The measures; those about the mix's roles, moves and sections point to the
    question that lists them rather than list them again."""
    rows = [
        (
            _("Vacancy rate by role"),
            _(
                "For each role in the mix (listed in %(question)s): funded WTE not filled by a "
                "permanent post-holder on the last day of the quarter, divided by the funded "
                "WTE for that role."
            )
            % {"question": ids["recruiting"]},
            ("recruiting", "lived-experience"),
        ),
        (
            _("Temporary staffing"),
            _(
                "For each role in the mix: hours worked by bank and agency staff in the "
                "quarter, divided by all hours worked in that role."
            ),
            ("recruiting", "value"),
        ),
        (
            _("Turnover by role"),
            _(
                "For each role in the mix: people who left the service in the last 12 months, "
                "divided by the average number of people in that role over those months. "
                "Moves to another role in the service are counted apart, not as leavers."
            ),
            ("progression",),
        ),
        (
            _("Moves between roles"),
            _(
                "People who moved into another role in the mix in the last 12 months, for "
                "each move listed in %(question)s."
            )
            % {"question": ids["progression"]}
            if moves
            else _("People who moved into another role in the mix in the last 12 months."),
            ("progression",),
        ),
        (
            _("Current development plans"),
            _(
                "Staff in post with a development plan agreed or reviewed in the last 12 "
                "months, divided by all staff in post on the last day of the quarter."
            ),
            ("supervision", "training"),
        ),
        (
            _("Appraisal"),
            _(
                "Staff in post for 12 months or more who had an appraisal in the last 12 "
                "months, divided by all staff in post for 12 months or more."
            ),
            ("supervision",),
        ),
        (
            _("Supervision"),
            _(
                "Staff whose last recorded supervision falls within the interval the "
                "contract or the provider's policy sets, divided by all staff in post. "
                "Clinical and managerial supervision counted apart; state the interval."
            ),
            ("supervision",),
        ),
        (
            _("Training in the mix's competences"),
            _(
                "For each role: staff assessed as competent in every competence their role "
                "profile needs, divided by staff in that role."
            ),
            ("training", "value"),
        ),
        (
            _("Cover for thinly covered competences"),
            _(
                "For each section named in %(question)s: its listed competences held by at "
                "least two staff in post, divided by the number listed."
            )
            % {"question": ids["thin-cover"]}
            if sections
            else _(
                "Competences the service's roles need that are held by at least two staff in "
                "post, divided by all the competences they need."
            ),
            ("thin-cover",),
        ),
        (
            _("Workforce profile"),
            _(
                "Staff by ethnicity, sex, age group and disability, from voluntary equality "
                "monitoring, compared with the people the service works with. Those who "
                "chose not to say are counted apart."
            ),
            ("inclusive",),
        ),
    ]
    return [
        Measure(
            id=f"M{number}",
            name=name,
            counted=counted,
            questions=tuple(ids[key] for key in keys if key in ids),
        )
        for number, (name, counted, keys) in enumerate(rows, start=1)
    ]
