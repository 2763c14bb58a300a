"""Training needs across a region, from the anonymous summaries providers make on the
team training page (``pathways.provider_summary``).

A commissioner uploads several providers' summary files and sees the training needs by
section and by competence, the learning that would address the most gaps, and how many
providers and people each figure comes from. The files are read in memory for one
response; nothing is stored or logged.

Rules, stated on the page too:
- Each file is one provider team's summary for one service. Files from any region and
  service are added together, and the page says which regions and services they came
  from (and warns when there is more than one region, or a file does not say).
- A figure is the sum of the numbers the files give. A file's "fewer than 3" (null) is
  1 or 2, and which is not known, so it is never added in: it is counted beside the
  figure instead ("not included: 2 providers with fewer than 3").
- A figure that comes from fewer than 3 people is never shown as a number. Every number
  a file gives comes from 3 or more people (the schema refuses less), so this is a
  figure no file gives a number for: it shows as "not shown". Only numbers the files
  give are added, so no figure holds a hidden count that subtracting could give away.
- Beside each figure: how many providers' numbers it adds up, and how many people those
  providers' teams have in all.
- A section's figure is the number of gaps in its competences: a person with gaps in
  two of them counts twice. Competences and sections are today's framework's; a code it
  no longer has keeps the title and section its newest file gave.
- A file with exactly the same bytes as one already read is counted once, and named.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competences.models import Competence, LearningOpportunity
from pathways.provider_summary import (
    SUPPRESS_BELOW,
    ProviderSummary,
    Region,
    region_name,
)
from roles.selectors import sections_by_tree

FILES_FIELD = "files"


class TeamRegionForm(forms.Form):
    """The choice beside the uploaded files: the page or the Excel workbook."""

    format = forms.ChoiceField(choices=[("page", "page"), ("xlsx", "xlsx")], required=False)


def suppression_rule() -> str:
    return _(
        "Providers’ summaries never give a count of 1 or 2 people: they say “fewer than 3” "
        "instead. Each figure here adds up the numbers the summaries do give, and says "
        "beside it how many “fewer than 3” it leaves out, since each is 1 or 2 and nobody "
        "can tell which. A figure that comes from fewer than 3 people is never shown as a "
        "number: where no summary gives a number, it says “not shown”."
    )


def sources_rule() -> str:
    return _(
        "The figures come only from the summaries you upload. They are not a survey of "
        "the region: providers who sent no summary, and staff who did not check "
        "themselves against their role, are not in them."
    )


def region_caution() -> str:
    return _(
        "Each summary names the NHS England region its provider chose, or none. Health "
        "and justice services may be commissioned in groupings that differ from the seven "
        "regions, so check how your commissioning is arranged before you read these "
        "figures as a region’s."
    )


def duplicates_rule() -> str:
    return _(
        "Each file is one provider team’s summary for one service. A file that is exactly "
        "the same as one already read is the same summary chosen twice, so it is counted "
        "once."
    )


# --- Counting ------------------------------------------------------------------------

PEOPLE, GAPS, LEARNING, TEAM = "people", "gaps", "learning", "team"


@dataclass(frozen=True)
class RegionalCount:
    """A figure added up from the providers' files.

    ``value``: the sum of the numbers the files give; ``providers``: how many files'
    numbers that is, and ``people`` how many people their teams have in all;
    ``not_given``: numbers the files do not give (each 1 or 2 for counts of people),
    from ``not_given_providers`` files. ``kind`` says what is counted, for the words:
    people with a gap (``PEOPLE``), gaps in a section (``GAPS``), gaps a learning item
    addresses (``LEARNING``) or people in the teams (``TEAM``)."""

    kind: str
    value: int = 0
    providers: int = 0
    people: int = 0
    not_given: int = 0
    not_given_providers: int = 0

    @property
    def suppressed(self) -> bool:
        # A number a file gives is 3 or more, so a sum with one in it comes from 3 or
        # more people, and one with none in it comes from fewer or from nobody known.
        return self.providers == 0 or self.value < SUPPRESS_BELOW

    @property
    def text(self) -> str:
        return _("not shown") if self.suppressed else str(self.value)

    @property
    def cell(self) -> int | None:
        """The number for a spreadsheet's count column, blank when it is not shown."""
        return None if self.suppressed else self.value

    @property
    def note(self) -> str | None:
        return self.text if self.suppressed else None

    @property
    def sort_key(self) -> int:
        return 0 if self.suppressed else self.value

    @property
    def counted_from(self) -> str:
        """Whose numbers the figure adds up, or "" when no file gives one."""
        if not self.providers:
            return ""
        if self.kind == TEAM:
            return ngettext(
                "From 1 provider’s summary.",
                "From %(count)d providers’ summaries.",
                self.providers,
            ) % {"count": self.providers}
        return ngettext(
            "From 1 provider, with %(people)d people in its team.",
            "From %(count)d providers, with %(people)d people in their teams.",
            self.providers,
        ) % {"count": self.providers, "people": self.people}

    @property
    def left_out(self) -> str:
        """What the figure leaves out, or ""."""
        if not self.not_given:
            return ""
        values = {"count": self.not_given, "providers": self.not_given_providers}
        if self.kind == GAPS:
            counts = (
                ngettext(
                    "1 count of fewer than 3", "%(count)d counts of fewer than 3", self.not_given
                )
                % values
            )
            return ngettext(
                "Not included: %(counts)s, from 1 provider.",
                "Not included: %(counts)s, from %(providers)d providers.",
                self.not_given_providers,
            ) % {**values, "counts": counts}
        if self.kind == LEARNING:
            return (
                ngettext(
                    "Not included: 1 provider whose summary does not give this number.",
                    "Not included: %(count)d providers whose summaries do not give this number.",
                    self.not_given,
                )
                % values
            )
        if self.kind == TEAM:
            return (
                ngettext(
                    "Not included: 1 provider with fewer than 3 people.",
                    "Not included: %(count)d providers with fewer than 3 people each.",
                    self.not_given,
                )
                % values
            )
        return (
            ngettext(
                "Not included: 1 provider with fewer than 3.",
                "Not included: %(count)d providers with fewer than 3 each.",
                self.not_given,
            )
            % values
        )

    @property
    def source(self) -> str:
        """Where the figure comes from, in one or two sentences."""
        return " ".join(part for part in (self.counted_from, self.left_out) if part)


def _add_up(kind: str, parts: list[tuple[int, int | None]], team: list[int | None]):
    """A ``RegionalCount`` of ``parts``: (provider's index, number or None) pairs, a
    provider appearing once or, for a section, once for each of its competences.
    ``team`` holds each provider's number of people (None: fewer than 3)."""
    known = {provider for provider, value in parts if value is not None}
    unknown = {provider for provider, value in parts if value is None}
    return RegionalCount(
        kind=kind,
        value=sum(value for _provider, value in parts if value is not None),
        providers=len(known),
        people=sum(team[provider] or 0 for provider in known),
        not_given=sum(1 for _provider, value in parts if value is None),
        not_given_providers=len(unknown),
    )


@dataclass
class CompetenceRow:
    code: str
    title: str
    section: str
    url: str
    people: RegionalCount


@dataclass
class SectionRow:
    title: str
    gaps: RegionalCount


@dataclass
class LearningRow:
    title: str
    learning: LearningOpportunity | None  # None: no longer in the framework
    gaps: RegionalCount


@dataclass
class TeamRegion:
    providers: int
    people: RegionalCount
    regions: list[tuple[str, int]]
    services: list[tuple[str, int]]
    first_made: str
    last_made: str
    versions: tuple[int, int]
    sections: list[SectionRow]
    competences: list[CompetenceRow]
    learning: list[LearningRow]

    @property
    def mixed_regions(self) -> bool:
        return len(self.regions) > 1

    @property
    def versions_text(self) -> str:
        low, high = self.versions
        return str(low) if low == high else _("%(low)d to %(high)d") % {"low": low, "high": high}


def team_region(summaries: list[ProviderSummary]) -> TeamRegion:
    """The summaries added up; three queries however many files there are."""
    team = [summary.people for summary in summaries]
    by_code: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    by_title: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    # A code's title and section from its newest file (the first such file on a tie),
    # for codes today's framework no longer has.
    described: dict[str, tuple] = {}
    for provider, summary in enumerate(summaries):
        for gap in summary.gaps:
            by_code[gap.code].append((provider, gap.people))
            candidate = (-summary.made_on.toordinal(), provider, gap.title, gap.section)
            described[gap.code] = min(described.get(gap.code, candidate), candidate)
        for item in summary.learning:
            by_title[item.title].append((provider, item.gaps))

    sections = sections_by_tree()
    known = {
        competence.code: competence
        for competence in Competence.objects.filter(code__in=list(by_code)).only(
            "code", "title", "tree_id", "lft", "kind", "level", "rght", "parent"
        )
    }
    rows = []
    for code, parts in by_code.items():
        competence = known.get(code)
        if competence is not None:
            section = sections[competence.tree_id]
            place = (0, competence.tree_id, competence.lft, "")
            title, section_title = competence.title, section.title
            url = competence.get_absolute_url()
        else:
            _newest, _provider, title, section_title = described[code]
            place, url = (1, 0, 0, code), ""
        people = _add_up(PEOPLE, parts, team)
        rows.append((place, CompetenceRow(code, title, section_title, url, people)))
    rows.sort(key=lambda pair: pair[0])

    section_parts: dict[str, list] = defaultdict(list)
    section_place: dict[str, tuple] = {}
    for place, row in rows:
        section_parts[row.section] += by_code[row.code]
        section_place.setdefault(row.section, (place[0], place[1], row.section))
    section_rows = [
        SectionRow(title, _add_up(GAPS, section_parts[title], team))
        for title in sorted(section_parts, key=lambda title: section_place[title])
    ]
    competences = [row for _place, row in rows]
    # sorted() keeps the framework's order among equals.
    competences.sort(key=lambda row: -row.people.sort_key)

    items = {
        item.title: item for item in LearningOpportunity.objects.filter(title__in=list(by_title))
    }
    learning = [
        LearningRow(title, items.get(title), _add_up(LEARNING, parts, team))
        for title, parts in by_title.items()
    ]
    learning.sort(key=lambda row: (-row.gaps.sort_key, row.title))

    return TeamRegion(
        providers=len(summaries),
        people=_add_up(TEAM, list(enumerate(team)), team),
        regions=_regions(summaries),
        services=_services(summaries),
        first_made=date_format(min(summary.made_on for summary in summaries), "j F Y"),
        last_made=date_format(max(summary.made_on for summary in summaries), "j F Y"),
        versions=(
            min(summary.framework_version for summary in summaries),
            max(summary.framework_version for summary in summaries),
        ),
        sections=section_rows,
        competences=competences,
        learning=learning,
    )


def _regions(summaries: list[ProviderSummary]) -> list[tuple[str, int]]:
    """(region's name, number of files) in the regions' order, "not given" last."""
    counts = Counter(summary.region for summary in summaries)
    order = [*Region.values, None]
    return [(region_name(region), counts[region]) for region in order if counts[region]]


def _services(summaries: list[ProviderSummary]) -> list[tuple[str, int]]:
    """(service's name, number of files), by name; a service's name from its newest file."""
    counts = Counter(summary.service_slug for summary in summaries)
    names = {}
    for summary in sorted(summaries, key=lambda summary: summary.made_on):
        names[summary.service_slug] = summary.service_name
    return sorted(
        ((names[slug], count) for slug, count in counts.items()), key=lambda pair: pair[0]
    )
