"""The person specification, laid out as NHS recruiters lay one out.

Criteria sit under five headings: qualifications and training, experience, knowledge,
skills and abilities, and values and behaviours. Each says whether it is essential or
desirable and how it is assessed. The defaults come from the role profile:

- its registration (a registered profession's is essential) and its qualifications and
  experience lines, word for word, so a peer role's lived experience reads as its profile
  states it;
- one criterion for each competence section the role needs, never one per competence:
  "Knowledge" for the sections the role needs least deeply, "Skills and abilities" for
  those it needs more deeply. Sections are essential in order of need (deepest essential
  need first) until the specification has ``ESSENTIAL_MOST`` essential criteria; the rest
  are desirable, to develop in post. The full list goes in an optional appendix;
- the NHS Constitution values, assessed at interview.

The manager can change each criterion's requirement and assessment, leave it out, and add
criteria of their own. A default person specification has at most ``DEFAULT_MOST``
criteria for any role (tested for every role).
"""

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roles.models import Proficiency, RoleProfile, criteria_lines

HEADINGS = (
    ("qualifications", gettext_lazy("Qualifications and training")),
    ("experience", gettext_lazy("Experience")),
    ("knowledge", gettext_lazy("Knowledge")),
    ("skills", gettext_lazy("Skills and abilities")),
    ("values", gettext_lazy("Values and behaviours")),
)
HEADING_KEYS = tuple(key for key, _label in HEADINGS)
ASSESSMENTS = (
    ("application", gettext_lazy("Application")),
    ("interview", gettext_lazy("Interview")),
    ("test", gettext_lazy("Assessment or test")),
)
ASSESSMENT_KEYS = tuple(key for key, _label in ASSESSMENTS)
# What the manager can make of each criterion.
ESSENTIAL, DESIRABLE, LEAVE_OUT = "essential", "desirable", "leave-out"
# A section criterion names this many of its competences; the appendix lists the rest.
NAMED_PER_SECTION = 2
# Profiles give at most 7 lines of registration, qualifications and experience, the
# framework has 16 sections and there are 2 values criteria.
DEFAULT_MOST = 25
# The most essential criteria a default person specification marks. Every essential
# criterion is one each applicant must meet and the panel must check, so the list is
# kept short; past this the rest are desirable, to develop in post.
ESSENTIAL_MOST = 12


@dataclass(frozen=True)
class SpecCriterion:
    """One row of the person specification."""

    key: str
    heading: str
    text: str
    essential: bool
    assessed: tuple[str, ...]
    # Where it came from: "profile", "competences", "values" or "yours".
    origin: str
    # For a section's criterion, how many of its competences the appendix lists.
    competence_count: int = 0

    @property
    def requirement(self) -> str:
        return _("Essential") if self.essential else _("Desirable")

    @property
    def assessed_text(self) -> str:
        labels = dict(ASSESSMENTS)
        return ", ".join(str(labels[key]) for key in self.assessed)


def _sentence_part(title: str) -> str:
    """A competence title as part of a sentence: lower-case first letter, unless the
    title starts with a name or an abbreviation."""
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


def section_criterion(group, *, knowledge: bool) -> SpecCriterion:
    """The one criterion for a competence section (a ``CriteriaSection``), under
    "Knowledge" or "Skills and abilities"."""
    criteria = sorted(group.criteria, key=lambda item: (not item.essential, -item.depth))
    deepest = max(item.depth for item in group.criteria)
    named = [_sentence_part(item.title) for item in criteria[:NAMED_PER_SECTION]]
    more = len(criteria) - len(named)
    listed = "; ".join(named)
    if more:
        listed += "; " + _("and %(count)d more in the appendix") % {"count": more}
    depth = str(Proficiency(deepest).label).lower()
    if knowledge:
        text = _("Knowledge of %(section)s, at %(depth)s depth: %(listed)s") % {
            "section": _sentence_part(group.title),
            "depth": depth,
            "listed": listed,
        }
    else:
        text = _("%(section)s, at %(depth)s depth: %(listed)s") % {
            "section": group.title,
            "depth": depth,
            "listed": listed,
        }
    if deepest >= Proficiency.PROFICIENT:
        assessed = ("interview", "test")
    else:
        assessed = ("application", "interview")
    return SpecCriterion(
        key=f"section-{group.code}",
        heading="knowledge" if knowledge else "skills",
        text=text,
        # Settled by ``default_criteria``, which keeps the essential list short.
        essential=False,
        assessed=assessed,
        origin="competences",
        competence_count=len(criteria),
    )


def values_criteria() -> list[SpecCriterion]:
    return [
        SpecCriterion(
            key="values-nhs",
            heading="values",
            text=_(
                "Works by the NHS Constitution values: working together for patients; "
                "respect and dignity; commitment to quality of care; compassion; "
                "improving lives; and everyone counts"
            ),
            essential=True,
            assessed=("interview",),
            origin="values",
        ),
        SpecCriterion(
            key="values-justice",
            heading="values",
            text=_(
                "Treats people in contact with the criminal justice system without "
                "judgement, and believes that people can change"
            ),
            essential=True,
            assessed=("interview",),
            origin="values",
        ),
    ]


def default_criteria(role: RoleProfile, sections) -> list[SpecCriterion]:
    """The person specification the profile gives, before the manager changes it."""
    registration = [(role.registration, True)] if role.registration else []
    criteria = [
        SpecCriterion(
            key=key if key == "registration" else f"{key}-{n}",
            heading=heading,
            text=text,
            essential=essential,
            assessed=assessed,
            origin="profile",
        )
        for key, heading, lines, assessed in (
            ("registration", "qualifications", registration, ("application",)),
            ("qualification", "qualifications", role.qualification_criteria, ("application",)),
            ("experience", "experience", role.experience_criteria, ("application", "interview")),
        )
        for n, (text, essential) in enumerate(lines, start=1)
    ]
    values = values_criteria()
    room = ESSENTIAL_MOST - sum(1 for item in criteria if item.essential) - len(values)
    criteria += _sections_by_need(sections, room)
    criteria += values
    return criteria


def _sections_by_need(sections, room: int) -> list[SpecCriterion]:
    """The sections' criteria, in framework order, the ``room`` most needed essential.

    A section is needed more the deeper the role needs it as essential, then the more of
    its competences the role needs at that depth. Sections the role needs only at
    awareness depth, which induction and mandatory training give, or only as
    desirable, are never essential at appointment."""
    deepest = [max(item.depth for item in group.criteria) for group in sections]
    # Knowledge: the sections the role needs least deeply (when it needs some more
    # deeply than others); Skills and abilities: the rest.
    shallowest = min(deepest, default=0)
    knowledge_depth = shallowest if shallowest < max(deepest, default=0) else None
    summaries = [
        section_criterion(group, knowledge=depth == knowledge_depth)
        for group, depth in zip(sections, deepest, strict=True)
    ]
    need = {}
    for summary, group in zip(summaries, sections, strict=True):
        essential = [item.depth for item in group.criteria if item.essential]
        if essential and max(essential) > Proficiency.AWARENESS:
            deepest = max(essential)
            need[summary.key] = (deepest, essential.count(deepest))
    chosen = set(sorted(need, key=need.__getitem__, reverse=True)[: max(room, 0)])
    return [replace(summary, essential=summary.key in chosen) for summary in summaries]


def own_criteria(text: str, heading: str) -> list[SpecCriterion]:
    """The manager's own criteria: one per line, "Desirable:" marking desirable ones."""
    return [
        SpecCriterion(
            key=f"yours-{n}",
            heading=heading,
            text=line,
            essential=essential,
            assessed=("application", "interview"),
            origin="yours",
        )
        for n, (line, essential) in enumerate(criteria_lines(text), start=1)
    ]


def read_choice(criterion: SpecCriterion, params) -> tuple[str, tuple[str, ...], bool]:
    """(requirement, assessments, whether the address set them) for ``criterion`` from
    ``params`` (a QueryDict): its ``choice-<key>`` (essential, desirable or leave-out)
    and its ``assessed-<key>`` values. What the address does not set, or sets to
    nothing valid, is the criterion's default; ticking no assessment keeps its own."""
    sent = f"choice-{criterion.key}" in params
    choice = params.get(f"choice-{criterion.key}") if sent else None
    if choice not in (ESSENTIAL, DESIRABLE, LEAVE_OUT):
        choice = ESSENTIAL if criterion.essential else DESIRABLE
    ticked = params.getlist(f"assessed-{criterion.key}") if sent else []
    assessed = tuple(key for key in ASSESSMENT_KEYS if key in ticked)
    return choice, assessed or criterion.assessed, sent and not assessed


def apply_choices(criteria: list[SpecCriterion], params) -> tuple[list[SpecCriterion], list[str]]:
    """The criteria as the manager set them in ``params`` (see ``read_choice``), with a
    note for each whose assessments were all unticked."""
    kept, notes = [], []
    for criterion in criteria:
        choice, assessed, unassessed = read_choice(criterion, params)
        if choice == LEAVE_OUT:
            continue
        if unassessed:
            notes.append(
                _("“%(text)s” had no way of assessing it ticked, so it keeps its own.")
                % {"text": criterion.text[:60] + ("…" if len(criterion.text) > 60 else "")}
            )
        kept.append(replace(criterion, essential=choice == ESSENTIAL, assessed=assessed))
    return kept, notes


def by_heading(criteria: list[SpecCriterion]) -> list[tuple[str, list[SpecCriterion]]]:
    """(heading label, its criteria) for the five headings, in order, empty ones too."""
    return [(label, [c for c in criteria if c.heading == key]) for key, label in HEADINGS]
