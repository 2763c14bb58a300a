"""The workforce questions for a procurement (``procurement_questions``) as an Excel
workbook, for an evaluation panel to score answers in, and as an editable Word document
to copy into the commissioner's own procurement documents. Both hold the same questions
as the page, and say what they are as the page does."""

from django.utils.translation import gettext as _

from core.spreadsheets import Sheet
from core.text import xml_safe

from . import procurement_questions as pq
from .documents import add_bullets, add_source, add_table, header_widths_cm, new_document

BULLET = "• "


def about_rows() -> list[tuple[str, str]]:
    """What the question set is and where its key criteria come from, for the
    workbook's About sheet (after what every workbook says about itself)."""
    return [
        (_("What this is"), str(pq.WHAT_THIS_IS)),
        (_("Key criteria"), str(pq.PSR_CAUTION)),
        (_("The regulations"), pq.PSR_REGULATIONS_URL),
        (_("Statutory guidance"), pq.PSR_GUIDANCE_URL),
        (_("Consultation outcome"), pq.PSR_CONSULTATION_URL),
        (_("Health and justice commitments"), pq.HEALTH_AND_JUSTICE_URL),
    ]


def question_sheets(questions: pq.QuestionSet) -> list[Sheet]:
    """The questions, with empty columns for a panel's score and notes; the competences
    behind the question on thin cover; and the workforce measures."""
    guide = pq.scoring_guide()
    rows = [
        [
            question.id,
            question.topic,
            question.text,
            question.criterion_label,
            "\n".join(BULLET + point for point in question.good_answer),
            guide,
            "",
            "",
        ]
        for question in questions.questions
    ]
    sheets = [
        Sheet(
            _("Questions"),
            [
                _("Question"),
                _("Topic"),
                _("Question text"),
                _("Key criterion"),
                _("What a good answer shows"),
                _("Scoring guide"),
                _("Panel score (0 to 4)"),
                _("Panel notes: why this score"),
            ],
            rows,
            frozen_columns=1,
        )
    ]
    if questions.gaps:
        sheets.append(
            Sheet(
                _("Thin cover (%(question)s)") % {"question": questions.thin_cover_question.id},
                [_("Section"), _("Competence code"), _("Competence"), _("Cover in the mix")],
                [[gap.section, gap.code, gap.title, gap.cover] for gap in questions.gaps],
            )
        )
    sheets.append(
        Sheet(
            _("Measures"),
            [_("Measure"), _("Name"), _("How it is counted"), _("Evidence for")],
            [
                [measure.id, measure.name, measure.counted, ", ".join(measure.questions)]
                for measure in questions.measures
            ],
            frozen_columns=1,
        )
    )
    return sheets


def question_document(questions: pq.QuestionSet, address: str):
    """The question set as an editable Word document (python-docx)."""
    area = xml_safe(questions.area_name)
    document = new_document(_("Workforce questions: %(area)s") % {"area": area}, address=address)
    document.add_paragraph(
        _(
            "Questions to ask providers about the workforce of a %(area)s service, in a "
            "procurement or a contract review, with what a good answer shows and how to "
            "score it. They are made from a planned skill mix and the framework's role "
            "profiles."
        )
        % {"area": area}
    )
    document.add_heading(_("What this is"), level=1)
    document.add_paragraph(xml_safe(str(pq.WHAT_THIS_IS)))
    document.add_paragraph(xml_safe(str(pq.PSR_CAUTION)))
    add_bullets(
        document,
        [
            _("The regulations: %(url)s") % {"url": pq.PSR_REGULATIONS_URL},
            _("NHS England's statutory guidance: %(url)s") % {"url": pq.PSR_GUIDANCE_URL},
        ],
    )

    document.add_heading(_("The planned mix"), level=1)
    _add_table(
        document,
        [_("Role"), _("Level"), _("Whole-time equivalents")],
        [[post.role.title, post.role.level.number, post.wte_text] for post in questions.posts]
        + [[_("Total"), "", questions.total_text]],
        widths_cm=[10, 2.5, 4],
    )

    document.add_heading(_("Questions"), level=1)
    document.add_paragraph(
        _("Score each answer from 0 to 4 on the scale under Scoring, after the questions.")
    )
    for question in questions.questions:
        document.add_heading(f"{question.id}. {xml_safe(question.topic)}", level=2)
        document.add_paragraph(xml_safe(question.text))
        criterion = document.add_paragraph()
        criterion.add_run(_("Key criterion: ")).bold = True
        criterion.add_run(xml_safe(question.criterion_label))
        document.add_paragraph().add_run(_("What a good answer shows")).bold = True
        add_bullets(document, question.good_answer)
        if question.key == "thin-cover" and questions.gaps:
            document.add_paragraph().add_run(_("The competences behind this question")).bold = True
            _add_table(
                document,
                [_("Section"), _("Code"), _("Competence"), _("Cover in the mix")],
                [[gap.section, gap.code, gap.title, gap.cover] for gap in questions.gaps],
                widths_cm=[3.5, 2.1, 6.7, 4.2],
            )

    document.add_heading(_("Scoring"), level=1)
    _add_table(
        document,
        [_("Score"), _("Band"), _("What it means")],
        [[score, band, meaning] for score, band, meaning in pq.scale()],
        widths_cm=[2, 3, 11.5],
    )

    document.add_heading(_("Workforce measures"), level=1)
    document.add_paragraph(
        _("Figures the provider could report during the contract, and how each is counted.")
    )
    _add_table(
        document,
        [_("Measure"), _("How it is counted"), _("Evidence for")],
        [
            [f"{measure.id}. {measure.name}", measure.counted, ", ".join(measure.questions)]
            for measure in questions.measures
        ],
        widths_cm=[4.2, 9.3, 3],
    )

    document.add_heading(_("Sources"), level=1)
    add_bullets(
        document,
        [
            _("The Health Care Services (Provider Selection Regime) Regulations 2023: %(url)s")
            % {"url": pq.PSR_REGULATIONS_URL},
            _("The Provider Selection Regime: statutory guidance (NHS England): %(url)s")
            % {"url": pq.PSR_GUIDANCE_URL},
            _("The key criteria as consulted on (Department of Health and Social Care): %(url)s")
            % {"url": pq.PSR_CONSULTATION_URL},
            _("Health and justice commissioning and its 12 commitments (NHS England): %(url)s")
            % {"url": pq.HEALTH_AND_JUSTICE_URL},
            pq.REGULATION_18,
        ],
    )
    add_source(document, address)
    return document


def _add_table(document, header: list[str], rows: list[list], *, widths_cm: list[float]):
    return add_table(document, header, rows, widths_cm=header_widths_cm(header, widths_cm))
