"""The admin site, hardened: a hostile request gets a 4xx or the plain form, never a
server error, and editors' writes happen one at a time.

``FrameworkAdminSite`` is Django's default admin site here (put in place by
``core.admin_apps.AdminConfig``), and it mixes ``GuardedAdmin`` into every ModelAdmin
registered on it, Django's own (users, groups) included, so a model registered tomorrow
is covered without anyone remembering to. What it guards:

- An add form's prefill (``?parent=``, ``?competences=1,2``, ``?role=``): each value is
  checked against the form's own field, and one the field would refuse (text, NaN, a
  number beyond any key, an item that does not exist) is left out, so the form opens
  empty rather than failing to draw its picker.
- Actions (``delete_selected`` and the rest): a selected identifier that cannot be a
  key of the model is ignored, as if its box had not been ticked.
- Forms with inline rows: a formset that claims more rows than the admin ever shows
  (``DEFAULT_MAX_NUM``), or more than the request carries fields (every row sends at
  least one), is refused with 400 at once, before thousands of empty forms are built.
- Inline rows (a role's requirements, a move's drops, a pay table's bands) check the
  model's unique constraints against the rows already stored, which Django leaves out
  for the constraints that name the parent: a requirement already listed is a form
  error, not a database error, from a form read before someone else added it.
- Every save, delete or action holds ``core.locks.EDITS`` for its whole transaction,
  so on PostgreSQL, as on SQLite, a form's checks (unique codes, a requirement listed
  once) read what the previous editor committed, and two editors adding the same row
  at once get a form error, not a database error.
- Signing in: a username longer than the user model keeps is a form error (Django's
  form knows the limit but does not check it; the lockout's table then overflowed on
  PostgreSQL), and after signing in, a ``next`` address that is off the site or names
  no admin page gives way to the admin's index.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import BadRequest, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import DatabaseError, transaction
from django.db.models import UniqueConstraint
from django.forms.formsets import DEFAULT_MAX_NUM
from django.forms.models import InlineForeignKeyField
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import locks
from .text import clean_text

# What a field's check may raise on junk besides ValidationError: a lookup with text
# for a number, a number no column can hold, a value the database refuses.
JUNK_ERRORS = (ValidationError, ValueError, TypeError, OverflowError, DatabaseError)
FORMSET_COUNTS = ("-TOTAL_FORMS", "-INITIAL_FORMS")


def accepts(field: forms.Field, value) -> bool:
    """Whether ``field`` would take ``value`` as it stands. A check that touches the
    database runs in a savepoint, so a refusal there leaves the transaction usable."""
    try:
        with transaction.atomic():
            field.clean(value)
    except JUNK_ERRORS:
        return False
    return True


def is_key(model, value: str) -> bool:
    """Whether ``value`` could be the primary key of a ``model`` row: the right type,
    and within the column's range."""
    field = model._meta.pk
    try:
        field.run_validators(field.to_python(value))
    except JUNK_ERRORS:
        return False
    return True


def refuse_oversized_formsets(request) -> None:
    """Refuse, with 400, a form claiming more inline rows than it could hold."""
    most = min(DEFAULT_MAX_NUM, len(request.POST))
    for key, value in request.POST.items():
        if not key.endswith(FORMSET_COUNTS):
            continue
        try:
            rows = int(value)
        except ValueError:
            continue  # the formset itself says its management data was tampered with
        if rows > most:
            raise BadRequest(f"{key} says {rows} rows; this form holds at most {most}.")


class InlineConstraintsForm(forms.ModelForm):
    """An inline row that checks the unique constraints naming its parent.

    Django checks a row's model constraints with the parent's field left out (the
    parent may not be saved yet), so a constraint such as "a role lists a competence
    once" was checked only among the rows sent together, and a row already stored
    surfaced as an IntegrityError on saving."""

    def validate_unique(self):
        super().validate_unique()
        parents = {
            name for name, field in self.fields.items() if isinstance(field, InlineForeignKeyField)
        }
        if not parents:
            return
        exclude = self._get_validation_exclusions() - parents
        for model, constraints in self.instance.get_constraints():
            for constraint in constraints:
                if isinstance(constraint, UniqueConstraint) and parents & set(constraint.fields):
                    try:
                        constraint.validate(model, self.instance, exclude=exclude)
                    except ValidationError as error:
                        self._update_errors(error)


_checked_forms: dict[type, type] = {}


def checked_inline_form(form: type) -> type:
    """``form`` with ``InlineConstraintsForm``'s check, made once per form class."""
    if issubclass(form, InlineConstraintsForm):
        return form
    if form not in _checked_forms:
        _checked_forms[form] = type(form.__name__, (InlineConstraintsForm, form), {})
    return _checked_forms[form]


class GuardedAdmin:
    """Mixed into every ModelAdmin on the site (see the module's docstring)."""

    @contextmanager
    def _writing(self, request) -> Iterator[None]:
        """Around a view: for a POST, refuse impossible formsets, then hold the editors'
        write lock until the view's transaction ends."""
        if request.method != "POST":
            yield
            return
        refuse_oversized_formsets(request)
        with locks.holding(locks.EDITS):
            yield

    # Each view passes on whatever it is given: an admin may add arguments of its own.
    def changeform_view(self, request, *args, **kwargs):
        with self._writing(request):
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with self._writing(request):
            return super().changelist_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with self._writing(request):
            return super().delete_view(request, *args, **kwargs)

    def history_form_view(self, request, *args, **kwargs):
        # django-simple-history's revert; only admins that keep history route here.
        with self._writing(request):
            return super().history_form_view(request, *args, **kwargs)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            inline.form = checked_inline_form(inline.form)
        return inlines

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not initial:
            return initial
        fields = self.get_form(request, None, change=False).base_fields
        return {
            name: value
            for name, value in initial.items()
            if name in fields and accepts(fields[name], value)
        }

    def response_action(self, request, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        usable = [value for value in selected if is_key(self.model, value)]
        if usable != selected:
            data = request.POST.copy()
            data.setlist(ACTION_CHECKBOX_NAME, usable)
            request.POST = data
        return super().response_action(request, queryset)


class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in form, refusing a username longer than any account's.

    The username typed is cleaned as all typed text is (``core.text``): control
    characters and bidirectional overrides, which no username holds, are dropped
    before it is checked, looked up or shown back on the form."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        if self.is_bound and isinstance(self.data.get("username"), str):
            self.data = self.data.copy()
            self.data["username"] = clean_text(self.data["username"])
        # Django sets the field's max_length after the field is built, which draws the
        # input's maxlength but never checks it; the fields are this form's own copies.
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class FrameworkAdminSite(admin.AdminSite):
    site_header = settings.SERVICE_NAME
    site_title = settings.SERVICE_NAME
    login_form = SignInForm

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, GuardedAdmin):
            admin_class = type(
                admin_class.__name__,
                (GuardedAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)

    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        if REDIRECT_FIELD_NAME in request.GET and not self.lands(request, request.GET):
            request.GET = request.GET.copy()
            request.GET[REDIRECT_FIELD_NAME] = index
        if request.method == "POST" and not self.lands(request, request.POST):
            data = request.POST.copy()
            data[REDIRECT_FIELD_NAME] = index
            request.POST = data
        return super().login(request, extra_context)

    def lands(self, request, data) -> bool:
        """Whether ``data``'s ``next`` (absent is fine: Django then goes to the index)
        is an address on this site naming one of the admin's pages."""
        if REDIRECT_FIELD_NAME not in data:
            return True
        address = data[REDIRECT_FIELD_NAME]
        if any(character <= " " or character == "\x7f" for character in address):
            # Address parsers quietly drop spaces and control characters that the
            # redirect then keeps (" /admin/" would land on "/%20/admin/").
            return False
        if not url_has_allowed_host_and_scheme(
            address, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return False
        try:
            match = resolve(urlsplit(address).path)
        except (Resolver404, ValueError):
            return False
        return self.name in match.namespaces and match.url_name is not None
