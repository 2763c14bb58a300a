"""The regional page's tables as an Excel workbook: the same figures as the page, each a
number or a blank with what the page says beside it, and where it comes from in numbers
of its own, after a summary sheet that states the page's rules."""

from django.utils.translation import gettext as _

from core.spreadsheets import Sheet

from .team_region import (
    RegionalCount,
    TeamRegion,
    duplicates_rule,
    region_caution,
    sources_rule,
    suppression_rule,
)
from .team_region_files import RegionFiles


def _count_columns(heading: str) -> list[str]:
    return [
        heading,
        _("%(heading)s: count not shown") % {"heading": heading},
        _("Providers whose numbers it adds up"),
        _("People in those providers’ teams"),
        _("Numbers not included"),
        _("Providers those come from"),
    ]


def _count_cells(count: RegionalCount) -> list:
    return [
        count.cell,
        count.note,
        count.providers,
        count.people,
        count.not_given,
        count.not_given_providers,
    ]


def region_sheets(region: TeamRegion, files: RegionFiles) -> list[Sheet]:
    """The page's tables as spreadsheet sheets, in the page's order, after a summary.
    A figure is a number, or blank with what the page says in the column beside it;
    where it comes from is in numbers of its own."""
    about = Sheet(
        title=_("Summary"),
        header=[_("What"), _("Detail")],
        rows=[
            [_("Summaries read"), region.providers],
            [_("People in the providers’ teams"), region.people.cell],
            [_("People: count not shown"), region.people.note],
            [_("Providers with fewer than 3 people"), region.people.not_given],
            [_("Regions"), "; ".join(f"{name} ({count})" for name, count in region.regions)],
            [_("Services"), "; ".join(f"{name} ({count})" for name, count in region.services)],
            [_("Made between"), f"{region.first_made} – {region.last_made}"],
            [_("Framework versions"), region.versions_text],
            [_("Files not used"), len(files.refused)],
            [_("Files counted once"), len(files.repeated)],
            [_("Where the figures come from"), sources_rule()],
            [_("Small numbers"), suppression_rule()],
            [_("Regions: check first"), region_caution()],
            [_("Same file twice"), duplicates_rule()],
        ],
    )
    sections = Sheet(
        title=_("By section"),
        header=[_("Section"), *_count_columns(_("Gaps in the section"))],
        rows=[[row.title, *_count_cells(row.gaps)] for row in region.sections],
    )
    competences = Sheet(
        title=_("By competence"),
        header=[
            _("Code"),
            _("Competence"),
            _("Section"),
            *_count_columns(_("People with this gap")),
        ],
        rows=[
            [row.code, row.title, row.section, *_count_cells(row.people)]
            for row in region.competences
        ],
    )
    learning = Sheet(
        title=_("Learning"),
        header=[_("Learning"), _("Kind"), *_count_columns(_("Gaps it addresses"))],
        rows=[
            [
                row.title,
                row.learning.get_kind_display()
                if row.learning
                else _("No longer in the framework"),
                *_count_cells(row.gaps),
            ]
            for row in region.learning
        ],
    )
    sheets = [about, sections, competences, learning]
    if files.refused or files.repeated:
        sheets.append(
            Sheet(
                title=_("Files not counted"),
                header=[_("What happened")],
                rows=[[problem.message] for problem in files.refused]
                + [[message] for message in files.repeated],
            )
        )
    return sheets
