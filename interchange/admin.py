"""The framework version in the admin, and importing the whole framework from a file.

Editors with the "Can import the framework from a file" permission upload the JSON
document or the Excel workbook, read a preview of every change (worked out by a dry run
that writes nothing), and confirm it. The upload waits in ``PendingImport`` between the
two steps, so any worker can serve the preview and the confirmation. Confirming is
refused when the stored framework changed after the preview was made: the editor sees
the preview again, worked out against what is stored now. The preview itself (the dry
run, its stored report and the words that differ) is in ``import_preview.py``.
"""

import datetime
import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.models import FrameworkVersion
from core.spreadsheets import XLSX_TYPE, attachment
from core.uploads import KeptInMemory

from .errors import ContentError
from .formats import blank_workbook_bytes
from .import_preview import (
    file_version,
    preview,
    preview_entities,
    report_from_data,
    stored_version,
    totals,
)
from .importing import import_framework, plain_size, size_limit
from .load_report import LoadReport
from .models import PendingImport

IMPORT_PERMISSION = "interchange.import_framework"
KEPT_FOR = datetime.timedelta(days=1)
ACCEPTED_SUFFIXES = (".json", ".xlsx")
# A multipart body holds the file plus its part headers and the CSRF token; a body this
# much larger than the size limit cannot hold a file within it.
MULTIPART_ALLOWANCE = 64 * 1024


class ImportUploadHandler(KeptInMemory):
    """Keeps the uploaded file in memory, never on disk, up to one byte past the size
    limit, while counting its real size so the form can say how large it was."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.file_limit = self.request_limit = size_limit()


def too_large(size: int, *, about: bool = False) -> str:
    values = {"size": plain_size(size), "limit": plain_size(size_limit())}
    if about:
        return (
            _(
                "The file is too large: the upload is about %(size)s, and the largest file "
                "accepted is %(limit)s."
            )
            % values
        )
    return (
        _("The file is too large: it is %(size)s, and the largest file accepted is %(limit)s.")
        % values
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Framework file"),
        help_text=gettext_lazy(
            "The framework as a JSON file (.json) or an Excel workbook (.xlsx), such as one "
            "downloaded from the open data page or made from the blank template."
        ),
        widget=forms.FileInput(attrs={"accept": ".json,.xlsx,application/json," + XLSX_TYPE}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > size_limit():
            raise forms.ValidationError(too_large(upload.size))
        if not upload.name.lower().endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError(
                _(
                    "“%(name)s” is neither a JSON file (.json) nor an Excel workbook (.xlsx). "
                    "Save the framework in one of those formats and choose it again."
                )
                % {"name": upload.name}
            )
        return upload


def refused_form(message: str) -> ImportForm:
    """The empty upload form showing why the last file was refused."""
    form = ImportForm()
    form.errors["file"] = form.error_class([message])
    return form


# The admin ----------------------------------------------------------------------------------


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    """A read-only page with the version of the content, and the way in to importing."""

    readonly_fields = ["number", "last_changed"]
    actions = None

    # The version is printed on every export, so every editor may see it; nobody edits it.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        def view(function, **options):
            return self.admin_site.admin_view(function, **options)

        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import/", view(self.upload_view), name=f"{name}_import"),
            path("import/<int:pk>/", view(self.preview_view), name=f"{name}_import_preview"),
            path(
                "blank-template/",
                view(self.blank_template_view),
                name=f"{name}_blank_template",
            ),
            *super().get_urls(),
        ]

    def _url(self, action: str, *args) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{action}",
            args=args,
        )

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "version_url": self._url("changelist"),
            "import_url": self._url("import"),
            "limit": plain_size(size_limit()),
            **extra,
        }

    def _check_import_permission(self, request) -> None:
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        number, last_changed = stored_version()
        context = self._context(
            request,
            _("Framework version"),
            number=number,
            last_changed=last_changed,
            can_import=request.user.has_perm(IMPORT_PERMISSION),
            template_url=self._url("blank_template"),
            **(extra_context or {}),
        )
        return TemplateResponse(request, "admin/interchange/version.html", context)

    def blank_template_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return attachment(
            blank_workbook_bytes(),
            filename="framework-import-template.xlsx",
            content_type=XLSX_TYPE,
        )

    # Upload ------------------------------------------------------------------------------

    @csrf_exempt
    def upload_view(self, request):
        # The upload handler can only be swapped before the body is read, and the CSRF
        # check reads it; so the check runs here, after the permission and size checks.
        self._check_import_permission(request)
        if request.method == "POST":
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if length > size_limit() + MULTIPART_ALLOWANCE:
                # Refused without reading the body: nothing is written either way.
                return self._upload_page(request, refused_form(too_large(length, about=True)))
            request.upload_handlers = [ImportUploadHandler(request)]
        return csrf_protect(self._upload)(request)

    def _upload(self, request):
        if request.method != "POST":
            return self._upload_page(request, ImportForm())
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._upload_page(request, form)
        upload = form.cleaned_data["file"]
        data = upload.read()
        pending = PendingImport(
            name=upload.name[:255],
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=request.user,
        )
        try:
            preview(pending)
            pending.file_version, pending.file_last_changed = file_version(data, upload.name)
        except ContentError as error:
            form.add_error("file", str(error))
            return self._upload_page(request, form)
        PendingImport.objects.filter(uploaded_at__lt=timezone.now() - KEPT_FOR).delete()
        pending.save()
        return HttpResponseRedirect(self._url("import_preview", pending.pk))

    def _upload_page(self, request, form: ImportForm):
        context = self._context(request, _("Import the framework from a file"), form=form)
        return TemplateResponse(request, "admin/interchange/import_form.html", context)

    # Preview and confirm -----------------------------------------------------------------

    def preview_view(self, request, pk: int):
        self._check_import_permission(request)
        pending = PendingImport.objects.filter(
            pk=pk, uploaded_by=request.user, uploaded_at__gte=timezone.now() - KEPT_FOR
        ).first()
        if request.method == "POST":
            if pending is None:
                messages.warning(
                    request,
                    _(
                        "That upload is no longer kept (uploads are kept for a day). "
                        "Choose the file again."
                    ),
                )
                return HttpResponseRedirect(self._url("import"))
            return self._confirm(request, pending)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        if pending is None:
            raise Http404(_("No upload of yours is waiting with that number."))
        return self._preview_page(request, pending)

    def _confirm(self, request, pending: PendingImport):
        with transaction.atomic():
            # Held until the import commits, so no other import can slip in between.
            locked = FrameworkVersion.objects.select_for_update().filter(pk=1).first()
            now = (locked.number, locked.last_changed) if locked else (0, None)
            stale = now != (pending.based_on_version, pending.based_on_last_changed)
            if not stale:
                try:
                    report = import_framework(bytes(pending.data), name=pending.name)
                except ContentError as error:
                    return self._refused(request, pending, error)
                name = pending.name
                pending.delete()
                version = FrameworkVersion.objects.get(pk=1)
                self.log_change(request, version, _("Imported the framework from %s.") % name)
        if stale:
            return self._preview_again(request, pending)
        messages.success(request, self._imported_message(name, report, version))
        return HttpResponseRedirect(self._url("changelist"))

    def _preview_again(self, request, pending: PendingImport):
        try:
            preview(pending)
        except ContentError as error:
            return self._refused(request, pending, error)
        pending.save(update_fields=["report", "based_on_version", "based_on_last_changed"])
        notice = _(
            "The stored framework changed after this preview was made, so nothing was "
            "imported. The preview below has been worked out again against the framework as "
            "it is now; check it and confirm again."
        )
        return self._preview_page(request, pending, notice=notice)

    def _refused(self, request, pending: PendingImport, error: ContentError):
        pending.delete()
        return self._upload_page(request, refused_form(str(error)))

    def _imported_message(self, name: str, report: LoadReport, version) -> str:
        counts = totals(report)
        return _(
            "Imported the framework from “%(name)s”: %(added)s added, %(changed)s changed, "
            "%(removed)s removed. The framework is now version %(version)s."
        ) % {**counts, "name": name, "version": version.number}

    def _preview_page(self, request, pending: PendingImport, notice: str = ""):
        report = report_from_data(pending.report)
        number, last_changed = pending.based_on_version, pending.based_on_last_changed
        context = self._context(
            request,
            _("Check the changes before importing"),
            pending=pending,
            notice=notice,
            entities=preview_entities(report),
            totals=totals(report),
            changed=report.changed,
            stored_number=number,
            stored_last_changed=last_changed,
            version_moves_back=(pending.file_version is not None and pending.file_version < number),
            size=plain_size(len(pending.data)),
            preview_url=self._url("import_preview", pending.pk),
        )
        return TemplateResponse(request, "admin/interchange/import_preview.html", context)
