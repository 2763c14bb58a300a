"""The site's addresses. Page addresses follow the design's page map and never change."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import health

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("", include("workforce.urls")),
    path("", include("roles.urls")),
    path("", include("competences.urls")),
    path("", include("framework.urls")),
    path("pathways/", include("pathways.urls")),
    path("", include("pathways.ways_in_urls")),
    path("export/", include("interchange.urls")),
    # The CASE 1.0 REST binding's base path.
    path("ims/case/v1p0/", include("interchange.case_urls")),
]

# Form data over the size limit gets 413 and a plain page, not Django's 400.
handler400 = "core.serving.bad_request"
