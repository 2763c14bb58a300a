"""Imports waiting for their editor to confirm them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingImport(models.Model):
    """A framework file uploaded in the admin and waiting for its editor to confirm it.

    The file is kept in the database, not in a worker's memory or on its disk, so the
    preview and the confirmation can be served by any worker. ``based_on_version`` and
    ``based_on_last_changed`` are the stored framework's version when the preview was
    worked out; ``report`` is that preview. Uploads older than a day are removed when
    the next one is made.
    """

    name = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file contents"))
    sha256 = models.CharField(_("SHA-256 digest"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pending_imports",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    file_version = models.PositiveIntegerField(_("version in the file"), null=True, blank=True)
    file_last_changed = models.DateField(_("last change in the file"), null=True, blank=True)
    based_on_version = models.PositiveIntegerField(_("stored version at preview"))
    based_on_last_changed = models.DateField(
        _("stored last change at preview"), null=True, blank=True
    )
    report = models.JSONField(_("changes the import would make"), default=dict)

    class Meta:
        verbose_name = _("pending import")
        ordering = ["-uploaded_at"]
        # Nobody edits these rows by hand, so only the permission to import exists.
        default_permissions = ()
        permissions = [("import_framework", _("Can import the framework from a file"))]

    def __str__(self):
        return self.name
