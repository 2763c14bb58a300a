"""Property-based fuzzing of every public address and of the admin: its lists, pickers,
add and change forms' prefill, actions, cookies and sign-in.

The public addresses are found, not listed: every pattern in the URL configuration
(includes too, the admin and static files left out) is a test case, so a page added
tomorrow is fuzzed without editing this file. Valid values come from the seeded
database and from the site's own links and GET forms, found by following them from
the pages that need no value; which query parameters a page reads is learnt the same
way, together with the names the views read from ``request.GET`` in the source.

Each generated address mixes valid values with hostile ones (control characters,
unicode, very long values, traversal, SQL, markup, template syntax, open-redirect
targets, broken percent-encoding) in path segments and in query strings, and is sent
as GET and as HEAD. Whatever comes back: never a server error, HEAD agrees with GET,
nothing from the input echoed as live markup, and a redirect never leaves the site.

The admin's forms, actions and sign-in are sent junk where identifiers, prefills,
usernames and ``next`` addresses go, and the session and CSRF cookies are spoilt: the
answer is the plain form, a refusal (4xx) or a redirect that stays on the site.

Bounded so that the file takes about a minute on SQLite on a two-core machine; set
FUZZ_EXAMPLES to a larger number to search longer. In CI (``CI`` set) the examples are
derandomized, so a failure there is seen again on the next run.
"""

import io
import itertools
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import get_converters
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.urls.resolvers import RoutePattern
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from interchange.loading import framework_is_empty

BASE_DIR = Path(django_settings.BASE_DIR)

# --- Bounds -------------------------------------------------------------------------

settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")),
    deadline=None,
    # One client and one database transaction serve every example of a test.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # Shrink a failure to its simplest address, but skip the slow explaining pass.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    # Nothing is written into the checkout; a failure prints the example to replay.
    database=None,
)
settings.register_profile("fuzz-ci", parent=settings.get_profile("fuzz"), derandomize=True)
FUZZ = settings.get_profile("fuzz-ci" if os.environ.get("CI") else "fuzz")
# The admin's pages are slower and fewer; they get fewer examples each.
ADMIN_FUZZ = settings(FUZZ, max_examples=max(4, FUZZ.max_examples // 2))

# --- Hostile input ------------------------------------------------------------------

# Markers that are live markup only when echoed unescaped.
LIVE_MARKUP = ("<script>alert(7331)", "<svg onload=alert(7331)", "<img src=x onerror=alert(7331)")
# What a template engine evaluating the input would print ({{ 7331|add:7331 }}).
EVALUATED = "14662"
INJECTIONS = [
    "<script>alert(7331)</script>",
    '"><svg onload=alert(7331)>',
    "'><img src=x onerror=alert(7331)>",
    "javascript:alert(7331)",
    "{{ 7331|add:7331 }}",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{% load log %}{% get_admin_log 10 as log %}",
    "${7*7}",
    "' OR '1'='1",
    "1; DROP TABLE roles_roleprofile;--",
    "1' UNION SELECT password FROM auth_user--",
    "%' OR 1=1 --",
    "\\",
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "//evil.example/",
    "/\\evil.example",
    "https://evil.example/",
    "\r\nSet-Cookie: fuzz=1",
    "\x00",
    "a\x00b",
    "",
    " ",
    "-",
    "0",
    "-1",
    "1e99",
    "NaN",
    "9" * 30,
    "2147483648",
    "9223372036854775808",
]
UNICODE = [
    "\u202eevil",  # right-to-left override
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew, written right to left
    "e\u0301\u0301\u0301",  # combining marks
    "\U0001f9d1\u200d\u2695\ufe0f",  # emoji sequence with a zero-width joiner
    "\U0001f4a9",
    "\U00010348",  # astral, not a surrogate
    "\U0001d518\U0001d52b\U0001d526",
    "\ufeff",
    "\u0130",  # dotted capital I: its lower case is two characters
    "\u00df",
    "\ufb03",  # a ligature whose upper case is three letters
    "\uffff",
]
# Already percent-encoded: broken or tricky encodings, sent as they are.
RAW_ENCODED = ["%ff", "%c0%ae%c0%ae", "%", "%zz", "%00", "%2f", "%252e%252e", "%e2%80%ae", "%0d%0a"]

control_text = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F) | st.just("\x7f"),
    min_size=1,
    max_size=4,
)
long_text = st.builds(
    lambda unit, size: (unit * size)[:size],
    st.sampled_from(["x", "\u00e9", "<", "%", "\U0001f642", "a-", "0"]),
    st.sampled_from([300, 2_000, 10_000]),
)
hostile_text = st.one_of(
    st.sampled_from(INJECTIONS),
    control_text,
    st.sampled_from(UNICODE),
    long_text,
    st.text(max_size=20),  # any unicode but surrogates
)


def hostile_around(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Hostile text alone, or stuck to either end of a valid value."""
    return st.one_of(
        hostile_text,
        st.tuples(valid, hostile_text).map("".join),
        st.tuples(hostile_text, valid).map("".join),
    )


# --- The public addresses -----------------------------------------------------------

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Part:
    """A literal piece of an address, or a captured value with the regex it must match."""

    literal: str = ""
    kind: str = ""  # the converter's name ("slug", "int", "code", "str", ...) or "regex"
    regex: str = ""


@dataclass(frozen=True)
class Route:
    """One public URL pattern, as the pieces an address is built from."""

    route: str  # as Django reports it in ResolverMatch.route
    parts: tuple[Part, ...]

    @property
    def captures(self) -> bool:
        return any(part.kind for part in self.parts)


def _route_parts(pattern) -> tuple[Part, ...]:
    """Split a path() route or a simple re_path() regex into literal and captured parts."""
    text = str(pattern)
    converters = get_converters()
    if isinstance(pattern, RoutePattern):  # path()
        parts, last = [], 0
        for match in PARAMETER.finditer(text):
            parts.append(Part(literal=text[last : match.start()]))
            kind = match["converter"] or "str"
            parts.append(Part(kind=kind, regex=converters[kind].regex))
            last = match.end()
        parts.append(Part(literal=text[last:]))
        return tuple(part for part in parts if part.kind or part.literal)
    # re_path(): literal text and groups only, which is all this site and the admin use.
    text = text.removeprefix("^").removesuffix("$")
    parts, index, literal = [], 0, ""
    while index < len(text):
        if text[index] == "(":  # a group, named or not
            depth, end = 0, index
            while True:
                if text[end] == "\\":
                    end += 2
                    continue
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                if depth == 0:
                    break
                end += 1
            body = text[index + 1 : end]
            if body.startswith("?P<"):
                body = body[body.index(">") + 1 :]
            kind = next((name for name, conv in converters.items() if conv.regex == body), "regex")
            parts += [Part(literal=literal), Part(kind=kind, regex=body)]
            literal, index = "", end + 1
        elif text[index] == "\\":
            literal += text[index + 1]
            index += 2
        else:
            assert text[index] not in "()[]{}*+?|.", f"unsupported regex in {pattern!r}"
            literal += text[index]
            index += 1
    parts.append(Part(literal=literal))
    return tuple(part for part in parts if part.kind or part.literal)


def _join(route: str, more: str) -> str:
    # As django.urls.resolvers.URLResolver joins routes for ResolverMatch.route.
    return route + more.removeprefix("^")


def public_routes(patterns=None, prefix="", parts=()) -> list[Route]:
    """Every URL pattern the public can reach: includes followed, admin and files left out."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    skipped = tuple(
        address.lstrip("/")
        for address in (
            django_settings.ADMIN_URL,
            django_settings.STATIC_URL,
            django_settings.MEDIA_URL,
        )
        if address and address.lstrip("/")
    )
    found = []
    for entry in patterns:
        text = str(entry.pattern)
        if text.removeprefix("^").startswith(skipped):
            continue
        here = parts + _route_parts(entry.pattern)
        if isinstance(entry, URLResolver):
            if getattr(entry, "app_name", None) == "admin":
                continue
            found += public_routes(entry.url_patterns, _join(prefix, text), here)
        elif isinstance(entry, URLPattern):
            found.append(Route(route=_join(prefix, text), parts=here))
    return found


ROUTES = public_routes()

# Query-string names the views read, from the source: request.GET.get("x"), names kept
# in *_FIELD / *_PREFIX constants, and admin list filters' parameter_name.
SOURCE_NAMES = re.compile(
    r"""GET\.(?:get|getlist)\(\s*["']([\w.-]{1,40})["']"""
    r"""|^\w*(?:FIELD|PREFIX)\w* = ["']([\w.-]{1,40})["']"""
    r"""|parameter_name = ["']([\w.-]{1,40})["']""",
    re.MULTILINE,
)


def names_in_source() -> list[str]:
    names = set()
    for app in apps.get_app_configs():
        folder = Path(app.path)
        if not folder.is_relative_to(BASE_DIR) or ".venv" in folder.parts:
            continue
        for source in folder.rglob("*.py"):
            if "migrations" in source.parts:
                continue
            for match in SOURCE_NAMES.finditer(source.read_text(encoding="utf-8")):
                names.add(next(group for group in match.groups() if group))
    return sorted(names | {"next", "page", "format", "q"})


# --- What the seeded site offers: values, links and forms ---------------------------


def values_by_kind() -> dict[str, list[str]]:
    """Real slugs, codes and numbers from the project's own models."""
    found = defaultdict(set)
    for model in apps.get_models():
        if not Path(model._meta.app_config.path).is_relative_to(BASE_DIR):
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.SlugField):
                kind = "slug"
            elif model_field.name in ("code", "reference"):
                kind = "code"
            elif model_field.name == "number" and isinstance(model_field, models.IntegerField):
                kind = "int"
            else:
                continue
            values = model._default_manager.values_list(model_field.name, flat=True)
            found[kind] |= {str(value) for value in values if value not in ("", None)}
    found["int"] |= {str(number) for number in range(0, 12)}
    return {kind: sorted(values) for kind, values in found.items()}


class PageReader(HTMLParser):
    """The links on a page, and its GET forms with their fields and values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            get = (attrs.get("method") or "get").lower() == "get"
            self._form = (attrs.get("action") or "", []) if get else None
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            if attrs.get("name"):
                self._form[1].append((attrs["name"], attrs.get("value") or ""))
                self._select = attrs["name"] if tag == "select" else None
        elif self._form is not None and tag == "option" and self._select:
            self._form[1].append((self._select, attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


class SiteMap:
    """For each route: addresses the site itself links to, and the query parameters
    (with values) that its links and GET forms send to it."""

    def __init__(self):
        self.addresses: dict[str, list[str]] = defaultdict(list)
        self.parameters: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.values: dict[str, list[str]] = {}
        self.source_names: list[str] = []

    def __repr__(self):  # shown with every failing example: keep it short
        return f"<SiteMap of {len(self.addresses)} routes>"

    def note_address(self, address: str, base: str = "/") -> tuple[str, str] | None:
        """Record a same-site address; return its route and path, or None when it is
        not one of the site's pages."""
        parts = urlsplit(address)
        if parts.scheme or parts.netloc or address.startswith("#"):
            return None
        path = parts.path or base
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if path not in self.addresses[match.route]:
            self.addresses[match.route].append(path)
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            self.parameters[match.route][name].add(value)
        return match.route, path


def crawl(client: Client, values: dict[str, list[str]], most: int = 100) -> SiteMap:
    """Follow links and GET forms (sent as they are) from the pages that need no value,
    reading one page of each route, so that a bigger framework costs no more. Files (a
    name with a dot) are noted but not read: they hold no links. A route no link leads
    to is tried with values from the database."""
    site = SiteMap()
    site.values = values
    queue = ["/" + literal_path(route) for route in ROUTES if not route.captures]
    read = set()
    while queue and len(read) < most:
        found = site.note_address(queue.pop(0))
        if found is None or found[0] in read:
            continue
        route, path = found
        if "." in path.rstrip("/").rsplit("/", 1)[-1]:
            continue
        read.add(route)
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reader = PageReader()
        reader.feed(response.content.decode())
        for link in reader.links:
            if linked := site.note_address(link, base=path):
                queue.append(linked[1])
        for action, fields in reader.forms:
            if target := site.note_address(action or path, base=path):
                for name, value in fields:
                    site.parameters[target[0]][name].add(value)
                queue.append(target[1])
    for route in ROUTES:
        if route.captures and not site.addresses[route.route]:
            for path in addresses_from_database(route, values):
                if client.get(path).status_code < 400:
                    site.note_address(path)
                    break
    return site


def literal_path(route: Route) -> str:
    return "".join(part.literal for part in route.parts).lstrip("/")


def addresses_from_database(route: Route, values: dict[str, list[str]], most: int = 30):
    """Up to ``most`` addresses for a route, built from real values of each kind."""
    choices = []
    for part in route.parts:
        if part.kind:
            real = [value for value in values.get(part.kind, []) if re.fullmatch(part.regex, value)]
            choices.append(real[:most])
        else:
            choices.append([part.literal])
    for combination in itertools.islice(itertools.product(*choices), most):
        yield "/" + "".join(combination).lstrip("/")


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker) -> SiteMap:
    with django_db_blocker.unblock():
        # A test run in real transactions before this module may have emptied the
        # database; the crawl needs the seed content, as the ``seeded`` fixture does.
        if framework_is_empty():
            call_command("load_framework", stdout=io.StringIO())
        client = Client()
        found = crawl(client, values_by_kind())
        for path in case_service_addresses(client):
            found.note_address(path)
    found.source_names = names_in_source()
    return found


CASE_BASE = "/ims/case/v1p0"
# Which of a CASE package's lists holds the identifiers each CASE endpoint takes.
CASE_LISTS = {
    "CFItems": "CFItems",
    "CFItemAssociations": "CFItems",
    "CFAssociations": "CFAssociations",
    "CFRubrics": "CFRubrics",
    "CFItemTypes": "CFItemTypes",
    "CFConcepts": "CFConcepts",
    "CFSubjects": "CFSubjects",
    "CFLicenses": "CFLicenses",
    "CFAssociationGroupings": "CFAssociationGroupings",
}


def case_service_addresses(client) -> list[str]:
    """One address of each CASE endpoint that takes an identifier, from the packages the
    service itself lists: no page links to them, and their identifiers are UUIDs that no
    model field holds."""
    addresses = set()
    for document in client.get(f"{CASE_BASE}/CFDocuments").json()["CFDocuments"]:
        identifier = document["identifier"]
        addresses |= {
            f"{CASE_BASE}/CFDocuments/{identifier}",
            f"{CASE_BASE}/CFPackages/{identifier}",
        }
        package = client.get(f"{CASE_BASE}/CFPackages/{identifier}").json()
        lists = {**package, **package.get("CFDefinitions", {})}
        for endpoint, key in CASE_LISTS.items():
            if lists.get(key):
                addresses.add(f"{CASE_BASE}/{endpoint}/{lists[key][0]['identifier']}")
    return sorted(addresses)


# --- Building requests --------------------------------------------------------------


def encode_segment(data, value: str) -> str:
    """Percent-encode a value for the path; sometimes leave '/' and '%' alone, so that
    traversal and broken encodings arrive as they are."""
    if data.draw(st.booleans(), label="raw"):
        return quote(value, safe="/%")
    return quote(value, safe="")


def segment_value(data, part: Part, site: SiteMap) -> str:
    """A value for a captured part: real, merely well-formed, changed in case, or hostile."""
    real = site.values.get(part.kind) or []
    real = [value for value in real if re.fullmatch(part.regex, value)] or ["1"]
    valid = st.sampled_from(real)
    value = data.draw(
        st.one_of(
            valid,
            st.from_regex(part.regex, fullmatch=True),  # what the converter lets through
            valid.map(str.swapcase),
            valid.map(lambda value: "0" + value),
            hostile_around(valid),
            st.sampled_from(RAW_ENCODED),
        ),
        label=part.kind,
    )
    if value in RAW_ENCODED:
        return value
    return encode_segment(data, value)


OFF_SITE_PREFIXES = ["//evil.example", "/\\evil.example", "/%2f%2fevil.example", "/%5cevil.example"]


def path_for(data, route: Route, site: SiteMap) -> str:
    known = site.addresses.get(route.route)
    if known and data.draw(st.booleans(), label="a linked address"):
        path = data.draw(st.sampled_from(known))
    else:
        pieces = []
        for part in route.parts:
            if part.kind:
                pieces.append(segment_value(data, part, site))
            elif data.draw(st.integers(0, 9), label="change a literal piece") == 0:
                pieces.append(encode_segment(data, data.draw(hostile_text)) + "/")
            else:
                pieces.append(part.literal)
        path = "/" + "".join(pieces).lstrip("/")
    mangle = data.draw(st.integers(0, 9), label="mangle the path")
    if mangle == 1:  # no trailing slash: the common middleware may redirect
        path = path.rstrip("/") or "/"
    elif mangle == 2:  # an open-redirect attempt through the path itself
        path = data.draw(st.sampled_from(OFF_SITE_PREFIXES)) + path
    elif mangle == 3:
        path += encode_segment(data, data.draw(hostile_text))
    return path


def query_for(data, names: list[str], known: dict[str, set[str]]) -> str:
    """A query string: known and random names, valid and hostile values, repeats."""
    name_text = st.sampled_from(names) if names else st.text(max_size=8)
    prefixes = sorted({name.split("-")[0] + "-" for name in names if "-" in name})
    name = st.one_of(
        name_text,
        st.text(max_size=12),
        hostile_text,
        *([st.tuples(st.sampled_from(prefixes), hostile_text).map("".join)] if prefixes else []),
    )
    pairs = []
    for _ in range(data.draw(st.integers(0, 5), label="parameters")):
        key = data.draw(name, label="name")
        valid = st.sampled_from(sorted(known.get(key, ())) or ["", "1", "yes"])
        value = data.draw(st.one_of(valid, hostile_around(valid)), label="value")
        pairs += [(key, value)] * data.draw(st.sampled_from([1, 1, 1, 2, 50]), label="repeats")
    query = urlencode(pairs)
    if data.draw(st.integers(0, 9), label="raw query") == 0:
        query += "&" + data.draw(st.sampled_from([*RAW_ENCODED, "&&", "=", "=x", "a[]=1", "a=%"]))
    return query


SECRET = django_settings.SECRET_KEY


def stays_on_site(location: str) -> bool:
    """Whether a browser following this Location stays on the site. Read as a browser
    reads it: tabs and line breaks dropped, backslashes taken for slashes. Django's own
    check refuses any address over 2,048 characters, so it is given only the part
    before the query, which is where the host and scheme are."""
    cleaned = re.sub(r"^[\x00-\x20]+|[\t\n\r]", "", location).replace("\\", "/")
    parts = urlsplit(cleaned)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return False
    before_query = location.split("?", 1)[0].split("#", 1)[0][:2000]
    return url_has_allowed_host_and_scheme(
        before_query, allowed_hosts={"testserver"}, require_https=False
    )


def check(client: Client, address: str) -> None:
    """GET and HEAD: no server error, HEAD like GET, no live markup, no off-site redirect."""
    note(f"address: {address[:500]!r}")
    response = client.get(address)
    status = response.status_code
    assert status < 500, (status, address[:300])
    if response.get("Location") is not None:
        location = response["Location"]
        assert stays_on_site(location), ("redirect off the site", location[:300], address[:300])
    if "text/html" in response.get("Content-Type", "") and not response.streaming:
        body = response.content.decode(errors="replace")
        for marker in LIVE_MARKUP:
            assert marker not in body, ("input echoed as markup", marker, address[:300])
        assert "\x00" not in body, ("NUL echoed", address[:300])
        assert SECRET not in body, ("secret key shown", address[:300])
        if "7331|add" in address or "7331%7Cadd" in address:
            assert EVALUATED not in body, ("input evaluated as a template", address[:300])
    head = client.head(address)
    assert head.status_code == status, ("HEAD differs from GET", head.status_code, status)
    body = b"".join(head.streaming_content) if head.streaming else head.content
    assert not body, ("HEAD has a body", address[:300])


def route_id(route: Route) -> str:
    return route.route or "/"


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=route_id)
@FUZZ
@given(data=st.data())
def test_no_public_address_fails_or_echoes_input(client, site, route, data):
    path = path_for(data, route, site)
    names = sorted(set(site.parameters.get(route.route, {})) | set(site.source_names))
    query = query_for(data, names, site.parameters.get(route.route, {}))
    check(client, path + ("?" + query if query else ""))


def test_the_public_addresses_are_found_with_valid_values(site):
    """The fuzzing is only as good as its map: every route is found, and every route
    that takes a value has at least one working address, from the site's own links or
    built from the database."""
    found = {route.route for route in ROUTES}
    assert {"", "roles/<slug:slug>/", "competences/<code:code>/", "search/"} <= found
    without = [
        route.route for route in ROUTES if route.captures and not site.addresses[route.route]
    ]
    assert not without, f"no working address found for {without}"
    assert {"q", "from", "area", "roles"} <= set(site.source_names)


# --- The admin ----------------------------------------------------------------------


def changelist_parameters(model, model_admin) -> list[str]:
    names = ["q", "o", "p", "all", "e", "_popup", "_to_field"]
    for model_field in model._meta.concrete_fields:
        names += [f"{model_field.name}__exact", f"{model_field.attname}__exact"]
    for entry in model_admin.list_filter:
        if isinstance(entry, str):
            names += [f"{entry}__exact", f"{entry}__id__exact", f"{entry}__isnull"]
        elif isinstance(entry, type) and hasattr(entry, "parameter_name"):
            names.append(entry.parameter_name)
    return sorted(set(names))


ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "model_admin"), ADMINS, ids=[model._meta.label for model, _ in ADMINS]
)
@ADMIN_FUZZ
@given(data=st.data())
def test_no_admin_list_filter_fails(admin_client, model, model_admin, data):
    """The changelist's search, ordering and filters with hostile values."""
    address = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    names = changelist_parameters(model, model_admin)
    known = {"o": {"1", "-1", "1.2", "2.-1"}, "p": {"0", "1", "2"}, "all": {""}}
    query = query_for(data, names, known)
    check(admin_client, address + ("?" + query if query else ""))


def autocomplete_fields() -> list[tuple[str, str, str]]:
    """(app_label, model_name, field_name) for every autocomplete picker in the admin."""
    found = []
    for model, model_admin in admin.site._registry.items():
        owners = [(model, model_admin.autocomplete_fields)]
        owners += [(inline.model, inline.autocomplete_fields) for inline in model_admin.inlines]
        for owner, names in owners:
            found += [(owner._meta.app_label, owner._meta.model_name, name) for name in names]
    return sorted(set(found))


@pytest.mark.django_db
@ADMIN_FUZZ
@given(data=st.data())
def test_no_admin_autocomplete_fails(admin_client, data):
    pickers = autocomplete_fields()
    assert pickers, "the admin has autocomplete pickers to fuzz"
    app_label, model_name, field_name = data.draw(st.sampled_from(pickers), label="picker")
    params = {
        "term": data.draw(hostile_around(st.sampled_from(["COM", "practitioner", "1"]))),
        "app_label": app_label,
        "model_name": model_name,
        "field_name": field_name,
    }
    for key in data.draw(st.sets(st.sampled_from(sorted(params)), max_size=2), label="spoil"):
        params[key] = data.draw(hostile_text)
    if data.draw(st.booleans(), label="page"):
        params["page"] = data.draw(st.one_of(st.sampled_from(["1", "2"]), hostile_text))
    check(admin_client, reverse("admin:autocomplete") + "?" + urlencode(params))


def admin_object_routes() -> list[tuple[str, Route]]:
    """Every admin address that names an item (change, delete, history, a past version):
    the model's address prefix and the route within it."""
    found = []
    for model, model_admin in ADMINS:
        prefix = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for entry in model_admin.get_urls():
            route = Route(route=str(entry.pattern), parts=_route_parts(entry.pattern))
            if route.captures:
                found.append((prefix, route))
    return found


@pytest.mark.django_db
@ADMIN_FUZZ
@given(data=st.data())
def test_no_admin_object_address_fails(admin_client, data):
    """An item's pages (change, delete, history...) with hostile identifiers."""
    prefix, route = data.draw(st.sampled_from(admin_object_routes()), label="page")
    pieces = []
    for part in route.parts:
        if part.kind:
            value = data.draw(hostile_around(st.sampled_from(["1", "2"])), label=part.kind)
            pieces.append(quote(value, safe=""))
        else:
            pieces.append(part.literal)
    check(admin_client, prefix + "".join(pieces).lstrip("/"))


# --- Admin forms, actions, cookies and signing in -------------------------------------

# Text that looks like a number to someone, and is not a key to any table.
NUMBER_LIKE = [
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "-0",
    "1.5",
    "1e3",
    "0x1F",
    "1,2",
    ",",
    "1,,2",
    "9" * 30,
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "\U0001d7d9",  # a mathematical digit one, which int() reads as 1
]
# Prefill names that pickers and links use, whatever the model's own fields are.
PREFILL_NAMES = ["parent", "competences", "competence", "role", "standards", "areas", "level"]


def admin_address(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def key_like(model) -> st.SearchStrategy:
    """Some of the model's real keys, alone or spoilt, and text that is no key at all."""
    keys = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:5]] or ["1"]
    valid = st.sampled_from(keys)
    return st.one_of(
        valid,
        st.sampled_from(NUMBER_LIKE),
        hostile_around(valid),
        st.lists(st.one_of(valid, st.sampled_from(NUMBER_LIKE)), min_size=2, max_size=4).map(
            ",".join
        ),
    )


def form_field_names(model) -> list[str]:
    names = [field.name for field in model._meta.get_fields() if field.concrete]
    names += [field.name for field in model._meta.many_to_many]
    return sorted(set(names) | set(PREFILL_NAMES))


def has_page(model, action: str) -> bool:
    try:
        admin_address(model, action, *([1] if action == "change" else []))
    except NoReverseMatch:
        return False
    return True


WITH_FORMS = [(model, model_admin) for model, model_admin in ADMINS if has_page(model, "add")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "model_admin"), WITH_FORMS, ids=[model._meta.label for model, _ in WITH_FORMS]
)
@ADMIN_FUZZ
@given(data=st.data())
def test_no_admin_form_prefill_fails(admin_client, model, model_admin, data):
    """An add form (and a change form, which ignores prefill) opened with junk in its
    prefill parameters: the plain form, never a server error."""
    related = {
        field.name: field.related_model
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model
    }
    pairs = []
    for _ in range(data.draw(st.integers(1, 4), label="parameters")):
        name = data.draw(st.sampled_from(form_field_names(model)), label="name")
        target = related.get(name, model)
        value = data.draw(st.one_of(key_like(target), hostile_text), label=name)
        pairs.append((name, value))
    query = urlencode(pairs)
    item = model._default_manager.order_by("pk").first()
    pages = [admin_address(model, "add")]
    if item is not None:
        pages.append(admin_address(model, "change", item.pk))
    page = data.draw(st.sampled_from(pages), label="page")
    note(f"prefill: {pairs!r}")
    response = admin_client.get(page + "?" + query)
    # The add form opens (or the model takes no additions); the change form opens.
    assert response.status_code in (200, 403), (response.status_code, page, query[:300])
    check(admin_client, page + "?" + query)


def check_post(client: Client, address: str, fields, **extra):
    """A POST: no server error, no redirect off the site, no NUL or live markup shown."""
    response = client.post(address, fields, **extra)
    assert response.status_code < 500, (response.status_code, address)
    if response.get("Location") is not None:
        assert stays_on_site(response["Location"]), ("redirect off the site", response["Location"])
    if "text/html" in response.get("Content-Type", "") and not response.streaming:
        body = response.content.decode(errors="replace")
        assert "\x00" not in body, ("NUL echoed", address)
        for marker in LIVE_MARKUP:
            assert marker not in body, ("input echoed as markup", marker, address)
    return response


WITH_ACTIONS = [
    (model, model_admin)
    for model, model_admin in ADMINS
    if model_admin.actions is not None
    and has_page(model, "changelist")
    and model._meta.model_name != "user"
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "model_admin"), WITH_ACTIONS, ids=[model._meta.label for model, _ in WITH_ACTIONS]
)
@ADMIN_FUZZ
@given(data=st.data())
def test_no_admin_action_with_junk_ids_fails(admin_client, model, model_admin, data):
    """ "Delete selected" (confirmed or not) and any other action, with junk among the
    ticked identifiers, in the action's name or in its index: refused or ignored."""
    fields = {
        "action": data.draw(st.one_of(st.just("delete_selected"), hostile_text), label="action"),
        "_selected_action": data.draw(
            st.lists(st.one_of(st.sampled_from(NUMBER_LIKE), hostile_text), min_size=1, max_size=4),
            label="ticked",
        ),
    }
    if data.draw(st.booleans(), label="confirmed"):
        fields["post"] = "yes"
    for name in data.draw(st.sets(st.sampled_from(["index", "select_across"])), label="more"):
        fields[name] = data.draw(st.one_of(st.sampled_from(["0", "1"]), hostile_text), label=name)
    before = model._default_manager.count()
    check_post(admin_client, admin_address(model, "changelist"), fields)
    if "select_across" not in fields:  # any text there but "0" asks for every item
        assert model._default_manager.count() == before


# The cookies a browser could send back spoilt: with a NUL, far too long, not text at all.
cookie_text = st.one_of(
    hostile_text,
    st.sampled_from(["a\x00b" * 12, "\x00", "0" * 41, "x" * 4000, "abcdefgh" * 4 + "\x00"]),
)


@pytest.mark.django_db
@ADMIN_FUZZ
@given(data=st.data())
def test_no_hostile_cookie_fails(client, data):
    """A session or CSRF cookie holding junk is no session and no token: the admin asks
    for a sign-in, a form post is refused with 403, and nothing fails."""
    cookies = {
        django_settings.SESSION_COOKIE_NAME: data.draw(cookie_text, label="session"),
        django_settings.CSRF_COOKIE_NAME: data.draw(cookie_text, label="csrf"),
    }
    # Sent as the browser's own header, so the values arrive exactly as drawn: its bytes
    # (UTF-8 here) read as ISO-8859-1, as a WSGI server hands every header to Django.
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    header = header.encode("utf-8", "surrogatepass").decode("iso-8859-1")
    for page in [reverse("admin:index"), admin_address(apps.get_model("roles.RoleProfile"), "add")]:
        response = client.get(page, HTTP_COOKIE=header)
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:login"), HTTP_COOKIE=header).status_code == 200
    assert client.get("/", HTTP_COOKIE=header).status_code == 200
    signing_in = Client(enforce_csrf_checks=True)
    response = check_post(
        signing_in,
        reverse("admin:login"),
        {"username": "someone", "password": "x", "csrfmiddlewaretoken": "x" * 32},
        HTTP_COOKIE=header,
    )
    assert response.status_code == 403


@pytest.mark.django_db
@ADMIN_FUZZ
@given(data=st.data())
def test_no_login_username_fails(client, django_user_model, data):
    """Any username, however long or strange: a form error, never a server error; one
    longer than an account's username is refused before anyone's sign-ins are counted."""
    username = data.draw(
        st.one_of(
            hostile_text,
            st.integers(151, 256).map(lambda size: "u" * size),
            st.sampled_from(["e" * 900_000, "\x00" * 3, "editor\x00"]),
        ),
        label="username",
    )
    note(f"username: {username[:100]!r} ({len(username)} characters)")
    response = check_post(
        client, reverse("admin:login"), {"username": username, "password": "not the password"}
    )
    assert response.status_code == 200
    longest = django_user_model._meta.get_field(django_user_model.USERNAME_FIELD).max_length
    if len(username) > longest:
        assert f"at most {longest} characters" in response.content.decode()


NEXT_ADDRESSES = [
    "/accounts/profile/",
    "/admin/no-such-page/",
    "/no-such-page/",
    "/admin/roles/roleprofile/",
    "/admin/roles/roleprofile/999999/change/",
    "/roles/",
    "https://evil.example/admin/",
    "//evil.example/admin/",
    "/\\evil.example",
    "javascript:alert(7331)",
    "",
    " /admin/",
    "\t/admin/roles/roleprofile/",
    "/admin/ ",
]


@pytest.mark.django_db
@ADMIN_FUZZ
@given(data=st.data())
def test_signing_in_always_lands_on_a_page_that_exists(django_user_model, settings, data):
    """Whatever ``next`` says, in the address or the form, a signed-in editor is sent to
    one of the admin's own pages, which opens."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user, _ = django_user_model.objects.get_or_create(
        username="signing-in", defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password("a long and correct passphrase")
    user.save()
    next_address = data.draw(
        st.one_of(
            st.sampled_from(NEXT_ADDRESSES), hostile_text, hostile_around(st.just("/admin/"))
        ),
        label="next",
    )
    where = data.draw(st.sampled_from(["form", "address", "both"]), label="where")
    login = reverse("admin:login")
    if where != "form":
        login += "?" + urlencode({"next": next_address})
    fields = {"username": "signing-in", "password": "a long and correct passphrase"}
    if where != "address":
        fields["next"] = next_address
    client = Client()
    response = check_post(client, login, fields)
    assert response.status_code == 302, response.status_code
    landing = urlsplit(response["Location"])
    assert not landing.netloc and landing.path.startswith(reverse("admin:index")), landing
    assert resolve(landing.path).url_name is not None
    assert client.get(response["Location"], follow=True).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("next_address", [" /admin/", "\t/admin/roles/roleprofile/", "/admin/\n"])
def test_a_next_address_padded_with_spaces_lands_on_the_admin_index(
    django_user_model, settings, next_address
):
    """Parsers drop the padding but the redirect would keep it (" /admin/" became
    "/%20/admin/", a 404): such an address is refused and the editor lands on the index."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create(username="padded", is_staff=True, is_superuser=True)
    user.set_password("a long and correct passphrase")
    user.save()
    response = Client().post(
        reverse("admin:login"),
        {"username": "padded", "password": "a long and correct passphrase", "next": next_address},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
