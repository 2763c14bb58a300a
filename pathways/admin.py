"""Admin for the moves between roles and the ways into each role, recorded in history
and revertible."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.text import capfirst

from competences.content_admin import ContentAdmin

from .models import (
    EntryRoute,
    PreEmploymentCheck,
    Progression,
    ProgressionDrop,
    Register,
    RoleEntry,
    StartingPoint,
)


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


class _ChoiceListForm(forms.ModelForm):
    """List fields (starting points, registers) ticked from their choices."""

    LISTS = {
        "starting_points": StartingPoint.choices,
        "open_to": StartingPoint.choices,
        "registers": Register.choices,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in self.LISTS.items():
            if name in self.fields:
                model_field = self._meta.model._meta.get_field(name)
                self.fields[name] = forms.MultipleChoiceField(
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    label=capfirst(model_field.verbose_name),
                    help_text=model_field.help_text,
                )


@admin.register(RoleEntry)
class RoleEntryAdmin(ContentAdmin):
    form = _ChoiceListForm
    list_display = ["role", "qualification", "lived_experience", "dbs"]
    list_filter = ["qualification", "lived_experience", "dbs", "role__level", "role__areas"]
    search_fields = ["role__title", "role__code"]
    autocomplete_fields = ["role"]
    list_select_related = ["role"]


@admin.register(EntryRoute)
class EntryRouteAdmin(ContentAdmin):
    form = _ChoiceListForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "role", "kind", "position"]
    list_filter = ["kind", "role__level", "role__areas"]
    search_fields = ["title", "summary", "role__title"]
    autocomplete_fields = ["role"]
    list_select_related = ["role"]


@admin.register(PreEmploymentCheck)
class PreEmploymentCheckAdmin(ContentAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "every_area", "position"]
    search_fields = ["name", "summary"]
    filter_horizontal = ["areas"]
    prepopulated_fields = {"slug": ["name"]}
