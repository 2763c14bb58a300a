"""The skill-mix planner's downloads: the plan as an Excel workbook and as a workforce
annex in Word, for a commissioner's service specification."""

from django.utils.translation import gettext as _

from core.spreadsheets import Sheet
from core.text import xml_safe

from .documents import add_bullets, add_source, add_table, header_widths_cm, new_document
from .skill_mix import Plan
from .skill_mix_choice import plain_number


def plan_sheets(plan: Plan) -> list[Sheet]:
    """The plan as tables: the mix, the level mix and every competence's coverage."""
    mix = Sheet(
        _("Skill mix"),
        [_("Role"), _("Role code"), _("Level"), _("Whole-time equivalents")],
        [
            [post.role.title, post.role.code, post.role.level.number, float(post.wte)]
            for post in plan.posts
        ],
    )
    levels = Sheet(
        _("Level mix"),
        [_("Level"), _("Level name"), _("Whole-time equivalents"), _("Share of the mix (%)")],
        [
            [share.level.number, share.level.name, float(share.wte), share.percent]
            for share in plan.levels
        ],
    )
    covered, uncovered, single = _("Covered"), _("Not covered"), _("Single post only")
    coverage = Sheet(
        _("Coverage"),
        [
            _("Section"),
            _("Competence code"),
            _("Competence"),
            _("Coverage"),
            _("Deepest proficiency (number)"),
            _("Deepest proficiency"),
            _("Roles in the mix that need it"),
        ],
        [
            [
                item.section_title,
                item.competence.code,
                item.competence.title,
                (single if item.single_post else covered) if item.covered else uncovered,
                item.deepest,
                item.depth_label,
                "; ".join(post.role.title for post in item.posts),
            ]
            for item in plan.competences
        ],
    )
    return [mix, levels, coverage]


def annex_document(plan: Plan, address: str):
    """The plan as a workforce annex for a service specification (python-docx)."""
    document = new_document(
        _("Workforce annex: %(area)s") % {"area": xml_safe(plan.area.name)}, address=address
    )
    document.add_paragraph(
        _(
            "A proposed skill mix for a %(area)s service, checked against the competences "
            "that the framework's role profiles for this service need. A competence is "
            "covered when at least one role in the mix needs it; it is covered by a single "
            "post only when just one role needs it and that role has 1 whole-time "
            "equivalent or less."
        )
        % {"area": xml_safe(plan.area.name)}
    )
    document.add_heading(_("Skill mix"), level=1)
    total = plain_number(plan.total_wte)
    if plan.chosen:
        _add_table(
            document,
            [_("Role"), _("Level"), _("Whole-time equivalents")],
            [
                [post.role.title, post.role.level.number, plain_number(post.wte)]
                for post in plan.chosen
            ]
            + [[_("Total"), "", total]],
            widths_cm=[9, 2.5, 5],
        )
    else:
        document.add_paragraph(_("The mix has no posts."))
    document.add_heading(_("Level mix"), level=1)
    _add_table(
        document,
        [_("Career framework level"), _("Whole-time equivalents"), _("Share of the mix")],
        [
            [
                f"{share.level.number}: {share.level.name}",
                plain_number(share.wte),
                f"{share.percent}%",
            ]
            for share in plan.levels
        ],
        widths_cm=[8.5, 4, 4],
    )
    document.add_heading(_("Coverage of the service's competences"), level=1)
    add_bullets(document, coverage_summary(plan))
    document.add_heading(_("Competences the mix does not cover"), level=2)
    if plan.uncovered:
        _add_table(
            document,
            [_("Section"), _("Code"), _("Competence")],
            [
                [item.section_title, item.competence.code, item.competence.title]
                for item in plan.uncovered
            ],
            widths_cm=[4.5, 2.5, 9.5],
        )
    else:
        document.add_paragraph(_("None: the mix covers every competence the service needs."))
    document.add_heading(_("Competences covered by a single post only"), level=2)
    if plan.single_post:
        _add_table(
            document,
            [_("Code"), _("Competence"), _("Only post"), _("Whole-time equivalents")],
            [
                [
                    item.competence.code,
                    item.competence.title,
                    item.posts[0].role.title,
                    plain_number(item.posts[0].wte),
                ]
                for item in plan.single_post
            ],
            widths_cm=[2.5, 6.4, 4.5, 3.1],
        )
    else:
        document.add_paragraph(_("None."))
    document.add_heading(_("Competences covered, and at what depth"), level=2)
    if plan.covered:
        _add_table(
            document,
            [_("Code"), _("Competence"), _("Deepest proficiency"), _("Roles that need it")],
            [
                [
                    item.competence.code,
                    item.competence.title,
                    item.depth_label,
                    str(len(item.posts)),
                ]
                for item in plan.covered
            ],
            widths_cm=[2.5, 8.4, 3.1, 2.5],
        )
    else:
        document.add_paragraph(_("None."))
    add_source(document, address)
    return document


def _add_table(document, header: list[str], rows: list[list], *, widths_cm: list[float]):
    """A table whose columns are each at least as wide as their heading's longest word,
    so that no heading breaks in the middle of a word."""
    return add_table(document, header, rows, widths_cm=header_widths_cm(header, widths_cm))


def coverage_summary(plan: Plan) -> list[str]:
    """The plan's headline numbers in sentences, for the page and the annex."""
    return [
        _("The service's roles need %(total)d competences.") % {"total": plan.total},
        _("The mix covers %(covered)d of them and leaves %(uncovered)d uncovered.")
        % {"covered": plan.covered_count, "uncovered": plan.uncovered_count},
        _("%(single)d are covered by a single post only.") % {"single": plan.single_post_count},
    ]
