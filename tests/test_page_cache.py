"""Whole pages from the shared cache: fast, compressed, and never stale after an edit."""

import gzip

import brotli
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.versioning import generation
from roles.models import Area, RoleProfile

pytestmark = [pytest.mark.django_db]

# What a page served from the cache costs: one query, the read of the content version
# that names its key. A page made afresh costs more.
HIT = 1


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE = True


def fetch(client, address, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, headers=headers)
    return response, len(queries)


def test_a_second_request_is_served_from_the_cache_with_one_query(client):
    role = RoleProfile.objects.first()
    first, first_queries = fetch(client, role.get_absolute_url())
    second, second_queries = fetch(client, role.get_absolute_url())
    assert first.status_code == second.status_code == 200
    assert first_queries > HIT
    assert second_queries == HIT
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_an_edit_shows_on_the_next_request(client, django_capture_on_commit_callbacks):
    role = RoleProfile.objects.first()
    fetch(client, role.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        role.title = "Retitled by an editor"
        role.save()
    response, queries = fetch(client, role.get_absolute_url())
    assert "Retitled by an editor" in response.content.decode()
    assert queries > HIT


def test_an_admin_edit_shows_on_the_next_request(
    client, staff_client, django_capture_on_commit_callbacks
):
    from django.conf import settings

    area = RoleProfile.objects.first().areas.first()
    address = area.get_absolute_url()
    before = client.get(address).content.decode()
    assert area.summary in before
    change = f"/{settings.ADMIN_URL}roles/area/{area.pk}/change/"
    form = staff_client.get(change).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {key: "" if value is None else value for key, value in data.items()}
    data["summary"] = "A summary changed in the admin."
    with django_capture_on_commit_callbacks(execute=True):
        saved = staff_client.post(change, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert "A summary changed in the admin." in client.get(address).content.decode()


def test_a_matching_etag_gets_304_with_one_query(client):
    address = RoleProfile.objects.first().get_absolute_url()
    etag = client.get(address)["ETag"]
    response, queries = fetch(client, address, if_none_match=etag)
    assert response.status_code == 304
    assert queries == HIT


def test_the_etag_changes_with_the_content(client, django_capture_on_commit_callbacks):
    role = RoleProfile.objects.first()
    etag = client.get(role.get_absolute_url())["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        role.purpose += " More."
        role.save()
    response = client.get(role.get_absolute_url(), headers={"if_none_match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


@pytest.mark.parametrize(
    ("encoding", "decompress"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_pages_are_compressed_for_clients_that_accept_it(client, encoding, decompress):
    plain = client.get("/").content
    for _ in range(2):  # the miss that stores the page, then the hit
        response = client.get("/", headers={"accept_encoding": f"{encoding}, identity;q=0.5"})
        assert response["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response["Vary"]
        assert decompress(response.content) == plain
        assert len(response.content) < len(plain) / 3


def test_pages_are_compressed_without_the_cache_too(client, settings):
    settings.PAGE_CACHE = False
    plain = client.get("/roles/").content
    response = client.get("/roles/", headers={"accept_encoding": "br"})
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(response.content) == plain


def test_a_refused_encoding_is_not_used(client):
    response = client.get("/", headers={"accept_encoding": "br;q=0, gzip;q=0"})
    assert not response.has_header("Content-Encoding")


def test_pages_that_carry_what_a_person_entered_are_never_stored(client):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    address = f"/pathways/self-assessment/{role.slug}/result/?answer=1"
    first, _ = fetch(client, address)
    second, second_queries = fetch(client, address)
    assert first.status_code == 200
    # Only a page the page cache serves or keeps carries an ETag; the content cache may
    # make the rest as cheap as a page from the cache, so queries cannot tell them apart.
    assert not second.has_header("ETag")


def test_the_same_pages_without_a_query_are_stored(client):
    """Nothing a person entered: the first step of a self-assessment, the planner's
    choice of area, a blank job description and the blank upload forms are the same for
    everyone."""
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    for address in (
        f"/pathways/self-assessment/{role.slug}/sections/1/",
        "/pathways/skill-mix/",
        f"/roles/{role.slug}/job-description/",
        "/pathways/team/",
        f"/pathways/self-assessment/{role.slug}/earlier/",
    ):
        is_upload_form = address.endswith(("/team/", "/earlier/"))
        first, _ = fetch(client, address)
        second, second_queries = fetch(client, address)
        assert first.status_code == second.status_code == 200, address
        assert second_queries == HIT, address
        assert second.content == first.content, address
        assert second["X-Robots-Tag"] == "noindex", address
        if is_upload_form:
            continue  # what a person sends them comes in a POST, never in the address
        with_input, queries = fetch(client, address + "?employer=Trust&area=x&c-A=partly")
        assert "no-store" in with_input["Cache-Control"], address
        assert with_input["Referrer-Policy"] == "no-referrer", address
        assert not with_input.has_header("ETag"), address


def test_the_admin_is_never_cached(staff_client):
    from django.conf import settings

    fetch(staff_client, f"/{settings.ADMIN_URL}")
    response, queries = fetch(staff_client, f"/{settings.ADMIN_URL}")
    assert queries > HIT
    assert not response.has_header("ETag")


def test_an_emptied_cache_keeps_the_generation(client):
    """The token lives in the database: a cache that is emptied (or that evicts) loses
    pages, never the name of the content, so no stale page can come back."""
    from django.core.cache import cache

    address = RoleProfile.objects.first().get_absolute_url()
    first, _queries = fetch(client, address)
    before = generation()
    cache.clear()
    response, queries = fetch(client, address)
    assert generation() == before
    assert queries > 1, "the page was made again"
    assert response.status_code == 200
    assert response.content == first.content


def test_not_found_pages_are_not_stored(client):
    fetch(client, "/roles/no-such-role/")
    response, queries = fetch(client, "/roles/no-such-role/")
    assert response.status_code == 404
    assert queries > HIT


def test_the_planners_starting_mix_is_public_and_a_mix_of_ones_own_is_not(client):
    """Naming only the service (and whether to list what is covered) is the same for
    everyone; any whole-time equivalent makes the page a person's own."""
    area = Area.objects.first()
    for query in (f"?area={area.slug}", f"?area={area.slug}&show=covered"):
        first, _ = fetch(client, "/pathways/skill-mix/" + query)
        second, queries = fetch(client, "/pathways/skill-mix/" + query)
        assert first.status_code == second.status_code == 200, query
        assert queries == HIT, query
        assert second.content == first.content
        assert "no-store" not in second.get("Cache-Control", ""), query
    role = RoleProfile.objects.filter(areas=area).first()
    own, queries = fetch(client, f"/pathways/skill-mix/?area={area.slug}&wte-{role.slug}=2")
    assert own.status_code == 200
    assert "no-store" in own["Cache-Control"]
    assert own["Referrer-Policy"] == "no-referrer"
    assert not own.has_header("ETag")


# What the cache answers, and for whom --------------------------------------------------


@pytest.fixture
def writes(monkeypatch):
    """Every key written to the shared cache from now on."""
    from django.core.cache import caches

    backend = caches["default"]
    written = []
    for name in ("set", "add"):
        original = getattr(backend, name)

        def spy(key, *args, _original=original, **kwargs):
            written.append(key)
            return _original(key, *args, **kwargs)

        monkeypatch.setattr(backend, name, spy)
    original_many = backend.set_many

    def spy_many(data, *args, **kwargs):
        written.extend(data)
        return original_many(data, *args, **kwargs)

    monkeypatch.setattr(backend, "set_many", spy_many)
    return written


def test_a_host_outside_allowed_hosts_gets_400_on_a_cached_page(client):
    address = RoleProfile.objects.first().get_absolute_url()
    fetch(client, address)
    assert fetch(client, address)[1] == HIT  # cached
    response = client.get(address, HTTP_HOST="elsewhere.example.net")
    assert response.status_code == 400
    etag = client.get(address)["ETag"]
    revalidated = client.get(address, HTTP_HOST="elsewhere.example.net", if_none_match=etag)
    assert revalidated.status_code == 400


def test_unknown_query_parameters_add_no_cache_entries(client, writes):
    """3,000 addresses like /?utm_source=x<n> are answered from the one stored page, and
    leave the content generation where it was."""
    first = client.get("/")
    token = generation()
    writes.clear()
    for number in range(3000):
        response = client.get(f"/?utm_source=x{number}")
        assert response.status_code == 200
    assert writes == []
    assert response.content == first.content
    assert generation() == token


def test_a_page_with_an_unknown_parameter_is_not_stored_when_its_page_is_not(client, writes):
    address = "/roles/?utm_source=mail"
    first, first_queries = fetch(client, address)
    second, second_queries = fetch(client, address)
    assert first.status_code == second.status_code == 200
    assert first_queries > HIT
    assert not [key for key in writes if key.startswith("page:")]
    # The page is rendered as for /roles/, which is then stored for both.
    plain, _ = fetch(client, "/roles/")
    assert plain.content == first.content
    assert fetch(client, address)[1] == HIT


def test_known_parameters_are_part_of_the_key(client):
    levels = sorted({role.level.number for role in RoleProfile.objects.select_related("level")})
    pages = {}
    for number in levels[:2]:
        fetch(client, f"/roles/?level={number}")
        pages[number], queries = fetch(client, f"/roles/?level={number}")
        assert queries == HIT
    assert pages[levels[0]].content != pages[levels[1]].content
    # Order and unknown parameters do not matter; the values of known ones do.
    tagged, queries = fetch(client, f"/roles/?utm_source=x&level={levels[0]}")
    assert queries == HIT
    assert tagged.content == pages[levels[0]].content


def test_a_private_page_with_an_unknown_parameter_is_never_served_from_the_cache(client):
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    address = f"/pathways/self-assessment/{role.slug}/sections/1/"
    fetch(client, address)
    assert fetch(client, address)[1] == HIT
    response, queries = fetch(client, address + "?utm_source=mail")
    assert not response.has_header("ETag")
    assert "no-store" in response["Cache-Control"]


def test_a_page_that_does_not_declare_what_it_reads_is_never_cached(client, settings):
    fetch(client, "/healthz")
    response, queries = fetch(client, "/healthz")
    assert not response.has_header("ETag")
    assert not response.has_header("ETag")


def test_every_page_declares_the_query_parameters_it_reads():
    """A new page must say whether it may be cached and what it reads, or it is never
    cached; only the health check is meant to be left out."""
    from django.conf import settings
    from django.urls import URLPattern, URLResolver, get_resolver

    from core.public import declared

    def views(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) != settings.ADMIN_URL:
                    yield from views(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    undeclared = [route for route, view in views(get_resolver().url_patterns) if not declared(view)]
    assert undeclared == ["healthz"]


def test_a_cached_workbook_names_the_public_address_not_the_requests_host(client, settings):
    import io

    import openpyxl
    from django.core.cache import cache

    cache.clear()  # nothing kept under another public address by an earlier test
    settings.PUBLIC_URL = "https://framework.example.org"
    area = Area.objects.filter(roles__isnull=False).first()
    address = f"/areas/{area.slug}/workforce/workforce.xlsx"
    for _ in range(2):  # built, then from the cache
        response = client.get(address, HTTP_HOST="127.0.0.1")
        source = openpyxl.load_workbook(io.BytesIO(response.content)).properties.description
        assert f"https://framework.example.org/areas/{area.slug}/workforce/" in source
        assert "127.0.0.1" not in source


def test_a_page_cached_in_development_is_not_served_by_the_production_configuration(
    settings, monkeypatch
):
    """`make run` and `make serve` in one checkout share the file cache: a page rendered
    with debug on and plain static addresses must not be what production serves."""
    from django.test import Client

    from core import content_cache
    from core.page_cache import rendering_fingerprint

    role = RoleProfile.objects.first()
    settings.DEBUG = True
    monkeypatch.setattr(content_cache, "_release", None)  # as a new process would start
    development = rendering_fingerprint()
    first, rendered = fetch(Client(), role.get_absolute_url())
    again, from_cache = fetch(Client(), role.get_absolute_url())
    assert rendered > HIT and from_cache == HIT and again["ETag"] == first["ETag"]
    settings.DEBUG = False
    monkeypatch.setattr(content_cache, "_release", None)
    assert rendering_fingerprint() != development
    served, queries = fetch(Client(), role.get_absolute_url())
    # Not the development page: a key and an ETag of its own, made afresh.
    assert served["ETag"] != first["ETag"]
    assert queries > HIT
    # The static storage is named too: plain and hashed addresses never share a key.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "core.storage.StaticStorage"}
    }
    assert rendering_fingerprint() != development
