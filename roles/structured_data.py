"""What search engines read about a role profile: a schema.org ``Occupation``.

It names the role's purpose, responsibilities and typical job titles, the education,
registration and experience its person specification asks for as essential, its career
framework level and each Agenda for Change band its indicative band covers (as
categories, never as pay: the site states no salary), the country it is described for,
and as ``skills`` one ``DefinedTerm`` for each competence it needs, in the framework's
competences (``competences.structured_data``). Built from the requirements the page
already reads, so it adds no query.
"""

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from competences.structured_data import competence_set, competence_term
from core.addresses import public_address
from core.json_ld import plain, script

from .models import RoleProfile, bands_in
from .selectors import SectionRequirements

# The country the profiles describe roles in (schema.org's occupationLocation).
COUNTRY = "England"


def role_data(role: RoleProfile, sections: list[SectionRequirements]) -> SafeString:
    """``role`` as an ``Occupation``, with a skill for each competence it needs
    (``sections``: its requirements grouped by section, as its page shows them)."""
    url = public_address(role.get_absolute_url())
    occupation = {
        "@type": "Occupation",
        "@id": url,
        "url": url,
        "name": role.title,
        "identifier": role.code,
        "description": plain(role.purpose),
        "responsibilities": role.responsibility_list,
        "occupationalCategory": _categories(role),
        "occupationLocation": {"@type": "Country", "name": COUNTRY},
        "skills": [
            competence_term(requirement.competence)
            for group in sections
            for requirement in group.requirements
        ],
    }
    if role.job_title_list:
        occupation["alternateName"] = role.job_title_list
    # Desirable lines are not requirements.
    education = [text for text, essential in role.qualification_criteria if essential]
    if education:
        occupation["educationRequirements"] = education
    if role.registration:
        occupation["qualifications"] = role.registration
    experience = [text for text, essential in role.experience_criteria if essential]
    if experience:
        occupation["experienceRequirements"] = experience
    return script({"@graph": [occupation, competence_set()]})


def _categories(role: RoleProfile) -> list[dict]:
    """The role's career framework level, and each band its indicative band covers, as
    codes in their code sets: schema.org asks for the property once per category."""
    level = role.level
    categories = [
        {
            "@type": "CategoryCode",
            "codeValue": str(level.number),
            "name": str(level),
            "url": public_address(level.get_absolute_url()),
            "inCodeSet": {
                "@type": "CategoryCodeSet",
                "name": _("Skills for Health Career Framework levels"),
            },
        }
    ]
    for band in bands_in(role.band):
        categories.append(
            {
                "@type": "CategoryCode",
                "codeValue": band,
                "name": _("Agenda for Change band %(band)s (indicative)") % {"band": band},
                "inCodeSet": {
                    "@type": "CategoryCodeSet",
                    "name": _("NHS Agenda for Change pay bands"),
                },
            }
        )
    return categories
