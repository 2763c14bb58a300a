"""Addresses reversed, and paths resolved, once per process rather than once per use.

Long pages link hundreds of competences and roles, and Django's ``reverse()`` costs
tens of microseconds a call; the page cache resolves the path of every page it may
serve, which costs more. Both depend only on the URL configuration, the script prefix
the site is served under and the arguments, never on the content, so each is worked out
once and remembered; a hit costs a dictionary lookup.
"""

from functools import lru_cache
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.urls import Resolver404, get_script_prefix, get_urlconf, resolve, reverse

# Enough for every item at a hundred times today's content; older ones are dropped first.
REMEMBERED = 65536


@lru_cache(maxsize=REMEMBERED)
def _reversed(viewname: str, args: tuple, kwargs: tuple, prefix: str, urlconf: str) -> str:
    return reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


def address(viewname: str, *args, **kwargs) -> str:
    """``reverse(viewname, args=args, kwargs=kwargs)``, remembered for this process."""
    return _reversed(
        viewname,
        args,
        tuple(kwargs.items()),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )


# Paths come from requests, so their number has no bound: the oldest are dropped first.
RESOLVED = 4096


@lru_cache(maxsize=RESOLVED)
def _view_at(path: str, urlconf: str):
    try:
        return resolve(path, urlconf).func
    except Resolver404:
        return None


def view_at(path: str):
    """The view function that serves ``path`` (a path, no query), or None when none does;
    remembered for this process."""
    return _view_at(path, get_urlconf() or settings.ROOT_URLCONF)


def item_address(viewname: str, key: str, value) -> str:
    """``reverse(viewname, kwargs={key: value})``, remembered for this process."""
    return address(viewname, **{key: value})


# ``{% address "app:name" arg ... %}``: ``{% url %}`` for the site's own templates, where
# the same few addresses repeat on every page (loaded by name, see TEMPLATES in settings).
register = template.Library()
register.simple_tag(address, name="address")


def public_address(path: str) -> str:
    """``path`` on the site's public address (``settings.PUBLIC_URL``), never on the Host
    a request named: a file or page kept in the cache must not carry the host of
    whichever request first built it."""
    return settings.PUBLIC_URL + path


def is_https_on(value: str, hosts) -> bool:
    """Whether ``value`` is an https address on one of ``hosts`` (an address that cannot
    be read as one is not)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and (parts.hostname or "") in hosts
