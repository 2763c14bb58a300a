"""The sitemap (``/sitemap.xml``): every public page once, with when it last changed.

Made with ``django.contrib.sitemaps``, one section per kind of page. Addresses are on
the site's public address (``settings.PUBLIC_URL``), never on the Host a request named:
the sitemap is kept in the page cache for everyone.

``lastmod`` comes from the content's history (django-simple-history), read in one
query per kind, each row with the latest record about it as a subquery:

- a role: its own record, its requirements' and its moves' (in or out), all of which
  its page shows;
- a competence: its own record and those of the requirements that name it;
- a standard, an area, a level: its own record;
- a day of the change log: that day.

Pages that list or sum up the framework (the overview, the lists, the career map, an
area's workforce, the change log, the open data, About, the ways in) carry the day of
the framework's last change; pages whose words are in the code, not the content
(accessibility, proficiency), carry none.

Left out: the tools whose answers depend on what a person enters (self-assessment,
compare, job description, skill mix, team needs) and search, which the robots file asks
search engines to leave alone (``robots.py``), the admin, and what is not a page
(downloads, the CASE service, the health check). Later pages of a paginated list are
reached from its first page.
"""

import datetime
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.urls import NoReverseMatch
from django.utils import timezone

from competences.models import Competence, Standard
from core import versioning
from core.addresses import address, item_address
from pathways.models import Progression
from roles.models import Area, Level, RoleCompetence, RoleProfile

from .changes import days_with_changes

# Pages named by URL name, and whether each carries the framework's last change. A
# name not routed (yet) is left out, so pages being built elsewhere appear once merged.
NAMED_PAGES = [
    ("framework:home", True),
    ("roles:role-list", True),
    ("competences:section-list", True),
    ("competences:standard-list", True),
    ("pathways:map", True),
    ("framework:changes", True),
    ("interchange:export-list", True),
    ("roles:about", True),
    ("roles:accessibility", False),
    ("roles:proficiency", False),
    ("ways_in:start", True),
    ("ways_in:lived-experience", True),
]


class PublicSitemap(Sitemap):
    """A section whose items are (path, day it last changed or None) pairs, written on
    the site's public address."""

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.PUBLIC_URL).scheme

    def get_domain(self, site=None) -> str:
        public = urlsplit(settings.PUBLIC_URL)
        return public.netloc + public.path

    def items(self) -> list[tuple[str, datetime.date | None]]:
        return self.entries

    @cached_property
    def entries(self) -> list[tuple[str, datetime.date | None]]:
        raise NotImplementedError

    def location(self, item) -> str:
        return item[0]

    def lastmod(self, item) -> datetime.date | None:
        return item[1]


def _latest_record(model, via: str = "id") -> Subquery:
    """The time of the latest record in ``model``'s history whose ``via`` is the outer
    row (``id``: the row's own records)."""
    history = model.history.model
    return Subquery(
        history.objects.filter(**{via: OuterRef("pk")})
        .order_by()
        .values(via)
        .annotate(latest=Max("history_date"))
        .values("latest")
    )


def _day(*moments) -> datetime.date | None:
    """The local day of the latest of ``moments`` (None for those without records)."""
    known = [moment for moment in moments if moment is not None]
    return timezone.localdate(max(known)) if known else None


class NamedPages(PublicSitemap):
    @cached_property
    def entries(self):
        last_change = versioning.current().last_changed
        found = []
        for name, dated in NAMED_PAGES:
            try:
                found.append((address(name), last_change if dated else None))
            except NoReverseMatch:
                continue
        return found


class Areas(PublicSitemap):
    """Each area's page, and its workforce view (worked out from every role in it)."""

    @cached_property
    def entries(self):
        last_change = versioning.current().last_changed
        found = []
        rows = Area.objects.annotate(changed=_latest_record(Area)).values_list("slug", "changed")
        for slug, changed in rows:
            found.append((item_address("roles:area-detail", "slug", slug), _day(changed)))
            found.append((item_address("workforce:area-workforce", "slug", slug), last_change))
        return found


class Levels(PublicSitemap):
    @cached_property
    def entries(self):
        rows = Level.objects.annotate(changed=_latest_record(Level)).values_list(
            "number", "changed"
        )
        return [
            (item_address("roles:level-detail", "number", number), _day(changed))
            for number, changed in rows
        ]


class Roles(PublicSitemap):
    @cached_property
    def entries(self):
        # Named apart from the role's fields and relations (``moves_out`` is one).
        rows = RoleProfile.objects.annotate(
            changed=_latest_record(RoleProfile),
            requirement_changed=_latest_record(RoleCompetence, "role_id"),
            move_out_changed=_latest_record(Progression, "from_role_id"),
            move_in_changed=_latest_record(Progression, "to_role_id"),
        ).values_list(
            "slug", "changed", "requirement_changed", "move_out_changed", "move_in_changed"
        )
        return [
            (item_address("framework:role-detail", "slug", slug), _day(*moments))
            for slug, *moments in rows
        ]


class Competences(PublicSitemap):
    @cached_property
    def entries(self):
        rows = Competence.objects.annotate(
            changed=_latest_record(Competence),
            requirement_changed=_latest_record(RoleCompetence, "competence_id"),
        ).values_list("code", "changed", "requirement_changed")
        return [
            (item_address("framework:competence-detail", "code", code), _day(*moments))
            for code, *moments in rows
        ]


class Standards(PublicSitemap):
    @cached_property
    def entries(self):
        rows = Standard.objects.annotate(changed=_latest_record(Standard)).values_list(
            "reference", "changed"
        )
        return [
            (item_address("framework:standard-detail", "code", reference), _day(changed))
            for reference, changed in rows
        ]


class ChangeDays(PublicSitemap):
    @cached_property
    def entries(self):
        return [
            (item_address("framework:changes-on-day", "day", day.isoformat()), day)
            for day in days_with_changes(before=None, limit=Sitemap.limit)
        ]


SECTIONS = {
    "pages": NamedPages,
    "areas": Areas,
    "levels": Levels,
    "roles": Roles,
    "competences": Competences,
    "standards": Standards,
    "changes": ChangeDays,
}
