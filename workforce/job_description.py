"""A job description and person specification built from a role profile.

The manager's choices (the post's details, the person specification's requirements and
assessments, criteria of their own, the statements on adjustments and flexible working)
arrive in a GET form and are never stored. The content is put together once, as a plain
``JobDescription``, and both the print-ready page and the Word document are drawn from
it, so the two always agree. The person specification itself is ``person_spec``'s.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from competences.models import Standard
from core.text import clean_text, one_line, xml_safe_copy
from roles.models import RoleProfile, bands_in
from roles.selectors import role_requirements_by_section

from .documents import add_bullets, add_table, fit_table, framework_citation, new_document
from .person_spec import HEADINGS, SpecCriterion, by_heading

IT_HAS = gettext_lazy("It has %(show_value)d.")


class PlainTextField(forms.CharField):
    """A single-line text field that drops control characters before checking length."""

    def to_python(self, value):
        return one_line(value or "")


class StatementField(forms.CharField):
    """A few lines of text: control characters dropped, line breaks kept, ends trimmed."""

    widget = forms.Textarea

    def to_python(self, value):
        return "\n".join(line.strip() for line in clean_text(value or "").splitlines()).strip()


def post_detail(label, help_text, too_long, *, initial="", most=120, kind=PlainTextField):
    """An optional text box about the post, such as the employer: one line, or with
    ``kind=StatementField`` a few lines."""
    return kind(
        label=label,
        help_text=help_text,
        required=False,
        max_length=most,
        initial=initial,
        error_messages={"max_length": format_lazy("{} {}", too_long, IT_HAS)},
    )


def statement(label, help_text, too_long, *, initial="", most=600) -> StatementField:
    return post_detail(label, help_text, too_long, initial=initial, most=most, kind=StatementField)


ADJUSTMENTS_DEFAULT = gettext_lazy(
    "We will make reasonable adjustments at every stage of applying and in the job itself. "
    "Tell us what would help you, at any time, and we will talk it through with you."
)
FLEXIBLE_DEFAULT = gettext_lazy(
    "We are open to flexible working, such as part-time hours, job sharing or changing "
    "when you work. Tell us what would suit you and we will look at it with you."
)


class JobDescriptionForm(forms.Form):
    """The builder's post details and the manager's own criteria. The person
    specification's choices (``choice-<key>``, ``assessed-<key>``) are read beside it by
    ``person_spec.apply_choices``, as their names depend on the role."""

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
        gettext_lazy("Base"),
        gettext_lazy("Where the post holder is based, such as a town or a police station."),
        gettext_lazy("The base must be %(limit_value)d characters or fewer."),
    )
    hours = post_detail(
        gettext_lazy("Hours"),
        gettext_lazy("Such as 37.5 hours a week, or 22.5 hours over 3 days."),
        gettext_lazy("The hours must be %(limit_value)d characters or fewer."),
        initial=gettext_lazy("37.5 hours a week"),
    )
    wte = forms.DecimalField(
        label=gettext_lazy("Whole-time equivalent"),
        help_text=gettext_lazy("1 for full time; 0.6 for three days a week."),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("1"),
        max_digits=4,
        decimal_places=2,
        initial=Decimal("1"),
        error_messages={
            "invalid": gettext_lazy("Enter the whole-time equivalent as a number, such as 0.8."),
            "min_value": gettext_lazy("The whole-time equivalent must be at least 0.1."),
            "max_value": gettext_lazy("The whole-time equivalent must be 1 or less."),
            "max_digits": gettext_lazy("Give the whole-time equivalent to 2 decimal places."),
            "max_decimal_places": gettext_lazy(
                "Give the whole-time equivalent to 2 decimal places."
            ),
        },
    )
    band = forms.ChoiceField(
        label=gettext_lazy("Agenda for Change band"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a band from the list.")},
    )
    reports_to = post_detail(
        gettext_lazy("Reports to"),
        gettext_lazy("The post holder’s line manager, by job title."),
        gettext_lazy("“Reports to” must be %(limit_value)d characters or fewer."),
    )
    accountable_to = post_detail(
        gettext_lazy("Accountable to"),
        gettext_lazy("Who the post holder answers to professionally, by job title."),
        gettext_lazy("“Accountable to” must be %(limit_value)d characters or fewer."),
    )
    contract = post_detail(
        gettext_lazy("Contract"),
        gettext_lazy("Such as permanent, fixed term for 12 months, or secondment."),
        gettext_lazy("The contract must be %(limit_value)d characters or fewer."),
        initial=gettext_lazy("Permanent"),
    )
    adjustments = statement(
        gettext_lazy("Reasonable adjustments statement"),
        gettext_lazy("How you support disabled applicants and staff."),
        gettext_lazy("The adjustments statement must be %(limit_value)d characters or fewer."),
        initial=ADJUSTMENTS_DEFAULT,
    )
    flexible = statement(
        gettext_lazy("Flexible working statement"),
        gettext_lazy("What flexibility the post can offer."),
        gettext_lazy("The flexible working statement must be %(limit_value)d characters or fewer."),
        initial=FLEXIBLE_DEFAULT,
    )
    own = statement(
        gettext_lazy("Criteria of your own (optional)"),
        gettext_lazy(
            "One per line. Start a line with “Desirable:” for a desirable one; the rest "
            "are essential."
        ),
        gettext_lazy("Your own criteria must be %(limit_value)d characters or fewer."),
        most=1500,
    )
    own_heading = forms.ChoiceField(
        label=gettext_lazy("Put them under"),
        choices=HEADINGS,
        required=False,
        initial="experience",
        error_messages={"invalid_choice": gettext_lazy("Choose a heading from the list.")},
    )
    appendix = forms.BooleanField(required=False)
    lived = forms.BooleanField(required=False)

    TEXT_FIELDS = ("employer", "service", "location", "hours", "reports_to", "accountable_to")
    STATEMENT_FIELDS = ("adjustments", "flexible")

    # Fields whose default stands when an address does not mention them at all (a link
    # such as ?employer=Trust), though a box sent empty is left empty.
    DEFAULTED = ("hours", "wte", "band", "contract", "adjustments", "flexible")

    def __init__(
        self,
        data=None,
        *args,
        bands: list[str],
        starting_band: str,
        offers_lived_route: bool,
        **kwargs,
    ):
        if data is not None:
            data = data.copy()
            initial = {
                "band": starting_band if starting_band in bands else "",
                **{
                    name: self.base_fields[name].initial
                    for name in self.DEFAULTED
                    if name != "band"
                },
            }
            for name in self.DEFAULTED:
                if name not in data:
                    data[name] = str(initial[name] or "")
        super().__init__(data, *args, **kwargs)
        self.fields["band"].choices = [("", _("Not given"))] + [(band, band) for band in bands]
        self.fields["band"].initial = starting_band if starting_band in bands else ""
        self.offers_lived_route = offers_lived_route

    def clean_lived(self) -> bool:
        return self.cleaned_data["lived"] and self.offers_lived_route

    def clean_own_heading(self) -> str:
        return self.cleaned_data["own_heading"] or "experience"

    def shown_value(self, name: str) -> str:
        """What a box shows: what was sent, without control characters, or the default."""
        if not self.is_bound:
            return str(self.fields[name].initial or "")
        field = self.fields[name]
        if isinstance(field, StatementField):
            return field.to_python(self.data.get(name, ""))
        return one_line(self.data.get(name, ""))

    def stripped_fields(self) -> list[str]:
        """Labels of the fields that had characters taken out."""
        if not self.is_bound:
            return []
        return [
            str(self.fields[name].label)
            for name in (*self.TEXT_FIELDS, "contract", *self.STATEMENT_FIELDS, "own")
            if clean_text(sent := self.data.get(name, "")) != sent
        ]

    def own_prose(self) -> str:
        """The manager's own sentences (statements and criteria), for reading ease."""
        data = self.cleaned_data
        parts = [data.get(name) or "" for name in (*self.STATEMENT_FIELDS, "own")]
        return "\n".join(part for part in parts if part)

    def own_words(self) -> str:
        """Everything the manager wrote themselves, post details too, for the checks."""
        data = self.cleaned_data
        details = [data.get(name) or "" for name in (*self.TEXT_FIELDS, "contract")]
        return "\n".join(part for part in [*details, self.own_prose()] if part)


@dataclass(frozen=True)
class Criterion:
    """A competence the post holder needs, as the appendix lists it.

    Its words are put together once, in the reader's language, with the rest: the page
    repeats them for every competence the role needs.
    """

    code: str
    title: str
    proficiency: str
    depth: int
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
        depth=item.proficiency,
        essential=item.is_essential,
        standards=standards,
        requirement=_("Essential") if item.is_essential else _("Desirable"),
        standards_text=", ".join(standards) if standards else _("None linked"),
        proficiency_needed=_("Proficiency needed: %(label)s") % {"label": proficiency},
    )


@dataclass(frozen=True)
class CriteriaSection:
    """A competence section and the role's competences within it, in tree order."""

    code: str
    title: str
    criteria: tuple[Criterion, ...]


def role_criteria(role: RoleProfile) -> list[CriteriaSection]:
    """Every competence the role needs, by section (3 queries).

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
            code=group.section.code,
            title=group.section.title,
            criteria=tuple(criterion(item) for item in group.requirements),
        )
        for group in sections
    ]


@dataclass
class JobDescription:
    """Everything the page and the Word document show, in the order they show it."""

    title: str
    details: list[tuple[str, str]]
    purpose: list[str]
    responsibilities: list[str]
    person_spec: list[tuple[str, list[SpecCriterion]]]
    adjustments: list[str]
    flexible: list[str]
    lived_experience: list[str]
    training: list[str]
    appendix: list[CriteriaSection]
    source: str
    address: str
    made_on: str

    @property
    def criteria(self) -> list[SpecCriterion]:
        return [item for _heading, items in self.person_spec for item in items]

    @property
    def essential(self) -> list[SpecCriterion]:
        return [item for item in self.criteria if item.essential]

    @property
    def desirable(self) -> list[SpecCriterion]:
        return [item for item in self.criteria if not item.essential]


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]


def starting_band(role: RoleProfile) -> str:
    """The lowest band of the profile's indicative band or range ("8c-8d" gives 8c)."""
    return next(iter(bands_in(role.band or "")), "")


def pay_text(band, wte) -> str:
    """The salary line for a band of the pay table, saying where it comes from."""
    table = band.table
    text = _(
        "%(salary)s a year for a full-time post (%(year)s Agenda for Change pay: %(source)s)"
    ) % {
        "salary": band.salary_text,
        "year": table.year,
        "source": table.source,
    }
    if wte is not None and wte < 1:
        text += _(", paid pro rata for %(wte)s whole-time equivalent") % {"wte": plain(wte)}
    if not band.confirmed:
        text += _("; not yet confirmed against the published pay scales, so check it there")
    return text + "."


def plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def build_job_description(
    role: RoleProfile,
    sections: list[CriteriaSection],
    criteria: list[SpecCriterion],
    *,
    choices: dict,
    pay_band,
    address: str,
    today: date,
) -> JobDescription:
    """The job description for ``role`` with the person specification ``criteria`` as the
    manager set them, and the cleaned post ``choices`` of the form.

    ``address`` is the role profile's absolute address, cited as the source.
    """
    details = [(_("Job title"), role.title)]
    for key, label in [
        ("employer", _("Employer")),
        ("service", _("Service or team")),
        ("location", _("Base")),
        ("hours", _("Hours")),
    ]:
        if choices.get(key):
            details.append((label, choices[key]))
    if choices.get("wte") is not None:
        details.append((_("Whole-time equivalent"), plain(choices["wte"])))
    if choices.get("band"):
        details.append(
            (
                _("Band"),
                _(
                    "Band %(band)s. The profile suggests band %(suggested)s as a starting "
                    "point; the band is set by job evaluation."
                )
                % {"band": choices["band"], "suggested": role.band},
            )
        )
        if pay_band is not None:
            details.append((_("Salary"), pay_text(pay_band, choices.get("wte"))))
    elif role.band:
        details.append(
            (
                _("Band"),
                _("To be set by job evaluation; the profile suggests band %(band)s.")
                % {"band": role.band},
            )
        )
    for key, label in [
        ("reports_to", _("Reports to")),
        ("accountable_to", _("Accountable to")),
        ("contract", _("Contract")),
    ]:
        if choices.get(key):
            details.append((label, choices[key]))
    details.append((_("Career framework level"), str(role.level)))
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
        person_spec=by_heading(criteria),
        adjustments=paragraphs(choices.get("adjustments") or ""),
        flexible=paragraphs(choices.get("flexible") or ""),
        lived_experience=lived,
        training=paragraphs(role.continuing_development),
        appendix=sections if choices.get("appendix") else [],
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


# Column widths in centimetres on A4 with 2 cm margins (17 cm of text).
DETAIL_WIDTHS = [4.5, 12.5]
SPEC_WIDTHS = [11, 2.6, 3.4]
APPENDIX_WIDTHS = [10, 2.6, 4.4]
TABLE_STYLE = "Light Grid Accent 1"


def plain_look(table) -> None:
    """The table style's header row, without its bold first column or banded rows."""
    properties = table._tbl.tblPr
    look = properties.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        properties.append(look)
    for name, value in (
        ("firstRow", "1"),
        ("lastRow", "0"),
        ("firstColumn", "0"),
        ("lastColumn", "0"),
        ("noHBand", "1"),
        ("noVBand", "1"),
    ):
        look.set(qn(f"w:{name}"), value)
    # The same as the older bit mask, which LibreOffice reads first: header row, no bands.
    look.set(qn("w:val"), "0620")


def small_text(table) -> None:
    """Table text at 10 point, as job packs set it, beside 11 point body text."""
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = TABLE_TEXT


TABLE_TEXT = Pt(10)


def job_description_document(job: JobDescription):
    # Text that slipped past the stored-text rule cannot stop the download.
    job = xml_safe_copy(job)
    """The Word document: the same headings, in the same order, as the printed page,
    in Word's own styles (Title, Heading 1 and 2, a table style whose header row
    repeats on every page)."""
    document = new_document(job.title, address=job.address)
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
    fit_table(details, DETAIL_WIDTHS)
    small_text(details)

    document.add_heading(_("Job purpose"), level=1)
    for text in job.purpose:
        document.add_paragraph(text)
    document.add_heading(_("Key responsibilities"), level=1)
    add_bullets(document, job.responsibilities)

    document.add_heading(_("Person specification"), level=1)
    # One table, each heading a full-width row of its own: the header row repeats on
    # every page, and the page is not spent on five headers.
    table = add_table(
        document, [_("Criterion"), _("Essential or desirable"), _("How assessed")], []
    )
    table.style = TABLE_STYLE
    plain_look(table)
    for heading, items in job.person_spec:
        if not items:
            continue
        cells = table.add_row().cells
        merged = cells[0].merge(cells[2])
        merged.paragraphs[0].add_run(str(heading)).bold = True
        for item in items:
            cells = table.add_row().cells
            for cell, text in zip(
                cells, [item.text, item.requirement, item.assessed_text], strict=True
            ):
                cell.text = text
    fit_table(table, SPEC_WIDTHS)
    small_text(table)

    document.add_heading(_("Reasonable adjustments"), level=1)
    for text in job.adjustments or [_("None given.")]:
        document.add_paragraph(text)
    document.add_heading(_("Flexible working"), level=1)
    for text in job.flexible or [_("None given.")]:
        document.add_paragraph(text)
    if job.lived_experience:
        document.add_heading(_("Lived experience of the justice system"), level=1)
        for text in job.lived_experience:
            document.add_paragraph(text)
    document.add_heading(_("Training and development"), level=1)
    for text in job.training:
        document.add_paragraph(text)

    if job.appendix:
        document.add_page_break()
        document.add_heading(_("Appendix: the competences this role needs"), level=1)
        document.add_paragraph(
            _(
                "Every competence in the role profile, with the proficiency it needs and "
                "the National Occupational Standards behind it. The person specification "
                "summarises them a section at a time."
            )
        )
        for group in job.appendix:
            document.add_heading(group.title, level=2)
            table = add_table(
                document,
                [_("Competence"), _("Essential or desirable"), _("Standards")],
                [
                    [criterion_cell(item), item.requirement, item.standards_text]
                    for item in group.criteria
                ],
                widths_cm=APPENDIX_WIDTHS,
            )
            table.style = TABLE_STYLE
            plain_look(table)
            small_text(table)

    run = document.add_paragraph().add_run(job.source)
    run.italic = True
    run.font.size = Pt(9)
    return document
