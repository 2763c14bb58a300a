"""Inclusive-recruitment checks on a job description, shown beside its preview.

They advise and never block: a manager may have good reason for what a check flags.
Each names the guidance it rests on. Most read only the manager's own words (their
criteria and statements, not the profile's), as those are what the profile's editors
have not already checked.
"""

import re
from dataclasses import dataclass

import textstat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import person_spec

# Sources, on their owners' sites.
NHS_EMPLOYERS_JOB_DESCRIPTIONS = (
    "NHS Employers: writing successful job descriptions",
    "https://www.nhsemployers.org/articles/writing-successful-job-descriptions",
)
NHS_JOBS_CRITERIA = (
    "NHS Jobs help: essential and desirable criteria",
    "https://faq.nhsbsa.nhs.uk/knowledgebase/article/KA-25715/en-us",
)
GLA_TOOLKIT = (
    "Greater London Authority: inclusive employer toolkit for NHS trusts",
    "https://www.london.gov.uk/programmes-strategies/communities-and-social-justice/"
    "workforce-integration-network-win/inclusive-employer-toolkits/healthcare/nhs-trusts/"
    "engagement-and-recruitment",
)
NHS_PROVIDERS_RACE_EQUALITY = (
    "NHS Providers: job descriptions and advertising (race equality resource)",
    "https://nhsproviders.org/race-equality-what-works-resource/job-descriptions-and-advertising",
)
NHS_EMPLOYERS_JARGON = (
    "NHS Employers: let's look outside of the NHS",
    "http://nhsemployers.org/blog/2016/09/lets-look-outside-of-the-nhs",
)
TC_HANDBOOK_31 = (
    "NHS Terms and Conditions of Service Handbook, section 31",
    "https://www.nhsemployers.org/tchandbook/part-5-equal-opportunities/"
    "section-31-recruitment-promotion-and-staff-development",
)

# Essential criteria are what every applicant must have (NHS Jobs), and essential lists
# should be short (GLA toolkit): the builder's defaults stop at this many.
ESSENTIAL_MOST = person_spec.ESSENTIAL_MOST
# Flesch reading ease: 60 and above is plain English; below 50 is "fairly difficult"
# to "very difficult", college-level reading. Only text of this many words is scored.
READING_EASE_LEAST = 50
READING_WORDS_LEAST = 20

YEARS = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s*\+?\s*(or more\s+)?"
    r"years?[’']?\s+(of\s+)?(\w+\s+){0,3}?(experience|post[- ]?qualification|working)"
    r"|\b(minimum|at least)\s+(of\s+)?(\d+|one|two|three|four|five)\s+years?",
    re.IGNORECASE,
)
DEGREE = re.compile(r"\b([Dd]egree|[Bb]achelor['’]?s?|BSc|BA|[Mm]aster['’]?s|MSc|MA)\b")
ACRONYM = re.compile(r"\b[A-Z][A-Z&]{1,5}s?\b")
# Abbreviations any reader of an NHS job advert knows.
WELL_KNOWN = {"NHS", "UK", "GP", "ID", "IT", "OK"}


@dataclass(frozen=True)
class Check:
    title: str
    passed: bool
    message: str
    source: tuple[str, str]


def _defined(acronym: str, text: str) -> bool:
    """Whether ``text`` spells the acronym out: "(MDT)" after its words, or its words in
    brackets after it."""
    return bool(
        re.search(rf"\(\s*{re.escape(acronym)}\s*\)", text)
        or re.search(rf"\b{re.escape(acronym)}\s*\((\w+\s+){{1,}}\w+\)", text)
    )


def unexplained_acronyms(text: str) -> list[str]:
    found = []
    for match in ACRONYM.finditer(text):
        word = match.group(0)
        base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
        if base in WELL_KNOWN or base in found or len(base) < 2:
            continue
        if not _defined(base, text):
            found.append(base)
    return found


def run_checks(
    *, criteria, own_text: str, prose: str, adjustments: str, flexible: str, role
) -> list[Check]:
    """Every check, passed or not, in the order the page lists them.

    ``criteria`` is the person specification as the manager set it; ``own_text`` all the
    manager's own words (post details too), ``prose`` only their sentences (statements
    and criteria); ``role`` the profile.
    """
    checks = []
    essential = sum(1 for criterion in criteria if criterion.essential)
    checks.append(
        Check(
            _("Essential criteria"),
            essential <= ESSENTIAL_MOST,
            ngettext(
                "%(count)d essential criterion.",
                "%(count)d essential criteria.",
                essential,
            )
            % {"count": essential}
            + " "
            + (
                _("Keep the essential list to what the post truly needs.")
                if essential <= ESSENTIAL_MOST
                else _(
                    "That is more than %(most)d. Every essential criterion is one each "
                    "applicant must meet: make some desirable, or leave them out."
                )
                % {"most": ESSENTIAL_MOST}
            ),
            NHS_JOBS_CRITERIA,
        )
    )
    years = YEARS.search(own_text)
    checks.append(
        Check(
            _("Years of experience"),
            years is None,
            _("No criterion asks for a number of years.")
            if years is None
            else _(
                "“%(words)s” asks for a length of time. Asking for years of experience can "
                "shut out younger applicants; say what the experience must show instead."
            )
            % {"words": years.group(0)},
            NHS_PROVIDERS_RACE_EQUALITY,
        )
    )
    degree_needed = any(
        DEGREE.search(text) for text, essential in role.qualification_criteria if essential
    ) or DEGREE.search(role.registration or "")
    degree = DEGREE.search(own_text)
    degree_flagged = bool(degree) and not degree_needed
    checks.append(
        Check(
            _("Degree asked for"),
            not degree_flagged,
            _(
                "“%(word)s”: this role’s profile can be entered without a degree. Ask for "
                "one only if the post truly needs it."
            )
            % {"word": degree.group(0)}
            if degree_flagged
            else _("Your own criteria ask for no degree beyond what the profile needs."),
            GLA_TOOLKIT,
        )
    )
    acronyms = unexplained_acronyms(own_text)
    checks.append(
        Check(
            _("Jargon and abbreviations"),
            not acronyms,
            _("Spell these out the first time you use them: %(list)s.")
            % {"list": ", ".join(acronyms)}
            if acronyms
            else _("Every abbreviation in your own words is spelled out."),
            NHS_EMPLOYERS_JARGON,
        )
    )
    words = len(prose.split())
    if words >= READING_WORDS_LEAST:
        ease = textstat.flesch_reading_ease(prose)
        checks.append(
            Check(
                _("Reading ease"),
                ease >= READING_EASE_LEAST,
                _("Your own words score %(score).0f for reading ease (Flesch, 0 to 100).")
                % {"score": ease}
                + " "
                + (
                    _("That is plain enough.")
                    if ease >= READING_EASE_LEAST
                    else _(
                        "Below %(least)d is hard going for many readers: use shorter "
                        "sentences and everyday words."
                    )
                    % {"least": READING_EASE_LEAST}
                ),
                NHS_EMPLOYERS_JOB_DESCRIPTIONS,
            )
        )
    missing = [
        label
        for label, text in (
            (_("reasonable adjustments"), adjustments),
            (_("flexible working"), flexible),
        )
        if not text.strip()
    ]
    checks.append(
        Check(
            _("Adjustments and flexible working"),
            not missing,
            _("Add a statement on %(list)s.") % {"list": _(" and ").join(missing)}
            if missing
            else _("Both statements are included."),
            TC_HANDBOOK_31,
        )
    )
    return checks
