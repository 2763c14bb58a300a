from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    """Pages that read competences, roles and pathways together: overview, search, profiles."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "framework"
    verbose_name = "Framework health"
