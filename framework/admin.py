"""The framework health report in the admin: what to put right, and warnings accepted.

The report takes the place of the accepted warnings' list: editors open it from the
admin's index, read each error and warning with a link to fix it, and accept a warning
with a reason (or withdraw an acceptance). Errors cannot be accepted.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import clean_text

from .health import ERROR, current_warning, health_report
from .models import AcceptedWarning

REASON_MAX = 1000


class AcceptForm(forms.Form):
    key = forms.CharField(max_length=300, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Why is this right as it stands?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={
            "required": gettext_lazy("Give a reason for accepting the warning."),
            "max_length": gettext_lazy("Keep the reason to %(limit_value)d characters or fewer."),
        },
    )

    def clean_reason(self):
        reason = clean_text(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason for accepting the warning."))
        return reason


@admin.register(AcceptedWarning)
class FrameworkHealthAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request):
        return False  # warnings are accepted from the report, with the report's own form

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("", view(self.changelist_view), name=f"{name}_changelist"),
            path("accept/", view(self.accept_view), name=f"{name}_accept"),
            path("<int:pk>/withdraw/", view(self.withdraw_view), name=f"{name}_withdraw"),
        ]

    def _url(self, action: str, *args) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{action}", args=args)

    def changelist_view(self, request, extra_context=None, *, form=None, status=200):
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = health_report()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Framework health report"),
            "report": report,
            "error_results": [r for r in report.results if r.check.severity == ERROR],
            "warning_results": [r for r in report.results if r.check.severity != ERROR],
            "can_accept": request.user.has_perm("framework.add_acceptedwarning"),
            "can_withdraw": request.user.has_perm("framework.delete_acceptedwarning"),
            "accept_url": self._url("accept"),
            "failed_form": form,
            "reason_max": REASON_MAX,
        }
        response = TemplateResponse(request, "admin/framework/health_report.html", context)
        response.status_code = status
        return response

    def accept_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("framework.add_acceptedwarning"):
            raise PermissionDenied
        form = AcceptForm(request.POST)
        if not form.is_valid():
            return self.changelist_view(request, form=form, status=400)
        key = form.cleaned_data["key"]
        warning = current_warning(key)
        if warning is None:
            messages.error(
                request,
                _(
                    "That warning is not raised now, or it is an error, which cannot be "
                    "accepted. Nothing was changed."
                ),
            )
            return HttpResponseRedirect(self._url("changelist"))
        AcceptedWarning.objects.update_or_create(
            key=key,
            defaults={
                "summary": warning.message[:500],
                "reason": form.cleaned_data["reason"],
                "accepted_by": request.user,
            },
        )
        messages.success(request, _("Warning accepted: %(summary)s") % {"summary": warning.message})
        return HttpResponseRedirect(self._url("changelist") + "#accepted")

    def withdraw_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("framework.delete_acceptedwarning"):
            raise PermissionDenied
        deleted, _rows = AcceptedWarning.objects.filter(pk=pk).delete()
        if deleted:
            messages.success(request, _("Acceptance withdrawn: the warning is open again."))
        else:
            messages.error(request, _("That acceptance was already withdrawn."))
        return HttpResponseRedirect(self._url("changelist"))
