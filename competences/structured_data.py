"""What search engines read about the competence tree and the standards (schema.org).

- The framework's competences are one ``DefinedTermSet``, identified by the address of
  the list of sections (``/competences/``), the page that is that set.
- Each node of the tree, section, subsection or statement, is a ``DefinedTerm`` in it,
  with its code as ``termCode``. A statement's courses are ``Course``s that teach it.
- A National Occupational Standard is a ``DefinedTerm`` in its suite (codes repeat
  across suites, so the suite is the set in which a code names one standard), with its
  page on the official site as ``sameAs``.

Learning other than courses is left out: schema.org's ``EducationalOccupationalCredential``
and ``EducationalOccupationalProgram`` describe who awards a qualification or runs an
apprenticeship, which the content does not record, and a training framework is neither
a course nor a credential.

Every address is on the site's public address (``settings.PUBLIC_URL``), never the Host
a request named, since pages are kept for everyone. Each builder reads only what its
page has already read, so the data adds no query.
"""

from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.addresses import address, public_address
from core.json_ld import plain, script

from .models import Competence, LearningKind, LearningOpportunity, Standard

# The page that lists the framework's competences, and so names their set.
COMPETENCES_PAGE = "competences:section-list"


def competence_set_id() -> str:
    """The identifier of the framework's competences as a set: the sections page."""
    return public_address(address(COMPETENCES_PAGE))


def competence_set(*, sections: list[Competence] = ()) -> dict:
    """The framework's competences as a ``DefinedTermSet``, naming ``sections`` (the
    top of the tree, or a page of it) among its terms."""
    set_id = competence_set_id()
    found = {
        "@type": "DefinedTermSet",
        "@id": set_id,
        "url": set_id,
        "name": _("Competences of the %(framework)s") % {"framework": settings.SERVICE_NAME},
        "description": _(
            "The framework's competence tree: sections, subsections and competence "
            "statements, each with a stable code."
        ),
    }
    if sections:
        found["hasDefinedTerm"] = [competence_term(section) for section in sections]
    return found


def competence_term(node: Competence) -> dict:
    """A node of the tree as a ``DefinedTerm`` in the framework's competences."""
    url = public_address(node.get_absolute_url())
    return {
        "@type": "DefinedTerm",
        "@id": url,
        "url": url,
        "termCode": node.code,
        "name": node.title,
        "inDefinedTermSet": {"@id": competence_set_id()},
    }


def section_list_data(sections: list[Competence]) -> SafeString:
    """The list of sections: the set of the framework's competences."""
    return script(competence_set(sections=sections))


def competence_data(node: Competence, learning: list[LearningOpportunity]) -> SafeString:
    """A node of the tree, and the courses among ``learning`` (what its page offers)
    that teach it."""
    term = competence_term(node)
    if node.description:
        term["description"] = plain(node.description)
    courses = [_course(item, term["@id"]) for item in learning if is_described_course(item)]
    return script({"@graph": [term, competence_set(), *courses]})


def is_described_course(item: LearningOpportunity) -> bool:
    """A course whose name, description and provider are known: what a ``Course`` needs
    to say what it is and who offers it."""
    return item.kind == LearningKind.COURSE and bool(item.description and item.provider)


def _course(item: LearningOpportunity, teaches: str) -> dict:
    course = {
        "@type": "Course",
        "name": item.title,
        "description": plain(item.description),
        "provider": {"@type": "Organization", "name": item.provider},
        "teaches": {"@id": teaches},
    }
    if item.url:
        course["url"] = item.url
    return course


def standard_data(standard: Standard) -> SafeString:
    """A National Occupational Standard as a ``DefinedTerm`` in its suite."""
    url = public_address(standard.get_absolute_url())
    term = {
        "@type": "DefinedTerm",
        "@id": url,
        "url": url,
        "termCode": standard.code,
        "name": standard.title,
        "inDefinedTermSet": {
            "@type": "DefinedTermSet",
            "name": _("National Occupational Standards: %(suite)s") % {"suite": standard.suite},
            "creator": {"@type": "Organization", "name": standard.organisation},
        },
    }
    if standard.has_official_page:
        term["sameAs"] = standard.url
    return script(term)
