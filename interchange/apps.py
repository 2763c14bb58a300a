from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """The framework as data: loading, export and import, above every content app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interchange"
    verbose_name = "Framework data"

    def ready(self):
        from . import versioning

        versioning.connect_signals()
