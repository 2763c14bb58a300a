from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """The framework as data: loading, export and import, above every content app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interchange"
    verbose_name = "Framework data"

    def ready(self):
        from core import content_cache

        from . import versioning

        versioning.connect_signals()
        # The content apps below keep their precomputed work under this generation.
        content_cache.use_generation(versioning.generation)
