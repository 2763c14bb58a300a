"""The competence tree, the National Occupational Standards under it, and learning."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from core.addresses import is_https_on, item_address
from core.stored_text import SafeText

from .fulltext import COMPETENCE_FIELDS, STANDARD_FIELDS, search_index
from .history import ContentHistory
from .text import split_lines

# Codes appear in addresses, so they are limited to characters that need no escaping.
code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9.\-]*$",
    _("Use letters, digits, dots and hyphens only, starting with a letter or digit."),
)


# A code PHP would compare as a number ("1.1" == "1.10" in Moodle's loose comparison).
NUMBER_LIKE = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


class Kind(models.TextChoices):
    SECTION = "section", _("Section")
    SUBSECTION = "subsection", _("Subsection")
    STATEMENT = "statement", _("Competence")


# The tree's placement rule, in one place with one message: every writer (the tree
# service, the admin form, the content loader), the integrity check and the database
# constraint say the same thing.
PLACEMENT_RULE = _(
    "Sections sit at the top of the tree with no parent; subsections and competences sit "
    "under a section or subsection, never under a competence."
)

# Nor may a node sit anywhere in its own subtree; the tree service and the admin form
# both refuse it with this message.
INSIDE_ITSELF = _("A node cannot sit inside itself.")


def may_sit_under(kind: str, parent_kind: str | None) -> bool:
    """Whether a node of ``kind`` may sit under a parent of ``parent_kind`` (None: at the top)."""
    if parent_kind is None:
        return kind == Kind.SECTION
    return kind != Kind.SECTION and parent_kind != Kind.STATEMENT


def check_placement(*, kind: str, parent_kind: str | None) -> None:
    """Raise ValidationError with the placement rule unless ``kind`` may sit there."""
    if not may_sit_under(kind, parent_kind):
        raise ValidationError(PLACEMENT_RULE, code="placement")


class Competence(SafeText, MPTTModel):
    """One node of the competence tree.

    Sections sit at the top (the six NHS Knowledge and Skills Framework core
    dimensions and the service-specific ones), subsections group related statements,
    and competence statements are the leaves that roles require. Each node keeps a
    stable code: re-ordering the tree never changes an address.
    """

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        validators=[code_validator],
        help_text=_("Stable reference used in addresses, e.g. COM.1.2. Do not reuse old codes."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    parent = TreeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
        help_text=_("Leave empty for a section."),
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    knowledge = models.TextField(
        _("knowledge indicators"),
        blank=True,
        help_text=_("What a person knows and understands. One indicator per line."),
    )
    skills = models.TextField(
        _("skills indicators"),
        blank=True,
        help_text=_("What a person can do. One indicator per line."),
    )
    foundation = models.BooleanField(
        _("foundation competence"),
        default=False,
        help_text=_(
            "A basic task any member of staff does, such as passing on a message or keeping "
            "a record. The health report flags a role that needs it deeper than its level's "
            "limit for foundation competences."
        ),
    )
    standards = models.ManyToManyField(
        "Standard",
        blank=True,
        related_name="competences",
        verbose_name=_("National Occupational Standards"),
    )
    # The nested-set numbers are derived from the parent links and the order of
    # siblings, so history leaves them out: a revert moves the node instead.
    history = ContentHistory(
        excluded_fields=["lft", "rght", "tree_id", "level"], m2m_fields=["standards"]
    )

    class MPTTMeta:
        # Siblings keep the order editors give them; no automatic sorting.
        order_insertion_by = []

    class Meta:
        ordering = ["tree_id", "lft"]
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        indexes = [
            search_index(COMPETENCE_FIELDS, name="competence_search"),
            # Search matches codes whatever their case, beside the full-text index.
            models.Index(Upper("code"), name="competence_code_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="section") & Q(parent__isnull=True))
                | (Q(kind__in=["subsection", "statement"]) & Q(parent__isnull=False)),
                name="competence_sections_are_roots",
                violation_error_message=PLACEMENT_RULE,
            ),
            models.CheckConstraint(condition=~Q(code=""), name="competence_code_not_empty"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return item_address("framework:competence-detail", "code", self.code)

    def clean(self):
        super().clean()
        errors = {}
        if NUMBER_LIKE.fullmatch(self.code or ""):
            errors["code"] = _(
                "A code needs a letter as well as digits: Moodle compares codes made only of "
                "digits and dots as numbers, so 1.1 and 1.10 would be one competence there."
            )
        if "\\" in (self.title or ""):
            errors["title"] = _(
                "A title cannot hold a backslash (\\): Moodle's CSV reader takes it as the "
                "start of an escape, and would read the title wrongly or refuse the file."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_statement(self) -> bool:
        return self.kind == Kind.STATEMENT

    @property
    def is_section(self) -> bool:
        return self.kind == Kind.SECTION

    @property
    def knowledge_list(self) -> list[str]:
        return split_lines(self.knowledge)

    @property
    def skills_list(self) -> list[str]:
        return split_lines(self.skills)


# Standards link only to the standard-setting bodies' own pages. Where no such page is
# known the address stays blank and the page points to the UK Standards search instead.
OFFICIAL_STANDARD_PREFIXES = (
    "https://www.ukstandards.org.uk/en/nos-finder/",
    "https://tools.skillsforhealth.org.uk/",
)
NOS_FINDER_URL = "https://www.ukstandards.org.uk/en/nos-finder"


def validate_official_standard_address(value: str) -> None:
    """Refuse addresses that are not a standard's own page on an official site."""
    if not value:
        return
    if not value.startswith(OFFICIAL_STANDARD_PREFIXES):
        hosts = sorted({urlsplit(prefix).hostname for prefix in OFFICIAL_STANDARD_PREFIXES})
        raise ValidationError(
            _("Link only to the standard's own page on %(hosts)s."),
            code="unofficial_host",
            params={"hosts": _(" or ").join(hosts)},
        )
    if value.rstrip("/") == NOS_FINDER_URL or "?" in value:
        raise ValidationError(
            _(
                "That is a search, not the standard's own page. Leave the address blank: "
                "the page then offers a search of UK Standards for the code."
            ),
            code="search_address",
        )


class StandardStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    LEGACY = "legacy", _("Legacy")


class Standard(SafeText, models.Model):
    """A National Occupational Standard (NOS) that underpins competences.

    Short codes repeat across suites (AF1 is one thing in Community Justice and
    another in Drug and Alcohol), so a code is unique only within its suite and the
    address uses a separate reference that is unique everywhere.
    """

    code = models.CharField(_("code"), max_length=30)
    reference = models.CharField(
        _("address reference"),
        max_length=60,
        unique=True,
        validators=[code_validator],
        help_text=_(
            "Used in this site's address for the standard. Usually the code; add the suite "
            "when two suites share a code (e.g. AF1-DANOS)."
        ),
    )
    title = models.CharField(_("title"), max_length=300)
    suite = models.CharField(_("suite"), max_length=150)
    organisation = models.CharField(
        _("developing organisation"), max_length=120, help_text=_("e.g. Skills for Health.")
    )
    url = models.URLField(
        _("address of the standard's own page"),
        max_length=500,
        blank=True,
        validators=[validate_official_standard_address],
        help_text=_(
            "Only the standard's own page on UK Standards or the Skills for Health tools. "
            "Leave blank when none is known: readers are then offered a search of UK "
            "Standards for the code."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=StandardStatus.choices, default=StandardStatus.CURRENT
    )
    history = ContentHistory()

    class Meta:
        ordering = ["code", "suite"]
        verbose_name = _("National Occupational Standard")
        verbose_name_plural = _("National Occupational Standards")
        indexes = [
            search_index(STANDARD_FIELDS, name="standard_search"),
            models.Index(Upper("code"), name="standard_code_upper"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "suite"],
                name="standard_code_unique_in_suite",
                violation_error_message=_("This suite already has a standard with that code."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=StandardStatus.values), name="standard_known_status"
            ),
            models.CheckConstraint(
                condition=Q(url="")
                | Q(url__startswith=OFFICIAL_STANDARD_PREFIXES[0])
                | Q(url__startswith=OFFICIAL_STANDARD_PREFIXES[1]),
                name="standard_official_address",
                violation_error_message=_(
                    "Link only to the standard's own page on an official site, or leave "
                    "the address blank."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return item_address("framework:standard-detail", "code", self.reference)

    @property
    def has_official_page(self) -> bool:
        return bool(self.url)

    @property
    def official_site_name(self) -> str:
        """Name of the site that holds the standard's own page, for link text."""
        if self.url.startswith(OFFICIAL_STANDARD_PREFIXES[1]):
            return _("the Skills for Health website")
        return _("the UK Standards website")

    @property
    def finder_url(self) -> str:
        return NOS_FINDER_URL


class LearningKind(models.TextChoices):
    QUALIFICATION = "qualification", _("Qualification")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    COURSE = "course", _("Course")
    FRAMEWORK = "framework", _("Training framework")


# Learning links only to the owners' own sites: the bodies that run or publish the
# learning, as the project's fact sheet names them. A host not listed here is refused.
OFFICIAL_LEARNING_HOSTS = frozenset(
    {
        "e-lfh.org.uk",
        "www.e-lfh.org.uk",
        "skillsforhealth.org.uk",
        "www.skillsforhealth.org.uk",
        "haso.skillsforhealth.org.uk",
        "www.dsptoolkit.nhs.uk",
        "www.gov.uk",
        "www.minded.org.uk",
        "www.hee.nhs.uk",
        "www.rcpsych.ac.uk",
        "www.leadershipacademy.nhs.uk",
        "leadershipacademy.nhs.uk",
        "www.instituteforapprenticeships.org",
        "instituteforapprenticeships.org",
        "findapprenticeshiptraining.apprenticeships.education.gov.uk",
        "www.healthcareers.nhs.uk",
        "advanced-practice.hee.nhs.uk",
        "www.england.nhs.uk",
        "fflm.ac.uk",
        "www.sps.nhs.uk",
        "personalitydisorder.org.uk",
        "www.nsft.nhs.uk",
        "nes.scot.nhs.uk",
        "www.skillsforcare.org.uk",
        "nwpopulationhealth.nhs.uk",
        "learning-disability.hee.nhs.uk",
        "www.nhsemployers.org",
    }
)


def is_official_learning_address(value: str) -> bool:
    return is_https_on(value, OFFICIAL_LEARNING_HOSTS)


def validate_official_learning_address(value: str) -> None:
    """Refuse an address that is not on one of the owners' own sites, over HTTPS."""
    if value and not is_official_learning_address(value):
        raise ValidationError(
            _(
                "Link only to the owner's own site over https, for example e-Learning for "
                "Healthcare, Skills for Health, GOV.UK or the NHS Leadership Academy. Sites "
                "accepted: %(hosts)s."
            ),
            code="unofficial_host",
            params={"hosts": ", ".join(sorted(OFFICIAL_LEARNING_HOSTS))},
        )


class LearningLevel(models.IntegerChoices):
    """The level of a qualification or apprenticeship, on the scale qualifications use in
    England (1 to 8). It says what the award is, not who it suits: that is the range of
    career framework levels below."""

    LEVEL_1 = 1, _("Level 1")
    LEVEL_2 = 2, _("Level 2")
    LEVEL_3 = 3, _("Level 3")
    LEVEL_4 = 4, _("Level 4")
    LEVEL_5 = 5, _("Level 5")
    LEVEL_6 = 6, _("Level 6 (degree)")
    LEVEL_7 = 7, _("Level 7 (Masters)")
    LEVEL_8 = 8, _("Level 8 (doctorate)")


CAREER_LEVELS = [(number, str(number)) for number in range(1, 10)]


class LearningFit(models.IntegerChoices):
    """How learning suits a role at one career framework level; lower numbers suit better."""

    SUITS = 1, _("Suits this role's level")
    LATER = 2, _("For later in your career")
    FAR_ABOVE = 3, _("Well above this role's level")
    BELOW = 4, _("Below this role's level")


class LearningOpportunity(SafeText, models.Model):
    """A qualification, apprenticeship, course or training framework that develops competences."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LearningKind.choices)
    level = models.PositiveSmallIntegerField(
        _("qualification level"),
        choices=LearningLevel.choices,
        null=True,
        blank=True,
        help_text=_(
            "The level of a qualification or apprenticeship standard. Leave blank for "
            "courses and frameworks."
        ),
    )
    suits_from = models.PositiveSmallIntegerField(
        _("suits staff from career framework level"),
        choices=CAREER_LEVELS,
        default=2,
        help_text=_("The lowest career framework level of the staff it is meant for."),
    )
    suits_to = models.PositiveSmallIntegerField(
        _("to career framework level"),
        choices=CAREER_LEVELS,
        default=8,
        help_text=_("The highest career framework level of the staff it is meant for."),
    )
    provider = models.CharField(_("provider or owner"), max_length=200, blank=True)
    url = models.URLField(
        _("address"),
        max_length=500,
        blank=True,
        validators=[validate_official_learning_address],
        help_text=_("The learning's own page on its owner's site."),
    )
    cost = models.CharField(
        _("cost"),
        max_length=200,
        blank=True,
        help_text=_('As the owner states it, e.g. "Free" or "£995 per person".'),
    )
    caution = models.CharField(
        _("caution"),
        max_length=300,
        blank=True,
        help_text=_(
            "Anything not confirmed on the owner's site, in one sentence; shown beside "
            "the learning wherever it is offered."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    competences = models.ManyToManyField(
        Competence,
        blank=True,
        related_name="learning_opportunities",
        verbose_name=_("competences it develops"),
    )
    history = ContentHistory(m2m_fields=["competences"])

    class Meta:
        ordering = ["title"]
        verbose_name = _("learning opportunity")
        verbose_name_plural = _("learning opportunities")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LearningKind.values), name="learning_known_kind"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__in=LearningLevel.values),
                name="learning_known_level",
                violation_error_message=_("Choose a level from 1 to 8, or leave it blank."),
            ),
            models.CheckConstraint(
                condition=Q(suits_from__gte=1)
                & Q(suits_to__lte=9)
                & Q(suits_from__lte=F("suits_to")),
                name="learning_suits_a_range_of_levels",
                violation_error_message=_(
                    "The levels it suits run from a career framework level (1 to 9) to the "
                    "same or a higher one."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def kind_and_level(self) -> str:
        """What kind of learning it is and the staff it suits, e.g. "Course, for levels 2
        to 8" or "Apprenticeship, Level 3, for levels 3 to 4".

        Read from the choices directly: result pages show it for dozens of items, and
        ``get_FOO_display`` rebuilds its table of choices on every call.
        """
        parts = [str(LearningKind(self.kind).label)]
        if self.level:
            parts.append(str(LearningLevel(self.level).label))
        parts.append(str(self.suits_label))
        return ", ".join(parts)

    @property
    def suits_label(self) -> str:
        if self.suits_from == self.suits_to:
            return _("for level %(level)d staff") % {"level": self.suits_from}
        return _("for levels %(low)d to %(high)d") % {"low": self.suits_from, "high": self.suits_to}

    def suits(self, role_level: int) -> bool:
        return self.suits_from <= role_level <= self.suits_to

    def fit_for(self, role_level: int) -> LearningFit:
        """How well this suits a role at career framework level ``role_level``."""
        if self.suits(role_level):
            return LearningFit.SUITS
        if self.suits_from == role_level + 1:
            return LearningFit.LATER
        return LearningFit.FAR_ABOVE if self.suits_from > role_level else LearningFit.BELOW
