"""Admin for the moves between roles, recorded in history and revertible."""

from django.contrib import admin

from competences.content_admin import ContentAdmin

from .models import Progression, ProgressionDrop


class ProgressionDropInline(admin.TabularInline):
    """Competences a move up leaves behind, each with the reason readers will see."""

    model = ProgressionDrop
    extra = 0
    autocomplete_fields = ["competence"]


@admin.register(Progression)
class ProgressionAdmin(ContentAdmin):
    list_display = ["from_role", "to_role", "kind"]
    list_filter = ["kind", "from_role__level", "from_role__areas"]
    search_fields = ["from_role__title", "to_role__title", "note"]
    autocomplete_fields = ["from_role", "to_role"]
    list_select_related = ["from_role", "to_role"]
    inlines = [ProgressionDropInline]
