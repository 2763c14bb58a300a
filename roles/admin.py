"""Admin for areas, levels and role profiles: how editors keep the framework right.

Every change is recorded in history and can be reverted; an area or a level that roles
use, or a role that requirements or moves rest on, is never deleted (see
``competences/content_admin.py``).
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from competences.content_admin import ContentAdmin, resting_on, use_sentence

from .models import Area, Level, RoleCompetence, RoleProfile
from .reverting import requirement_changes_since, revert_requirements


@admin.register(Area)
class AreaAdmin(ContentAdmin):
    list_display = ["name", "short_name", "position", "role_count"]
    list_editable = ["position"]
    search_fields = ["name", "short_name", "summary"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(role_count=Count("roles"))

    @admin.display(description=_("roles"), ordering="role_count")
    def role_count(self, obj):
        return obj.role_count

    def uses(self, obj):
        return use_sentence(_("Roles in this area"), [role.title for role in obj.roles.all()])


@admin.register(Level)
class LevelAdmin(ContentAdmin):
    list_display = ["number", "name", "indicative_band", "role_count"]
    list_display_links = ["number", "name"]
    search_fields = ["name", "descriptor"]
    fieldsets = [
        (None, {"fields": ["number", "name", "descriptor", "indicative_band"]}),
        (
            _("Norms for a role profile at this level"),
            {
                "description": _(
                    "The framework health report checks every role at this level against "
                    "these. Shares are per cent of the role's requirements."
                ),
                "fields": [
                    "deepest_proficiency",
                    "foundation_proficiency",
                    ("requirements_min", "requirements_max"),
                    ("essential_min", "essential_max"),
                    "expert_max",
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(role_count=Count("roles"))

    @admin.display(description=_("roles"), ordering="role_count")
    def role_count(self, obj):
        return obj.role_count

    def uses(self, obj):
        return use_sentence(_("Roles at this level"), [role.title for role in obj.roles.all()])


class RoleCompetenceInline(admin.TabularInline):
    model = RoleCompetence
    extra = 1
    autocomplete_fields = ["competence"]
    fields = ["competence", "proficiency", "requirement"]
    verbose_name = _("required competence")
    verbose_name_plural = _("required competences")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("competence")


@admin.register(RoleProfile)
class RoleProfileAdmin(ContentAdmin):
    list_display = [
        "title",
        "code",
        "level",
        "area_names",
        "lived_experience_route",
        "registered_profession",
        "competence_count",
    ]
    list_filter = ["level", "areas", "lived_experience_route", "registered_profession"]
    search_fields = ["title", "code", "purpose", "typical_job_titles"]
    # Stated here as well as on the model: the count below groups rows, and a grouped
    # query drops the model's ordering, so the role pickers paged in no fixed order.
    ordering = ["level__number", "title"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["areas"]
    inlines = [RoleCompetenceInline]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "code", "level", "indicative_band", "areas"]}),
        (
            _("The role"),
            {"fields": ["purpose", "responsibilities", "typical_job_titles"]},
        ),
        (
            _("Getting in and developing"),
            {
                "fields": [
                    "entry_requirements",
                    "education_and_training",
                    "continuing_development",
                    "registered_profession",
                    "lived_experience_route",
                    "lived_experience_text",
                ]
            },
        ),
        (
            _("Person specification"),
            {"fields": ["registration", "qualifications", "experience"]},
        ),
    ]

    object_history_form_template = "admin/roles/roleprofile/object_history_form.html"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """The revert page also lists the requirements changed since the version, and
        can put them back with the role."""
        history = RoleProfile.history.model
        version = None
        if str(version_id).isdigit() and int(version_id) < 2**31:
            # Anything else is no version: the page answers 404, as for any item.
            version = (
                history.objects.filter(history_id=int(version_id))
                .values_list("id", "history_date")
                .first()
            )
        changes = []
        if version is not None and str(version[0]) == str(unquote(object_id)):
            changes = requirement_changes_since(version[0], version[1])
        context = {**(extra_context or {}), "requirements_changed": changes}
        response = super().history_form_view(request, object_id, version_id, context)
        if (
            request.method == "POST"
            and request.POST.get("revert_requirements")
            and response.status_code == 302
            and changes
        ):
            count = revert_requirements(version[0], version[1])
            self.message_user(
                request,
                ngettext(
                    "%(count)d requirement was put back as it was.",
                    "%(count)d requirements were put back as they were.",
                    count,
                )
                % {"count": count},
            )
        return response

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("level")
            .prefetch_related("areas")
            .annotate(competence_count=Count("requirements", distinct=True))
        )

    def uses(self, obj):
        """What deleting the role would take with it: its requirements, the moves into
        and out of it, and anything else that rests on a role."""
        needs = [
            f"{need.competence.code} {need.competence.title}"
            for need in obj.requirements.select_related("competence").order_by(
                "competence__tree_id", "competence__lft"
            )
        ]
        moves = [
            *obj.moves_out.select_related("to_role"),
            *obj.moves_in.select_related("from_role"),
        ]
        moves = [f"{move.from_role.title} → {move.to_role.title}" for move in moves]
        return [
            *use_sentence(_("Competences it requires"), needs),
            *use_sentence(_("Moves into or out of it"), moves),
            *resting_on(obj, known={"requirements", "moves_out", "moves_in"}),
        ]

    @admin.display(description=_("areas"))
    def area_names(self, obj):
        return ", ".join(area.short_name for area in obj.areas.all())

    @admin.display(description=_("competences"), ordering="competence_count")
    def competence_count(self, obj):
        return obj.competence_count


@admin.register(RoleCompetence)
class RoleCompetenceAdmin(ContentAdmin):
    """All requirements in one list, for finding which roles need what."""

    list_display = ["role", "competence", "proficiency", "requirement"]
    list_filter = ["requirement", "proficiency", "role__level", "role__areas"]
    search_fields = ["role__title", "competence__code", "competence__title"]
    autocomplete_fields = ["role", "competence"]
    list_select_related = ["role", "competence"]

    def history_title(self, obj) -> str:
        return _("%(role)s needs %(code)s %(title)s") % {
            "role": obj.role.title,
            "code": obj.competence.code,
            "title": obj.competence.title,
        }
