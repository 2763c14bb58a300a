"""Which version of the content is published, and when it last changed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameworkVersion(models.Model):
    """The single row that numbers the content.

    ``number`` rises by one with every change to the content (an admin edit, a load or
    an import that changes something), and ``last_changed`` is the day of that change.
    Exports carry both, so two exports of unchanged content are identical.
    """

    number = models.PositiveIntegerField(_("version"), default=0)
    last_changed = models.DateField(_("last changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("framework version")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="framework_version_single_row")
        ]

    def __str__(self):
        return f"Version {self.number}"
