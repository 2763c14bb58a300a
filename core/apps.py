from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The base layer every app builds on: site-wide HTTP behaviour, the content
    version and its caches, and small helpers for pages and files. It imports no app."""

    name = "core"
    verbose_name = _("Site core")

    def ready(self):
        from . import checks, versioning  # noqa: F401 (checks registers itself)

        versioning.connect_signals()
