"""System checks of the settings that ``manage.py check --deploy`` runs before a release."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

PUBLIC_URL_EXAMPLE = "https://framework.example.org"
# What settings.py falls back on, for a developer's machine.
LOCAL_DEFAULT = "http://localhost:8000"


@register(Tags.security, deploy=True)
def public_url_check(app_configs=None, **kwargs) -> list[Error]:
    """The public address is the site's own https address, not this machine's.

    Every absolute address the site writes (the CASE packages' URIs, the source notes in
    Word files and workbooks) starts with it, and files are kept and shared, so a wrong
    one reaches every reader.
    """
    url = settings.PUBLIC_URL
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        problem = f"names no host: {url!r}"
    elif _this_machine(host):
        problem = (
            f"names this machine, which no reader can reach: {url!r} (without "
            f"DJANGO_PUBLIC_URL it is {LOCAL_DEFAULT})"
        )
    elif parts.scheme != "https":
        problem = f"is not an https address: {url!r}"
    else:
        return []
    return [
        Error(
            f"The site's public address, DJANGO_PUBLIC_URL, {problem}.",
            hint=(
                "Set DJANGO_PUBLIC_URL to the https address readers use, such as "
                f"{PUBLIC_URL_EXAMPLE}: every CASE URI and the source note in every Word "
                "file and workbook start with it."
            ),
            id="core.E001",
        )
    ]


def _this_machine(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified
