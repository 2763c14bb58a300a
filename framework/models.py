"""Warnings from the framework health report that an editor has accepted, with why."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AcceptedWarning(models.Model):
    """One warning of the health report (``framework.health``) an editor judged right as
    it stands. ``key`` names the warning and what it is about (for example
    ``move-shallower:LD-STR-3:LD-AP-4:QUA.2.1``), so the acceptance holds while that
    warning is raised and is shown beside it; errors cannot be accepted."""

    key = models.CharField(_("warning"), max_length=300, unique=True)
    summary = models.CharField(_("what the report said"), max_length=500)
    reason = models.TextField(_("reason for accepting it"), max_length=1000)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)

    class Meta:
        ordering = ["key"]
        verbose_name = _("framework health report")
        verbose_name_plural = _("framework health report")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="accepted_warning_has_a_reason"
            )
        ]

    def __str__(self):
        return self.summary
