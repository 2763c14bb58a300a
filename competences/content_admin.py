"""What every content ModelAdmin shares: history with revert, and safe deletion.

History: each object's "History" page lists who changed it and when, with the
difference from the version before, field by field; opening a version offers to revert
to it. One save in the admin writes one historical record, after the form's
many-to-many links and inline rows are saved, so a record always holds the row and its
links as they were stored together (django-simple-history on its own would write a
record for the row and another for each change to its links).

Deletion: reference data that other content uses (an area or a level with roles, a
standard linked to competences, a competence that roles need, a role with requirements
or moves) is never deleted, and its links never silently removed; the editor is told
what uses it instead, on the delete page and in the list's "delete selected" action.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from .history import ADDED, CHANGED, history_bulk_record

# How many of the things that use an item a refusal names before saying "and N more".
NAMED_USES = 10


def names_in_full(names: list[str]) -> str:
    """``names`` joined for a sentence, the first NAMED_USES of them, then how many more."""
    shown = "; ".join(names[:NAMED_USES])
    more = len(names) - NAMED_USES
    if more > 0:
        shown += " " + ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more}
    return shown


class WordedChanges(HistoricalRecordContextHelper):
    """History's changes in words: a field with choices shows its labels ("Working →
    Proficient"), not the numbers or codes stored."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if getattr(field, "choices", None) and not isinstance(value, (list, tuple)):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class ContentAdmin(SimpleHistoryAdmin):
    """A ModelAdmin for framework content: recorded, revertible, and careful to delete."""

    def get_historical_record_context_helper(self, request, historical_record):
        return WordedChanges(self.model, historical_record)

    def history_view_title(self, request, obj):
        """The history page names what the item is, for rows whose own name is short."""
        return _("Change history: %(item)s") % {"item": self.history_title(obj)}

    def history_title(self, obj) -> str:
        return str(obj)

    def uses(self, obj) -> list[str]:
        """Sentences naming what uses ``obj``; any at all refuse its deletion."""
        return []

    # --- One historical record per admin save --------------------------------------

    def save_model(self, request, obj, form, change):
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        self._record(request, obj, ADDED)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record(request, obj, CHANGED)
        return super().log_change(request, obj, message)

    def _record(self, request, obj, history_type: str) -> None:
        """Write the record that ``save_model`` held back, once everything is saved.

        The admin logs a change after the object, its links and its inline rows are
        saved (a normal save, a list edit and a revert alike), so the record is written
        from the stored row. Changes made elsewhere (a drag-and-drop move, say) were
        recorded by their own save and are not recorded twice.
        """
        if not hasattr(obj, "skip_history_when_saving"):
            return
        del obj.skip_history_when_saving
        stored = type(obj)._default_manager.get(pk=obj.pk)
        if history_type == CHANGED and _same_as_last_record(stored):
            return  # saved as it was: no change to log
        history_bulk_record(type(obj), [stored], history_type, user=request.user)

    # --- Revert -----------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        record = to_historic(obj) if obj is not None else None
        if record is None or not record._history_m2m_fields:
            return form
        # The revert form starts from the version's links, not today's.
        initial = {
            field.name: list(
                getattr(record, field.name).values_list(
                    get_m2m_reverse_field_name(field), flat=True
                )
            )
            for field in record._history_m2m_fields
        }

        class RevertForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.initial.update(initial)

        return RevertForm

    # --- Deletion -----------------------------------------------------------------------

    # --- History pages ----------------------------------------------------------------

    # django-simple-history queries with the identifiers in the address as they are, so
    # "/history/abc/" raised a server error; an identifier that cannot be one is a 404.
    def history_view(self, request, object_id, extra_context=None):
        _identifier_or_404(self.model._meta.pk, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        _identifier_or_404(self.model._meta.pk, unquote(object_id))
        _identifier_or_404(history.model._meta.pk, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            uses = self.uses(obj)
            if uses:
                self.message_user(request, self.refusal(obj, uses), messages.ERROR)
                opts = self.model._meta
                return redirect(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", obj.pk
                )
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        # The list's "delete selected" action asks here first: an item in use stops it.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for obj in objs:
            protected += [f"{capfirst(str(obj))}: {use}" for use in self.uses(obj)]
        return deleted, counts, perms_needed, protected

    def refusal(self, obj, uses: list[str]) -> str:
        return _("“%(item)s” was not deleted, because it is in use. %(uses)s") % {
            "item": obj,
            "uses": " ".join(uses),
        }


def _identifier_or_404(field, value: str) -> None:
    try:
        field.to_python(value)
    except ValidationError as error:
        raise Http404 from error


def resting_on(obj, *, known: set[str]) -> list[str]:
    """Sentences for the content rows that a delete of ``obj`` would take with it
    (its model's cascading reverse links), other than the links named in ``known``,
    which the caller describes itself: so content added later is protected too."""
    found = []
    for relation in obj._meta.related_objects:
        accessor = relation.get_accessor_name()
        if (
            not relation.one_to_many
            or accessor is None
            or relation.on_delete is not models.CASCADE
            or accessor in known
            or not getattr(relation.related_model, "history", None)
        ):
            continue
        rows = [str(row) for row in getattr(obj, accessor).all()]
        found += use_sentence(capfirst(relation.related_model._meta.verbose_name_plural), rows)
    return found


def use_sentence(label: str, names: list[str]) -> list[str]:
    """``["Label: a; b; c."]``, or nothing when ``names`` is empty."""
    return [f"{label}: {names_in_full(names)}."] if names else []


def _same_as_last_record(stored) -> bool:
    """Whether ``stored`` holds exactly what its latest history record holds: every
    recorded field and every recorded many-to-many link. Saving a form unchanged then
    logs nothing."""
    latest = stored.history.order_by("-history_date", "-history_id").first()
    if latest is None:
        return False
    for field in stored._meta.concrete_fields:
        try:
            recorded = latest._meta.get_field(field.name)
        except Exception:  # a field history leaves out (the tree's numbers)
            continue
        if getattr(latest, recorded.attname) != getattr(stored, field.attname):
            return False
    for field in getattr(latest, "_history_m2m_fields", []):
        name = get_m2m_reverse_field_name(field)
        then = set(getattr(latest, field.name).values_list(name, flat=True))
        now = set(getattr(stored, field.name).values_list("pk", flat=True))
        if then != now:
            return False
    return True
