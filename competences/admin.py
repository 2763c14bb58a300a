"""Admin for the competence tree, standards and learning.

Tree edits (saves, drag-and-drop moves, deletes) all go through competences.services,
so the admin takes the same lock and checks as every other writer. Every change is
recorded in history and can be reverted (see ``content_admin.py``).
"""

from django import http
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin
from simple_history.models import to_historic

from .content_admin import ContentAdmin, use_sentence
from .models import (
    INSIDE_ITSELF,
    PLACEMENT_RULE,
    Competence,
    Kind,
    LearningOpportunity,
    Standard,
    may_sit_under,
)
from .services import competence_delete, competence_move, competence_save, tree_locked

# What a revert copies from a version onto the live node; the tree numbers are never
# copied, and a different parent moves the node through the tree service.
CONTENT_FIELDS = ("code", "kind", "title", "description", "knowledge", "skills")


class SectionFilter(admin.SimpleListFilter):
    """Narrow the tree to one top-level section."""

    title = _("section")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        sections = Competence.objects.filter(parent__isnull=True).only("code", "title")
        return [(section.code, f"{section.code} {section.title}") for section in sections]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        section = Competence.objects.filter(code=self.value(), parent__isnull=True).first()
        return queryset.filter(tree_id=section.tree_id) if section else queryset.none()


@admin.register(Competence)
class CompetenceAdmin(ContentAdmin, DraggableMPTTAdmin):
    list_display = ["tree_actions", "indented_title", "code", "kind", "standard_count"]
    list_display_links = ["indented_title"]
    list_filter = [SectionFilter, "kind", "foundation"]
    search_fields = ["code", "title", "description"]
    filter_horizontal = ["standards"]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "parent", "title", "description", "foundation"]}),
        (
            _("What shows the competence (statements only)"),
            {"fields": ["knowledge", "skills"]},
        ),
        (_("National Occupational Standards"), {"fields": ["standards"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(standard_count=Count("standards"))

    @admin.display(description=_("standards"), ordering="standard_count")
    def standard_count(self, obj):
        return obj.standard_count

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Roles are matched at statement level, so the role form's picker offers
        # only statements; the tree's own parent picker offers only branches.
        if request.GET.get("app_label") == "roles":
            queryset = queryset.filter(kind=Kind.STATEMENT)
        elif request.GET.get("field_name") == "parent":
            queryset = queryset.exclude(kind=Kind.STATEMENT)
        return queryset, may_have_duplicates

    def save_model(self, request, obj, form, change):
        # The form already checked placement; the service checks again under its lock.
        obj.skip_history_when_saving = True
        if change and to_historic(obj) is not None:
            # A revert: the version's tree numbers are stale, so its content goes onto
            # the stored node, and a different parent moves the node (last among the
            # parent's children) through the service, never by writing numbers.
            live = Competence.objects.get(pk=obj.pk)
            for name in CONTENT_FIELDS:
                setattr(live, name, getattr(obj, name))
            live.parent = obj.parent
            live.skip_history_when_saving = True
            competence_save(competence=live)
            return
        competence_save(competence=obj)

    # A form that changes the tree is read, checked and saved under the tree lock, so
    # that its checks (placement, not inside itself) judge the tree it will change, not
    # the tree as it was before another editor's move.
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with tree_locked():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            with tree_locked():
                return self._history_form_view(request, object_id, version_id, extra_context)
        return self._history_form_view(request, object_id, version_id, extra_context)

    def _history_form_view(self, request, object_id, version_id, extra_context=None):
        identifier = unquote(object_id)
        if identifier.isdigit() and not Competence.objects.filter(pk=identifier).exists():
            # A deleted node has no place left in the tree to return to.
            self.message_user(
                request,
                _(
                    "This competence has been deleted, so it cannot be reverted to an "
                    "earlier version. Add it again instead."
                ),
                messages.ERROR,
            )
            return redirect("admin:competences_competence_changelist")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def uses(self, obj):
        roles = [need.role.title for need in obj.requirements.select_related("role")]
        moves = [
            f"{drop.progression.from_role.title} → {drop.progression.to_role.title}"
            for drop in obj.dropped_by.select_related(
                "progression__from_role", "progression__to_role"
            )
        ]
        return [
            *use_sentence(_("Roles that need it"), roles),
            *use_sentence(_("Moves between roles that leave it behind"), moves),
            *use_sentence(
                _("Learning that develops it"),
                [item.title for item in obj.learning_opportunities.all()],
            ),
            *use_sentence(_("Items under it"), [str(child) for child in obj.get_children()]),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return _with_placement_check(form)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            # django-mptt swaps in a "delete selected" of its own that, once confirmed,
            # deletes each node itself: past the tree service and its lock, and past the
            # refusal to delete what is in use. Django's own asks get_deleted_objects
            # (which refuses) and deletes through delete_queryset (the service).
            actions["delete_selected"] = (
                delete_selected,
                "delete_selected",
                actions["delete_selected"][2],
            )
        return actions

    def delete_model(self, request, obj):
        competence_delete(competence=obj)

    def delete_queryset(self, request, queryset):
        # Deepest first, so children go before their parents.
        for competence in queryset.order_by("-level"):
            competence_delete(competence=competence)

    def changelist_view(self, request, *args, **kwargs):
        if request.method == "POST" and request.POST.get("cmd") == "move_node":
            return self._move_through_service(request)
        return super().changelist_view(request, *args, **kwargs)

    def _move_through_service(self, request):
        """Handle the drag-and-drop tree's move request with the tree service."""
        queryset = self.get_queryset(request)
        try:
            moved = queryset.get(pk=request.POST.get("cut_item"))
            target = queryset.get(pk=request.POST.get("pasted_on"))
        except (Competence.DoesNotExist, TypeError, ValueError):
            self.message_user(request, _("That item no longer exists."), messages.ERROR)
            return http.HttpResponse("FAIL, invalid objects.")
        if not self.has_change_permission(request, moved):
            self.message_user(request, _("You cannot change the tree."), messages.ERROR)
            return http.HttpResponse("FAIL, no permission.")
        try:
            competence_move(
                competence=moved, target=target, position=request.POST.get("position", "")
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return http.HttpResponse("FAIL, invalid move.")
        self.log_change(request, moved, [{"changed": {"fields": ["parent"]}}])
        self.message_user(request, _("%(item)s was moved.") % {"item": moved})
        return http.HttpResponse("OK, moved.")


def _with_placement_check(form_class):
    """Add the tree's placement rules to the admin form, so errors show on the form."""

    class PlacementForm(form_class):
        def clean(self):
            cleaned = super().clean()
            kind, parent = cleaned.get("kind"), cleaned.get("parent")
            if kind and not may_sit_under(kind, parent.kind if parent else None):
                self.add_error("parent", PLACEMENT_RULE)
            elif (
                parent is not None
                and self.instance.pk
                and (parent.pk == self.instance.pk or parent.is_descendant_of(self.instance))
            ):
                self.add_error("parent", INSIDE_ITSELF)
            return cleaned

    return PlacementForm


@admin.register(Standard)
class StandardAdmin(ContentAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["code", "title", "suite", "organisation", "status", "competence_count"]
    list_filter = ["status", "organisation", "suite"]
    search_fields = ["code", "reference", "title", "suite"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(competence_count=Count("competences"))

    @admin.display(description=_("suits levels"), ordering="suits_from")
    def suits(self, obj):
        return f"{obj.suits_from}–{obj.suits_to}"

    @admin.display(description=_("competences"), ordering="competence_count")
    def competence_count(self, obj):
        return obj.competence_count

    def uses(self, obj):
        return use_sentence(
            _("Competences linked to it"), [str(item) for item in obj.competences.all()]
        )


@admin.register(LearningOpportunity)
class LearningOpportunityAdmin(ContentAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "kind", "suits", "provider", "cost", "competence_count"]
    list_filter = ["kind", "suits_from", "suits_to"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "level", "provider", "description"]}),
        (_("Who it suits"), {"fields": ["suits_from", "suits_to"]}),
        (_("Where to find it"), {"fields": ["url", "cost", "caution"]}),
        (_("What it develops"), {"fields": ["competences"]}),
    ]
    search_fields = ["title", "provider", "description"]
    autocomplete_fields = ["competences"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(competence_count=Count("competences"))

    @admin.display(description=_("suits levels"), ordering="suits_from")
    def suits(self, obj):
        return f"{obj.suits_from}–{obj.suits_to}"

    @admin.display(description=_("competences"), ordering="competence_count")
    def competence_count(self, obj):
        return obj.competence_count
