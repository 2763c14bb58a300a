"""The pay table the job description builder quotes a salary from.

One table, kept by editors in the admin: the pay year it covers, where its figures come
from, and each band's minimum and maximum. A figure not yet checked against the owner's
published pay scales says so wherever it is shown, until an editor confirms it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class PayTable(models.Model):
    year = models.CharField(
        _("pay year"), max_length=20, unique=True, help_text=_("Such as 2025/26.")
    )
    applies_from = models.DateField(_("applies from"))
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Who publishes the figures, as the job description names them."),
    )
    source_url = models.URLField(_("source address"))
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Anything a manager should know when quoting these figures."),
    )

    class Meta:
        ordering = ["-applies_from"]
        verbose_name = _("pay table")
        verbose_name_plural = _("pay tables")

    def __str__(self):
        return str(_("Agenda for Change pay, %(year)s") % {"year": self.year})


class PayBand(models.Model):
    table = models.ForeignKey(
        PayTable, on_delete=models.CASCADE, related_name="bands", verbose_name=_("pay table")
    )
    band = models.CharField(_("band"), max_length=3, help_text=_("Such as 5 or 8a."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    minimum = models.PositiveIntegerField(_("minimum (£ a year)"))
    maximum = models.PositiveIntegerField(_("maximum (£ a year)"))
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("Tick once the figures are checked against the published pay scales."),
    )

    class Meta:
        ordering = ["table", "position", "band"]
        verbose_name = _("pay band")
        verbose_name_plural = _("pay bands")
        constraints = [
            models.UniqueConstraint(fields=["table", "band"], name="pay_band_once_per_table"),
            models.CheckConstraint(
                condition=models.Q(minimum__lte=models.F("maximum")),
                name="pay_band_minimum_not_above_maximum",
                violation_error_message=_("The minimum cannot be more than the maximum."),
            ),
        ]

    def __str__(self):
        return str(_("Band %(band)s") % {"band": self.band})

    def clean(self):
        if self.band and self.band.lower() != self.band.strip().lower():
            raise ValidationError({"band": _("Write the band without spaces, such as 8a.")})
        self.band = self.band.strip().lower()

    @property
    def salary_text(self) -> str:
        if self.minimum == self.maximum:
            return f"£{self.minimum:,}"
        return f"£{self.minimum:,} to £{self.maximum:,}"


def current_pay_bands() -> list[PayBand]:
    """The bands of the table with the latest start date, each with its table (one
    query)."""
    latest = PayTable.objects.order_by("-applies_from").values("pk")[:1]
    return list(PayBand.objects.filter(table__in=latest).select_related("table"))
