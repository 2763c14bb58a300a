from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """The framework as data: loading, export and import, above every content app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interchange"
    verbose_name = "Framework data"

    def ready(self):
        from core import versioning

        from . import downloads

        versioning.content_committed.connect(
            downloads.build_after_change, dispatch_uid="interchange-build-downloads"
        )
