"""The robots file (``/robots.txt``): search engines may crawl the public pages and are
asked to leave the tools alone, and told where the sitemap is.

The tools' answers depend on what a person enters (self-assessment answers, roles to
compare, an employer's details, a skill mix, a team's gap files, a search), so they are
personal or endless, never pages worth finding; their private answers already say
``noindex`` (``core.privacy``). The admin is left alone too. Downloads, open data and
the CASE service may be fetched.

Rules are plain path prefixes, as the original robots convention (and Python's
``urllib.robotparser``) reads them, not the wildcards only some crawlers understand: the
job description builder sits under each role's own address, so it gets a line per role.
"""

from django.conf import settings

from core.addresses import address, item_address, public_address
from roles.models import RoleProfile

# The tools that live under a prefix of their own, whatever follows it.
TOOL_PREFIXES = [
    "/pathways/compare/",
    "/pathways/self-assessment/",
    "/pathways/skill-mix/",
    "/pathways/team/",
    "/search/",
]


def disallowed() -> list[str]:
    """Every path prefix search engines are asked not to crawl."""
    job_descriptions = [
        item_address("workforce:job-description", "slug", slug)
        for slug in RoleProfile.objects.order_by("slug").values_list("slug", flat=True)
    ]
    return [*TOOL_PREFIXES, *job_descriptions, "/" + settings.ADMIN_URL]


def robots_txt() -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed())]
    lines += ["", f"Sitemap: {public_address(address('framework:sitemap'))}"]
    return "\n".join(lines) + "\n"
