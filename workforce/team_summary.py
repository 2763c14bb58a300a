"""A provider's anonymous summary of its team's training needs, for its commissioner.

The team training page makes it from the same gap files it reads for the page; the file's
shape and reader are ``pathways.provider_summary``, and the regional page
(``workforce.team_region``) puts several together.

Rules, stated on the page too:
- The service is the one the manager chooses. Left as "work it out from the team's
  roles", it is the one service that every role in the team belongs to; when there is
  not exactly one, the manager is asked to choose. The region is one of NHS England's
  seven, or not given.
- Counts only, whatever "Show exact numbers" says: the number of people in the team and
  each competence's number of people with it as a gap, each null when it is 1 or 2.
- A learning item's number of gaps (counted, as on the page, only for people whose level
  it suits) is given only when it is the sum of competence counts in the same file:
  every competence it counts has 3 or more people with the gap, all at levels it suits.
  Otherwise it is null, because subtracting the competence counts from it could give a
  count of 1 or 2 away (how many people have a gap, or how many of them are at the
  levels the item suits).
- No names, no file names and no roles: a role held by 1 or 2 people cannot be named
  beside its count because no role is named at all.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from core import versioning
from core.provenance import untranslated_status_statement
from core.spreadsheets import attachment
from pathways.forms import Problem
from pathways.gap_files import EarlierResult, GapFiles
from pathways.provider_summary import (
    ProviderSummary,
    SummaryGap,
    SummaryLearning,
    summary_json,
    suppressed,
)
from roles.models import Area, RoleProfile

from .team_needs import TeamLearning, TeamNeeds

SERVICE_ID = "team-service"


def summary_rule() -> str:
    return _(
        "The summary holds counts only: no names, no file names and no roles. Any count "
        "that comes from fewer than 3 people is left out as “fewer than 3”, even if you "
        "ask for exact numbers."
    )


def summary_service(choice: str, areas: list[Area], files: GapFiles) -> tuple[Area | None, list]:
    """The service a summary is for: the manager's ``choice`` (an area's slug) or, when
    blank, the one service every role in the team belongs to. Without one, a problem
    asks the manager to choose; one query when it is worked out."""
    by_slug = {area.slug: area for area in areas}
    if choice:
        return by_slug.get(choice), []
    slugs = {person.role_slug for person in files.people if person.role_slug}
    services: dict[str, set[str]] = {slug: set() for slug in slugs}
    for role, area in RoleProfile.areas.through.objects.filter(
        roleprofile__slug__in=list(slugs)
    ).values_list("roleprofile__slug", "area__slug"):
        services[role].add(area)
    shared = set.intersection(*services.values()) if services else set()
    if len(shared) == 1 and shared <= set(by_slug):
        return by_slug[shared.pop()], []
    if not slugs:
        message = _(
            "Nobody in the team has a gap, so the files do not say which service it works "
            "in. Choose the service this summary is for."
        )
    else:
        message = _(
            "Your team’s roles do not all belong to one service. Choose the service this "
            "summary is for."
        )
    return None, [Problem(message, SERVICE_ID)]


def _learning_gaps(
    entry: TeamLearning, people: list[EarlierResult], counts: dict[str, int], level_of
) -> int | None:
    """A learning item's gaps as the summary gives them: the sum of the people counts of
    the competences it addresses, or None unless every one of them is 3 or more and
    everyone with each gap is at a level it suits."""
    total = 0
    for competence in entry.competences:
        code = competence.code
        part = sum(
            1
            for person in people
            if code in person.gaps and entry.learning.suits(level_of[person.role_slug])
        )
        if suppressed(counts[code]) is None or part != counts[code]:
            return None
        total += part
    return total


def provider_summary(
    files: GapFiles, needs: TeamNeeds, *, service: Area, region: str | None
) -> ProviderSummary:
    """The summary of the team in ``files`` (already checked and counted as ``needs``),
    with every small count hidden whatever ``needs.exact`` says; no query of its own but
    the version row, which the request has already read."""
    counts = {gap.competence.code: gap.people.value for gap in needs.gaps}
    level_of = {slug: role.level.number for slug, role in files.roles.items()}
    in_order = sorted(needs.gaps, key=lambda gap: (gap.competence.tree_id, gap.competence.lft))
    return ProviderSummary(
        framework_version=versioning.current().number,
        made_on=timezone.localdate(),
        service_slug=service.slug,
        service_name=service.name,
        region=region or None,
        people=suppressed(needs.people),
        gaps=[
            SummaryGap(
                code=gap.competence.code,
                title=gap.competence.title,
                section=gap.section_title,
                people=suppressed(gap.people.value),
            )
            for gap in in_order
        ],
        learning=sorted(
            (
                SummaryLearning(
                    title=entry.learning.title,
                    gaps=_learning_gaps(entry, files.people, counts, level_of),
                )
                for entry in needs.learning
            ),
            key=lambda item: item.title,
        ),
    )


def summary_response(summary: ProviderSummary):
    """The summary as a download; its name says only the service and the day."""
    return attachment(
        summary_json(summary, status=untranslated_status_statement()),
        filename=f"provider-summary-{summary.service_slug}-{summary.made_on.isoformat()}.json",
        content_type="application/json",
    )
