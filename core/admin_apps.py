"""Django's admin, with the project's hardened site as its default site."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """``django.contrib.admin`` whose ``admin.site`` is ``core.admin_guards``' site."""

    default_site = "core.admin_guards.FrameworkAdminSite"
