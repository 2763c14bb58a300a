"""Site-wide HTTP behaviour that belongs to no single app."""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The strict policy everywhere, except that admin pages may use inline styles.

    Django's admin and django-mptt's tree indent rows with style attributes; our own
    pages never do, so they keep style-src 'self' with no exceptions.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith("/" + settings.ADMIN_URL):
            parts.update = (parts.update or {}) | {"style-src": [UNSAFE_INLINE]}
        return parts
