"""A job description and person specification built from a role profile.

The manager's choices (which desirable competences to include, the employer, service and
location, and whether to mention the lived-experience route) arrive in a GET form and are
never stored. The content is put together once, as a plain ``JobDescription``, and both
the print-ready page and the Word document are drawn from it, so the two always agree.
"""

import re
from dataclasses import dataclass
from datetime import date

from django import forms
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.shared import Cm, Pt

from competences.models import Standard
from core.text import clean_text, one_line
from roles.models import RoleProfile
from roles.selectors import role_requirements_by_section

from .documents import add_bullets, add_table, fit_table, framework_citation, new_document

# Long hand-edited values are cut short before a message repeats them.
ECHO_LIMIT = 40
# At most this many ignored codes are named in the message; the rest are counted.
ECHO_COUNT = 5
IT_HAS = gettext_lazy("It has %(show_value)d.")


class PlainTextField(forms.CharField):
    """A single-line text field that drops control characters before checking length."""

    def to_python(self, value):
        return one_line(value or "")


class CodeListField(forms.Field):
    """Every value sent under the field's name (checkboxes), as a list of strings."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return [text for text in (one_line(str(item)) for item in value) if text]


def post_detail(label, help_text, too_long) -> PlainTextField:
    """An optional line about the post, such as the employer, up to 120 characters."""
    return PlainTextField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=120,
        error_messages={"max_length": format_lazy("{} {}", too_long, IT_HAS)},
    )


class JobDescriptionForm(forms.Form):
    """The builder's choices. Desirable codes are checked against the role in ``clean``:
    codes the role does not list as desirable are set aside in ``ignored``, not refused,
    so a stale or hand-edited address still gives a document."""

    desirable = CodeListField(required=False)
    employer = post_detail(
        gettext_lazy("Employer"),
        gettext_lazy("The NHS trust or organisation that employs the post holder."),
        gettext_lazy("The employer’s name must be %(limit_value)d characters or fewer."),
    )
    service = post_detail(
        gettext_lazy("Service or team"),
        gettext_lazy("The team or service the post belongs to."),
        gettext_lazy("The service or team must be %(limit_value)d characters or fewer."),
    )
    location = post_detail(
        gettext_lazy("Location"),
        gettext_lazy("Where the post holder is based, such as a town or a police station."),
        gettext_lazy("The location must be %(limit_value)d characters or fewer."),
    )
    lived = forms.BooleanField(required=False)

    TEXT_FIELDS = ("employer", "service", "location")

    def __init__(self, *args, desirable_codes: set[str], offers_lived_route: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.desirable_codes = desirable_codes
        self.offers_lived_route = offers_lived_route
        self.ignored: list[str] = []

    def clean_desirable(self) -> list[str]:
        chosen, ignored = [], []
        for code in self.cleaned_data["desirable"]:
            if code in self.desirable_codes:
                if code not in chosen:
                    chosen.append(code)
            elif code not in ignored:
                ignored.append(code)
        self.ignored = ignored
        return chosen

    def clean_lived(self) -> bool:
        return self.cleaned_data["lived"] and self.offers_lived_route

    def shown_value(self, name: str) -> str:
        """What the text box shows: what was sent, without control characters."""
        if not self.is_bound:
            return ""
        return one_line(self.data.get(name, ""))

    def stripped_fields(self) -> list[str]:
        """Labels of the fields that had characters taken out."""
        if not self.is_bound:
            return []
        return [
            str(self.fields[name].label)
            for name in self.TEXT_FIELDS
            if clean_text(sent := self.data.get(name, "")) != sent
        ]

    def ignored_message(self) -> str:
        if not self.ignored:
            return ""
        named = [
            code if len(code) <= ECHO_LIMIT else code[:ECHO_LIMIT] + "…"
            for code in self.ignored[:ECHO_COUNT]
        ]
        listed = ", ".join(named)
        more = len(self.ignored) - len(named)
        if more:
            listed += " " + _("and %(count)d more") % {"count": more}
        return _(
            "These codes in the page address are not desirable competences of this role, "
            "so they were left out: %(codes)s."
        ) % {"codes": listed}

    def query(self) -> list[tuple[str, str]]:
        """The valid choices as query pairs, to carry them to the Word download."""
        data = self.cleaned_data
        pairs = [("desirable", code) for code in data["desirable"]]
        pairs += [(name, data[name]) for name in self.TEXT_FIELDS if data[name]]
        if data["lived"]:
            pairs.append(("lived", "on"))
        return pairs


@dataclass(frozen=True)
class Criterion:
    """One row of the person specification: a competence the post holder needs.

    Its words are put together once, in the reader's language, with the rest: the page
    repeats them for every competence the role needs.
    """

    code: str
    title: str
    proficiency: str
    essential: bool
    standards: tuple[str, ...]
    requirement: str
    standards_text: str
    proficiency_needed: str


def criterion(item) -> Criterion:
    """The criterion for ``item``, a requirement with its competence's standards loaded."""
    standards = tuple(standard.code for standard in item.competence.standards.all())
    proficiency = item.get_proficiency_display()
    return Criterion(
        code=item.competence.code,
        title=item.competence.title,
        proficiency=proficiency,
        essential=item.is_essential,
        standards=standards,
        requirement=_("Essential") if item.is_essential else _("Desirable"),
        standards_text=", ".join(standards) if standards else _("None linked"),
        proficiency_needed=_("Proficiency needed: %(label)s") % {"label": proficiency},
    )


@dataclass(frozen=True)
class CriteriaSection:
    """A competence section's title and the role's criteria within it, in tree order."""

    title: str
    criteria: tuple[Criterion, ...]

    @property
    def essential_count(self) -> int:
        return sum(1 for item in self.criteria if item.essential)


def role_criteria(role: RoleProfile) -> list[CriteriaSection]:
    """Every competence the role needs as a criterion, by section (3 queries).

    Plain values only, so the content cache keeps them cheaply: every page of the
    builder starts from them, whatever the manager chose.
    """
    sections = role_requirements_by_section(role)
    competences = [item.competence for group in sections for item in group.requirements]
    prefetch_related_objects(
        competences,
        Prefetch("standards", queryset=Standard.objects.only("id", "code", "reference")),
    )
    return [
        CriteriaSection(
            title=group.section.title,
            criteria=tuple(criterion(item) for item in group.requirements),
        )
        for group in sections
    ]


def desirable_by_section(sections: list[CriteriaSection]) -> list[CriteriaSection]:
    """Only the sections with desirable competences, holding only those."""
    out = []
    for group in sections:
        desirable = tuple(item for item in group.criteria if not item.essential)
        if desirable:
            out.append(CriteriaSection(title=group.title, criteria=desirable))
    return out


@dataclass
class JobDescription:
    """Everything the page and the Word document show, in the order they show it."""

    title: str
    details: list[tuple[str, str]]
    purpose: list[str]
    responsibilities: list[str]
    criteria: list[Criterion]
    entry_requirements: list[str]
    lived_experience: list[str]
    education_and_training: list[str]
    development: list[str]
    source: str
    address: str
    made_on: str

    @property
    def essential(self) -> list[Criterion]:
        return [item for item in self.criteria if item.essential]

    @property
    def desirable(self) -> list[Criterion]:
        return [item for item in self.criteria if not item.essential]


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]


def build_job_description(
    role: RoleProfile,
    sections: list[CriteriaSection],
    *,
    choices: dict,
    address: str,
    today: date,
) -> JobDescription:
    """The job description for ``role`` with the cleaned ``choices`` of the form.

    ``address`` is the role profile's absolute address, cited as the source.
    """
    chosen = set(choices.get("desirable", []))
    essential, desirable = [], []
    for group in sections:
        for criterion in group.criteria:
            if criterion.essential:
                essential.append(criterion)
            elif criterion.code in chosen:
                desirable.append(criterion)
    details = [(_("Job title"), role.title)]
    for key, label in [
        ("employer", _("Employer")),
        ("service", _("Service or team")),
        ("location", _("Location")),
    ]:
        if choices.get(key):
            details.append((label, choices[key]))
    details.append((_("Career framework level"), str(role.level)))
    if role.band:
        details.append(
            (
                _("Indicative Agenda for Change band"),
                _("%(band)s (a guide only, not a pay rule)") % {"band": role.band},
            )
        )
    areas = [area.name for area in role.areas.all()]
    if areas:
        details.append((_("Service area"), "; ".join(areas)))
    lived = []
    if choices.get("lived") and role.lived_experience_route:
        lived = [
            _("We welcome applications from people with lived experience of the justice system.")
        ] + paragraphs(role.lived_experience_text)
    made_on = date_format(today, "j F Y")
    source = _("Based on the %(framework)s, %(address)s, %(date)s.") % {
        "framework": framework_citation(),
        "address": address,
        "date": made_on,
    }
    return JobDescription(
        title=role.title,
        details=details,
        purpose=paragraphs(role.purpose),
        responsibilities=role.responsibility_list,
        criteria=essential + desirable,
        entry_requirements=paragraphs(role.entry_requirements),
        lived_experience=lived,
        education_and_training=paragraphs(role.education_and_training),
        development=paragraphs(role.continuing_development),
        source=source,
        address=address,
        made_on=made_on,
    )


def criterion_cell(criterion: Criterion) -> str:
    return _("%(code)s %(title)s\nProficiency needed: %(proficiency)s") % {
        "code": criterion.code,
        "title": criterion.title,
        "proficiency": criterion.proficiency,
    }


def job_description_document(job: JobDescription):
    """The Word document: the same headings, in the same order, as the printed page."""
    document = new_document(job.title)
    # A4 with 2 cm margins, the usual page for an NHS job pack; 17 cm of text width.
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    document.add_paragraph(_("Job description and person specification"), style="Subtitle")
    details = document.add_table(rows=0, cols=2)
    details.style = "Table Grid"
    for label, value in job.details:
        cells = details.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = value
    fit_table(details, [5.5, 11.5])

    document.add_heading(_("Job purpose"), level=1)
    for text in job.purpose:
        document.add_paragraph(text)
    document.add_heading(_("Key responsibilities"), level=1)
    add_bullets(document, job.responsibilities)

    document.add_heading(_("Person specification"), level=1)
    document.add_paragraph(
        _(
            "Competences from the framework, with the National Occupational Standards "
            "behind each one. Proficiency is how deeply the post holder needs it: "
            "awareness, working, proficient or expert."
        )
    )
    add_table(
        document,
        [_("Criterion"), _("Essential or desirable"), _("Standards")],
        [[criterion_cell(item), item.requirement, item.standards_text] for item in job.criteria],
        widths_cm=[10, 3, 4],
    )

    document.add_heading(_("Entry requirements"), level=1)
    for text in job.entry_requirements:
        document.add_paragraph(text)
    if job.lived_experience:
        document.add_heading(_("Lived experience of the justice system"), level=2)
        for text in job.lived_experience:
            document.add_paragraph(text)
    document.add_heading(_("Education and training"), level=1)
    for text in job.education_and_training:
        document.add_paragraph(text)
    document.add_heading(_("Development on offer"), level=1)
    for text in job.development:
        document.add_paragraph(text)

    run = document.add_paragraph().add_run(job.source)
    run.italic = True
    run.font.size = Pt(9)
    return document
