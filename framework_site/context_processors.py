"""Values every template needs."""

from django.conf import settings


def site(request):
    """The service name shown in the header and in every page title."""
    return {"service_name": settings.SERVICE_NAME}
