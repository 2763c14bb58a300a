"""Moves between role profiles: the framework's career pathways."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from competences.history import ContentHistory
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
