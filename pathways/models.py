"""Moves between role profiles: the framework's career pathways."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from competences.history import ContentHistory
from core.addresses import is_https_on
from core.stored_text import SafeText


class MoveKind(models.TextChoices):
    VERTICAL = "vertical", _("Up a level")
    LATERAL = "lateral", _("Sideways")


class Progression(SafeText, models.Model):
    """A recognised move from one role profile to another.

    Vertical moves go up a level; lateral moves go sideways, usually into another
    service area at the same level. The note says what the move takes.
    """

    from_role = models.ForeignKey(
        "roles.RoleProfile",
        on_delete=models.CASCADE,
        related_name="moves_out",
        verbose_name=_("from role"),
    )
    to_role = models.ForeignKey(
        "roles.RoleProfile",
        on_delete=models.CASCADE,
        related_name="moves_in",
        verbose_name=_("to role"),
    )
    kind = models.CharField(_("kind of move"), max_length=10, choices=MoveKind.choices)
    note = models.TextField(_("what the move takes"), blank=True)

    history = ContentHistory()

    class Meta:
        ordering = ["from_role__level__number", "from_role__title", "to_role__title"]
        verbose_name = _("progression")
        verbose_name_plural = _("progressions")
        constraints = [
            models.UniqueConstraint(
                fields=["from_role", "to_role"],
                name="progression_once_per_pair",
                violation_error_message=_("That move is already recorded."),
            ),
            models.CheckConstraint(
                condition=~Q(from_role=F("to_role")),
                name="progression_not_to_same_role",
                violation_error_message=_("A move must go to a different role."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MoveKind.values), name="progression_known_kind"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} move"

    def clean(self):
        """A vertical move goes up a level; a lateral move stays on the same level."""
        if not (self.from_role_id and self.to_role_id):
            return
        if self.from_role_id == self.to_role_id:
            raise ValidationError({"to_role": _("A move must go to a different role.")})
        start, end = self.from_role.level.number, self.to_role.level.number
        if self.kind == MoveKind.VERTICAL and end <= start:
            raise ValidationError(
                {"kind": _("A vertical move must go to a role at a higher level.")}
            )
        if self.kind == MoveKind.LATERAL and end != start:
            raise ValidationError(
                {"kind": _("A lateral move stays on the same level; this one changes level.")}
            )


class ProgressionDrop(SafeText, models.Model):
    """A competence the lower role needs that a move deliberately leaves behind, and why.

    Along a move up, the higher role normally needs everything the lower role needs as
    essential, at the same proficiency or deeper. When it does not (the new role is in
    another service, or hands a task to someone else), the reason is recorded here so
    the move can say what it drops instead of dropping it silently.
    """

    progression = models.ForeignKey(
        Progression,
        on_delete=models.CASCADE,
        related_name="drops",
        verbose_name=_("move"),
    )
    competence = models.ForeignKey(
        "competences.Competence",
        on_delete=models.PROTECT,
        related_name="dropped_by",
        verbose_name=_("competence"),
    )
    reason = models.TextField(
        _("why the move drops it"),
        help_text=_("In plain words, why the role the move leads to no longer needs this."),
    )
    history = ContentHistory()

    class Meta:
        ordering = ["progression", "competence__tree_id", "competence__lft"]
        verbose_name = _("dropped competence")
        verbose_name_plural = _("dropped competences")
        constraints = [
            models.UniqueConstraint(
                fields=["progression", "competence"],
                name="progression_drop_once_per_move",
                violation_error_message=_("This move already gives a reason for that competence."),
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="progression_drop_has_a_reason"),
        ]

    def __str__(self):
        return self.reason[:80]


# Ways in: how a person from outside the services gets into a role. The entry rule is
# data (``RoleEntry``), so "could you apply now" is worked out from what the profile
# asks, never from code that names roles (``pathways.ways_in``).


class StartingPoint(models.TextChoices):
    """Where a person is now, as the guided page asks it."""

    NO_JOB = "no-job", _("No health or care job yet")
    VOLUNTEER = "volunteer", _("Volunteer or peer mentor")
    SUPPORT_WORKER = "support-worker", _("Healthcare or care support worker")
    JUSTICE_STAFF = "justice-staff", _("Custody, prison or probation staff")
    REGISTERED = "registered", _("Registered health or care professional")
    OTHER = "other", _("Something else")


class Qualification(models.IntegerChoices):
    """A person's highest qualification, on England's scale of qualification levels."""

    NONE = 0, _("No formal qualifications")
    LEVEL_2 = 2, _("GCSEs at grade 4 (C) or above, or another level 2 qualification")
    LEVEL_3 = 3, _("A levels, a level 3 diploma or another level 3 qualification")
    LEVEL_4_5 = 5, _("A foundation degree, HND or another level 4 or 5 qualification")
    DEGREE = 6, _("A bachelor's degree")
    MASTERS = 7, _("A master's degree")
    DOCTORATE = 8, _("A doctorate")


class Register(models.TextChoices):
    """A professional registration a role can ask for, with its regulator."""

    NURSE = "nurse", _("Nurse (Nursing and Midwifery Council)")
    NURSING_ASSOCIATE = "nursing-associate", _("Nursing associate (Nursing and Midwifery Council)")
    PARAMEDIC = "paramedic", _("Paramedic (Health and Care Professions Council)")
    OCCUPATIONAL_THERAPIST = (
        "occupational-therapist",
        _("Occupational therapist (Health and Care Professions Council)"),
    )
    CLINICAL_PSYCHOLOGIST = (
        "clinical-psychologist",
        _("Clinical psychologist (Health and Care Professions Council)"),
    )
    PRACTITIONER_PSYCHOLOGIST = (
        "practitioner-psychologist",
        _("Another practitioner psychologist (Health and Care Professions Council)"),
    )
    SOCIAL_WORKER = "social-worker", _("Social worker (Social Work England)")
    ACCREDITED_REGISTER = (
        "accredited-register",
        _("Psychological practitioner on an accredited register, such as the BPS or BABCP"),
    )


class DbsLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    STANDARD = "standard", _("Standard")
    ENHANCED = "enhanced", _("Enhanced")
    ENHANCED_BARRED = "enhanced-barred", _("Enhanced, with a check of the barred lists")


class RouteKind(models.TextChoices):
    QUALIFICATION = "qualification", _("Qualification")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    REGISTRATION = "registration", _("Professional registration")
    VOLUNTEERING = "volunteering", _("Volunteering")
    PEER = "peer", _("Peer route")
    EXPERIENCE = "experience", _("Experience")


# The owners' sites a "ways in" link may go to: the regulators, registries and public
# bodies that publish each route or check (the fact sheet's sources), and NHS Jobs.
OFFICIAL_ENTRY_HOSTS = frozenset(
    {
        "www.nhsemployers.org",
        "nhsemployers.org",
        "www.gov.uk",
        "www.legislation.gov.uk",
        "www.england.nhs.uk",
        "www.events.england.nhs.uk",
        "www.healthcareers.nhs.uk",
        "haso.skillsforhealth.org.uk",
        "www.instituteforapprenticeships.org",
        "instituteforapprenticeships.org",
        "findapprenticeshiptraining.apprenticeships.education.gov.uk",
        "www.jobs.nhs.uk",
        "newfuturesnetwork.gov.uk",
        "www.kent.police.uk",
        "www.warwickshire.police.uk",
    }
)


# Who owns each of those sites, for link text that says where a link goes.
ENTRY_HOST_OWNERS = {
    "www.nhsemployers.org": "NHS Employers",
    "nhsemployers.org": "NHS Employers",
    "www.gov.uk": "GOV.UK",
    "www.legislation.gov.uk": "legislation.gov.uk",
    "www.england.nhs.uk": "NHS England",
    "www.events.england.nhs.uk": "NHS England",
    "www.healthcareers.nhs.uk": "Health Careers",
    "haso.skillsforhealth.org.uk": "Skills for Health",
    "www.instituteforapprenticeships.org": "the Institute for Apprenticeships",
    "instituteforapprenticeships.org": "the Institute for Apprenticeships",
    "findapprenticeshiptraining.apprenticeships.education.gov.uk": (
        "GOV.UK (Find apprenticeship training)"
    ),
    "www.jobs.nhs.uk": "NHS Jobs",
    "newfuturesnetwork.gov.uk": "New Futures Network",
    "www.kent.police.uk": "Kent Police",
    "www.warwickshire.police.uk": "Warwickshire Police",
}


def entry_host_owner(value: str) -> str:
    return ENTRY_HOST_OWNERS.get(urlsplit(value).hostname or "", "")


def is_official_entry_address(value: str) -> bool:
    return is_https_on(value, OFFICIAL_ENTRY_HOSTS)


def validate_official_entry_address(value: str) -> None:
    if value and not is_official_entry_address(value):
        raise ValidationError(
            _("Link only to the owner's own site over https. Sites accepted: %(hosts)s."),
            code="unofficial_host",
            params={"hosts": ", ".join(sorted(OFFICIAL_ENTRY_HOSTS))},
        )


def _check_choice_list(value, choices) -> None:
    if not isinstance(value, list) or any(item not in choices.values for item in value):
        raise ValidationError(
            _("Choose from: %(choices)s."),
            code="invalid_choice",
            params={"choices": ", ".join(choices.values)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Name each choice once."), code="repeated_choice")


def validate_starting_points(value) -> None:
    _check_choice_list(value, StartingPoint)


def validate_registers(value) -> None:
    _check_choice_list(value, Register)


class RoleEntry(SafeText, models.Model):
    """What a role profile asks of someone coming in from outside: the rule that decides
    whether a person could apply now, and the usual level of criminal record check."""

    role = models.OneToOneField(
        "roles.RoleProfile",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="entry",
        verbose_name=_("role"),
    )
    starting_points = models.JSONField(
        _("where applicants can come from"),
        default=list,
        blank=True,
        validators=[validate_starting_points],
        help_text=_(
            "The backgrounds the profile's entry requirements accept as they are. Leave "
            "empty for a role people reach only by moving up from another role."
        ),
    )
    qualification = models.PositiveSmallIntegerField(
        _("least qualification at entry"),
        choices=Qualification.choices,
        default=Qualification.NONE,
        help_text=_("Count a qualification the profile lets people gain in post as not needed."),
    )
    registers = models.JSONField(
        _("registrations accepted"),
        default=list,
        blank=True,
        validators=[validate_registers],
        help_text=_("Leave empty when the role needs no professional registration."),
    )
    lived_experience = models.BooleanField(
        _("open only to people with lived experience"),
        default=False,
        help_text=_("Tick for peer roles that ask for lived experience of the justice system."),
    )
    dbs = models.CharField(
        _("usual criminal record check"),
        max_length=20,
        choices=DbsLevel.choices,
        default=DbsLevel.ENHANCED,
    )

    history = ContentHistory()

    class Meta:
        verbose_name = _("entry rule")
        verbose_name_plural = _("entry rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(dbs__in=DbsLevel.values), name="role_entry_known_dbs"
            ),
            models.CheckConstraint(
                condition=Q(qualification__in=Qualification.values),
                name="role_entry_known_qualification",
            ),
        ]

    def __str__(self):
        return _("Entry rule for %(role)s") % {"role": self.role}

    def clean(self):
        role = self.role if self.role_id else None
        if role is not None and bool(self.registers) != role.registered_profession:
            raise ValidationError(
                {
                    "registers": _(
                        "Name the registrations accepted when the profile is a registered "
                        "profession, and only then."
                    )
                }
            )

    @property
    def open_to_everyone(self) -> bool:
        return set(self.starting_points) == set(StartingPoint.values)

    @property
    def starting_point_labels(self) -> list[str]:
        return [StartingPoint(code).label for code in self.starting_points]

    @property
    def register_labels(self) -> list[str]:
        return [Register(code).label for code in self.registers]


class EntryRoute(SafeText, models.Model):
    """One way into a role: a qualification, an apprenticeship, a registration, or a
    volunteering or peer route, with who can start it and its owner's page."""

    role = models.ForeignKey(
        "roles.RoleProfile",
        on_delete=models.CASCADE,
        related_name="entry_routes",
        verbose_name=_("role"),
    )
    kind = models.CharField(_("kind of route"), max_length=20, choices=RouteKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    address = models.URLField(
        _("official page"),
        max_length=500,
        blank=True,
        validators=[validate_official_entry_address],
    )
    caution = models.CharField(
        _("caution"),
        max_length=300,
        blank=True,
        help_text=_("Say here what is not confirmed on the owner's page, if anything."),
    )
    open_to = models.JSONField(
        _("who can start it"),
        default=list,
        blank=True,
        validators=[validate_starting_points],
        help_text=_("Leave empty when anyone can start it."),
    )
    qualification = models.PositiveSmallIntegerField(
        _("least qualification to start it"),
        choices=Qualification.choices,
        default=Qualification.NONE,
    )
    lived_experience = models.BooleanField(
        _("open only to people with lived experience"), default=False
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    history = ContentHistory()

    class Meta:
        ordering = ["role", "position", "title"]
        verbose_name = _("route in")
        verbose_name_plural = _("routes in")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "title"],
                name="entry_route_once_per_role",
                violation_error_message=_("The role already has a route with that title."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RouteKind.values), name="entry_route_known_kind"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def owner(self) -> str:
        """Whose site the route's page is on, for its link text."""
        return entry_host_owner(self.address)


class PreEmploymentCheck(SafeText, models.Model):
    """A check a post in some or all of the services usually involves, with its source."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    summary = models.TextField(_("summary"))
    source_title = models.CharField(_("source"), max_length=200, blank=True)
    source_address = models.URLField(
        _("source address"),
        max_length=500,
        blank=True,
        validators=[validate_official_entry_address],
    )
    caution = models.CharField(_("caution"), max_length=300, blank=True)
    every_area = models.BooleanField(_("applies in every service"), default=False)
    areas = models.ManyToManyField(
        "roles.Area", blank=True, related_name="checks", verbose_name=_("services")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    history = ContentHistory(m2m_fields=["areas"])

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("pre-employment check")
        verbose_name_plural = _("pre-employment checks")

    def __str__(self):
        return self.name

    def clean(self):
        if bool(self.source_title) != bool(self.source_address) and not self.caution:
            raise ValidationError(
                _("Give the source's title and address together, or say why in the caution.")
            )
