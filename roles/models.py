"""Service areas, career framework levels and the role profiles that sit on them."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from competences.fulltext import ROLE_FIELDS, search_index
from competences.history import ContentHistory
from competences.text import split_lines
from core.addresses import item_address
from core.stored_text import SafeText

# The career framework levels that role profiles sit on; the scale itself runs 1 to 9.
ROLE_LEVELS = range(2, 9)


class Area(SafeText, models.Model):
    """A non-custodial health and justice service area.

    There are four: Liaison and Diversion; Healthcare in Criminal Court Settings;
    Mental Health Treatment Requirements; RECONNECT and Enhanced RECONNECT. A role
    profile belongs to one or more of them.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(
        _("short name"), max_length=40, help_text=_("Used in tables and tags, e.g. “L&D”.")
    )
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One sentence on what the service does.")
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_(
            "What the service does and who it serves. Separate paragraphs with a blank line."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in lists; lower comes first.")
    )
    history = ContentHistory()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return item_address("roles:area-detail", "slug", self.slug)

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.description.split("\n\n") if p.strip()]


class Proficiency(models.IntegerChoices):
    """How deeply a role must hold a competence; the numbers order them."""

    AWARENESS = 1, _("Awareness")
    WORKING = 2, _("Working")
    PROFICIENT = 3, _("Proficient")
    EXPERT = 4, _("Expert")


class Level(SafeText, models.Model):
    """A level of the Skills for Health Career Framework (1 to 9).

    Levels describe responsibility, autonomy, knowledge and supervision, not pay.
    The framework's role profiles use levels 2 to 8.
    """

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("usual name"), max_length=80)
    descriptor = models.TextField(
        _("descriptor"),
        help_text=_("What work at this level involves. Separate paragraphs with a blank line."),
    )
    indicative_band = models.CharField(
        _("indicative Agenda for Change band"),
        max_length=40,
        blank=True,
        help_text=_(
            "Shown only as indicative: Agenda for Change bands are a different scale and "
            "must not be used to set pay."
        ),
    )
    # The level's norms for a role profile, which the framework health report checks
    # (framework/health.py): how deep a role may need anything, how deep a foundation
    # competence, how many requirements, what share essential, what share at Expert.
    deepest_proficiency = models.PositiveSmallIntegerField(
        _("deepest proficiency a role needs"),
        choices=Proficiency.choices,
        default=Proficiency.EXPERT,
        help_text=_("A role at this level never needs anything deeper."),
    )
    foundation_proficiency = models.PositiveSmallIntegerField(
        _("deepest proficiency in a foundation competence"),
        choices=Proficiency.choices,
        default=Proficiency.PROFICIENT,
        help_text=_(
            "Basic tasks any member of staff does are needed at most this deeply, so a "
            "profile's depth goes to its specialism."
        ),
    )
    requirements_min = models.PositiveSmallIntegerField(_("fewest requirements usual"), default=15)
    requirements_max = models.PositiveSmallIntegerField(_("most requirements usual"), default=70)
    essential_min = models.PositiveSmallIntegerField(
        _("smallest essential share usual (%)"), default=50
    )
    essential_max = models.PositiveSmallIntegerField(
        _("largest essential share usual (%)"), default=85
    )
    expert_max = models.PositiveSmallIntegerField(
        _("largest share at Expert (%)"),
        default=0,
        help_text=_("The most of a role's requirements that may be at Expert."),
    )
    history = ContentHistory()

    class Meta:
        ordering = ["number"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=9),
                name="level_number_between_1_and_9",
                violation_error_message=_("A career framework level is a number from 1 to 9."),
            ),
            models.CheckConstraint(
                condition=Q(requirements_min__lte=F("requirements_max"))
                & Q(essential_min__lte=F("essential_max"))
                & Q(essential_max__lte=100)
                & Q(expert_max__lte=100)
                & Q(foundation_proficiency__lte=F("deepest_proficiency"))
                & Q(deepest_proficiency__gte=1)
                & Q(deepest_proficiency__lte=4),
                name="level_norms_in_order",
                violation_error_message=_(
                    "Each norm's lower figure must not exceed its higher one, shares are at "
                    "most a hundred per cent, and a foundation competence is needed no "
                    "deeper than anything else."
                ),
            ),
        ]

    def __str__(self):
        return f"Level {self.number}: {self.name}"

    def get_absolute_url(self):
        return item_address("roles:level-detail", "number", self.number)

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.descriptor.split("\n\n") if p.strip()]


class RoleProfileQuerySet(models.QuerySet):
    def at_level(self, number: int) -> "RoleProfileQuerySet":
        """Role profiles whose career framework level is ``number``."""
        return self.filter(level__number=number)

    def in_area(self, slug: str) -> "RoleProfileQuerySet":
        """Role profiles that belong to the area with ``slug`` (among any others)."""
        return self.filter(areas__slug=slug)

    def with_lived_experience_route(self) -> "RoleProfileQuerySet":
        """Role profiles that offer a route in for people with lived experience."""
        return self.filter(lived_experience_route=True)


class RoleProfile(SafeText, models.Model):
    """A competence-based role profile: one job in the framework, at one level.

    It says what the role is for, what the post holder does, how people get into it
    and keep developing, and which competences it needs at which proficiency.
    """

    title = models.CharField(_("title"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    code = models.CharField(
        _("short code"),
        max_length=20,
        unique=True,
        help_text=_("A short stable reference such as LD-PRAC-5."),
    )
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="roles", verbose_name=_("level")
    )
    areas = models.ManyToManyField(Area, related_name="roles", verbose_name=_("areas"))
    purpose = models.TextField(_("purpose and scope"))
    responsibilities = models.TextField(
        _("key responsibilities"), help_text=_("One responsibility per line.")
    )
    entry_requirements = models.TextField(_("entry requirements"))
    education_and_training = models.TextField(_("education and training"))
    continuing_development = models.TextField(_("continuing professional development"))
    typical_job_titles = models.TextField(
        _("typical job titles"), blank=True, help_text=_("One title per line.")
    )
    indicative_band = models.CharField(
        _("indicative band"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d[a-d]?(-\d[a-d]?)?$",
                _("Give a band or a range of bands, such as 6 or 8c-8d."),
            )
        ],
        help_text=_(
            "Only where posts like this are usually graded outside the level's indicative "
            "Agenda for Change band, e.g. 8c-8d. Leave blank to show the level's band."
        ),
    )
    lived_experience_route = models.BooleanField(
        _("lived-experience route"),
        default=False,
        help_text=_(
            "Tick when the role welcomes people with lived experience of the justice system."
        ),
    )
    lived_experience_text = models.TextField(
        _("about the lived-experience route"),
        blank=True,
        help_text=_("Required when the lived-experience route is ticked."),
    )
    registered_profession = models.BooleanField(
        _("registered profession"),
        default=False,
        help_text=_("Tick when post holders must be registered with a professional regulator."),
    )
    # The person specification's own criteria, beside the competences (which it
    # summarises a section at a time). One criterion per line; a line that starts
    # "Desirable:" is desirable, every other line essential.
    registration = models.CharField(
        _("registration"),
        max_length=500,
        blank=True,
        help_text=_(
            "The professional registration post holders need, naming the regulators, "
            "e.g. Registration with the Nursing and Midwifery Council (NMC). Required "
            "when the role is a registered profession, and only then."
        ),
    )
    qualifications = models.TextField(
        _("qualifications and training"),
        blank=True,
        help_text=_(
            "One criterion per line, for the person specification. Start a line with "
            "“Desirable:” for a desirable criterion; every other line is essential."
        ),
    )
    experience = models.TextField(
        _("experience"),
        blank=True,
        help_text=_(
            "One criterion per line, as for qualifications. Say what the experience "
            "shows, never how many years it lasted."
        ),
    )
    competences = models.ManyToManyField(
        "competences.Competence",
        through="RoleCompetence",
        related_name="roles",
        verbose_name=_("competences"),
    )

    objects = RoleProfileQuerySet.as_manager()
    # A role's requirements are rows of their own (RoleCompetence), with their own history.
    history = ContentHistory(m2m_fields=["areas"])

    class Meta:
        ordering = ["level__number", "title"]
        verbose_name = _("role profile")
        verbose_name_plural = _("role profiles")
        indexes = [
            search_index(ROLE_FIELDS, name="role_search"),
            # Search matches codes whatever their case, beside the full-text index.
            models.Index(Upper("code"), name="role_code_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lived_experience_route=False) | ~Q(lived_experience_text=""),
                name="role_lived_experience_route_described",
                violation_error_message=_("Describe the lived-experience route, or untick it."),
            ),
            models.CheckConstraint(
                condition=Q(registered_profession=True, registration__gt="")
                | Q(registered_profession=False, registration=""),
                name="role_registration_named_when_registered",
                violation_error_message=_(
                    "Name the registration a registered profession needs, and leave it "
                    "blank for a role that is not one."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return item_address("framework:role-detail", "slug", self.slug)

    @property
    def responsibility_list(self) -> list[str]:
        return split_lines(self.responsibilities)

    @property
    def band(self) -> str:
        """The indicative band shown for the role: its own where set, else its level's."""
        return self.indicative_band or self.level.indicative_band

    @property
    def job_title_list(self) -> list[str]:
        return split_lines(self.typical_job_titles)

    @property
    def qualification_criteria(self) -> list[tuple[str, bool]]:
        """(criterion, essential) for each line of ``qualifications``."""
        return criteria_lines(self.qualifications)

    @property
    def experience_criteria(self) -> list[tuple[str, bool]]:
        """(criterion, essential) for each line of ``experience``."""
        return criteria_lines(self.experience)


# Agenda for Change bands, lowest first.
BAND_ORDER = ["1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]


def bands_in(indicative_band: str) -> list[str]:
    """The bands a range such as "5-6" or "7-8a" covers, lowest first."""
    parts = [part.strip().lower() for part in indicative_band.split("-") if part.strip()]
    known = [part for part in parts if part in BAND_ORDER]
    if not known:
        return []
    first, last = BAND_ORDER.index(known[0]), BAND_ORDER.index(known[-1])
    return BAND_ORDER[min(first, last) : max(first, last) + 1]


DESIRABLE_PREFIX = "Desirable:"


def criteria_lines(text: str) -> list[tuple[str, bool]]:
    """(criterion, essential) for each line; "Desirable:" at the start marks desirable."""
    out = []
    for line in split_lines(text):
        if line.casefold().startswith(DESIRABLE_PREFIX.casefold()):
            text = line[len(DESIRABLE_PREFIX) :].strip()
            if text:
                out.append((text, False))
        else:
            out.append((line, True))
    return out


class Requirement(models.TextChoices):
    ESSENTIAL = "essential", _("Essential")
    DESIRABLE = "desirable", _("Desirable")


class RoleCompetence(SafeText, models.Model):
    """A competence statement that a role profile needs, and how deeply.

    Proficiency is ordered (awareness < working < proficient < expert) so that a move
    between roles can show competences that deepen, not only ones that are new.
    """

    role = models.ForeignKey(
        RoleProfile,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("role profile"),
    )
    competence = models.ForeignKey(
        "competences.Competence",
        on_delete=models.PROTECT,
        related_name="requirements",
        verbose_name=_("competence"),
    )
    proficiency = models.PositiveSmallIntegerField(
        _("required proficiency"), choices=Proficiency.choices, default=Proficiency.WORKING
    )
    requirement = models.CharField(
        _("essential or desirable"),
        max_length=10,
        choices=Requirement.choices,
        default=Requirement.ESSENTIAL,
    )
    history = ContentHistory()

    class Meta:
        ordering = ["role", "competence__tree_id", "competence__lft"]
        verbose_name = _("role competence")
        verbose_name_plural = _("role competences")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "competence"],
                name="role_competence_once_per_role",
                violation_error_message=_("This role already lists that competence."),
            ),
            models.CheckConstraint(
                condition=Q(proficiency__gte=Proficiency.AWARENESS)
                & Q(proficiency__lte=Proficiency.EXPERT),
                name="role_competence_known_proficiency",
            ),
            models.CheckConstraint(
                condition=Q(requirement__in=Requirement.values),
                name="role_competence_known_requirement",
            ),
        ]

    def __str__(self):
        return f"{self.get_requirement_display()}, {self.get_proficiency_display()}"

    @property
    def is_essential(self) -> bool:
        return self.requirement == Requirement.ESSENTIAL

    def get_proficiency_display(self):
        """The proficiency's name, read from the choices directly: Django's generated
        method rebuilds its table of choices on every call, about four times slower, and
        long pages ask for it on every row. A value outside the choices comes back as is."""
        try:
            return str(Proficiency(self.proficiency).label)
        except ValueError:
            return self.proficiency

    def clean(self):
        competence = getattr(self, "competence", None)
        if competence is not None and not competence.is_statement:
            raise ValidationError(
                {
                    "competence": _(
                        "Choose a competence statement, not a section or subsection: "
                        "roles are matched at statement level."
                    )
                }
            )
