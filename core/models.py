"""The content version: the one row that numbers the published content."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_generation() -> str:
    """A fresh random token: never one that named earlier content."""
    return secrets.token_hex(8)


class FrameworkVersion(models.Model):
    """The single row that numbers the content.

    ``number`` rises by one with every change to the content (an admin edit, a load or
    an import that changes something), and ``last_changed`` is the day of that change.
    Exports carry both, so two exports of unchanged content are identical.

    ``generation`` names the content in every cache key made from it. It changes in the
    same transaction as the content, so whoever sees the new content sees the new token.
    It is random, not the number: an import may set the number back to one used before.
    """

    number = models.PositiveIntegerField(_("version"), default=0)
    last_changed = models.DateField(_("last changed"), null=True, blank=True)
    generation = models.CharField(
        _("cache generation"), max_length=32, default=new_generation, editable=False
    )

    class Meta:
        verbose_name = _("framework version")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="framework_version_single_row")
        ]

    def __str__(self):
        return f"Version {self.number}"
