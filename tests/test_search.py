"""Search finds what people type: exact titles first, true totals with pages, narrowing by
kind, and role codes or Agenda for Change bands finding roles."""

import re

import pytest

from framework.search import PAGE_SIZE
from roles.models import RoleProfile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_made_afresh(settings):
    """These tests read the results the view handed its template, which a page served
    whole from the cache does not carry."""
    settings.PAGE_CACHE = False


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def every_page(client, **params) -> list:
    """All results, following the page links the way a reader would."""
    response = search(client, **params)
    results = list(response.context["results"])
    while True:
        match = re.search(
            r'<a href="([^"]+)" class="nhsuk-pagination__next"', response.content.decode()
        )
        if not match:
            return results
        response = client.get("/search/" + match.group(1).replace("&amp;", "&"))
        results += list(response.context["results"])


def shown_total(response) -> int:
    status = re.search(r'<p role="status">(\d+) results?', response.content.decode())
    return int(status.group(1))


@pytest.mark.parametrize(
    "title",
    [
        "Liaison and Diversion Practitioner",
        "liaison and diversion practitioner",
        "Court Healthcare Practitioner",
        "Reconnect Peer Support Worker",
    ],
)
def test_an_exact_role_title_ranks_first(client, title):
    role = RoleProfile.objects.get(title__iexact=title)
    results = search(client, q=title).context["results"]
    assert results[0].url == role.get_absolute_url()


def test_a_role_code_finds_its_role_first(client):
    for role in RoleProfile.objects.all():
        results = search(client, q=role.code.lower()).context["results"]
        assert results[0].url == role.get_absolute_url(), role.code


def test_the_total_is_every_result_and_pages_reach_them_all(client):
    response = search(client, q="practitioner")
    total = shown_total(response)
    results = every_page(client, q="practitioner")
    assert total == len(results) == len({hit.url for hit in results})
    assert total > PAGE_SIZE, "the query should need more than one page"
    assert "page 1 of" in response.content.decode()
    # Every role with the word in its title is found, not cut off by a cap.
    titled = RoleProfile.objects.filter(title__icontains="practitioner")
    found = {hit.url for hit in results}
    assert {role.get_absolute_url() for role in titled} <= found


def test_a_broad_search_is_not_silently_capped(client):
    results = every_page(client, q="support")
    assert len(results) > 60
    assert shown_total(search(client, q="support")) == len(results)


def test_results_can_be_narrowed_to_one_kind(client):
    everything = every_page(client, q="risk")
    counts = {}
    for kind, prefix in [
        ("roles", "/roles/"),
        ("competences", "/competences/"),
        ("standards", "/standards/"),
    ]:
        narrowed = every_page(client, q="risk", kind=kind)
        assert narrowed, kind
        assert all(hit.url.startswith(prefix) for hit in narrowed), kind
        assert {hit.url for hit in narrowed} == {
            hit.url for hit in everything if hit.url.startswith(prefix)
        }
        counts[kind] = len(narrowed)
    assert sum(counts.values()) == len(everything)
    page = search(client, q="risk").content.decode()
    assert f'href="?q=risk&amp;kind=standards">Standards ({counts["standards"]})</a>' in page
    narrowed_page = search(client, q="risk", kind="standards").content.decode()
    assert (
        f'<strong aria-current="true">Standards ({counts["standards"]})</strong>' in narrowed_page
    )


def band_covers(indicative_band: str, band: int) -> bool:
    ends = [int(re.match(r"\d+", part).group()) for part in indicative_band.split("-") if part]
    return bool(ends) and min(ends) <= band <= max(ends)


@pytest.mark.parametrize("query, band", [("band 6", 6), ("Band 3", 3), ("band 7 jobs", 7)])
def test_a_band_finds_the_roles_at_that_band(client, query, band):
    expected = {
        role.get_absolute_url()
        for role in RoleProfile.objects.select_related("level")
        if band_covers(role.band, band)
    }
    assert expected
    results = every_page(client, q=query, kind="roles")
    assert expected <= {hit.url for hit in results}
    first = search(client, q=query).context["results"]
    assert {hit.url for hit in first[: len(expected)]} == expected


def test_a_page_past_the_end_is_not_found_and_a_bad_page_shows_the_first(client):
    assert client.get("/search/", {"q": "risk", "page": "999"}).status_code == 404
    response = client.get("/search/", {"q": "risk", "page": "abc"})
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_an_unknown_kind_shows_everything(client):
    response = search(client, q="risk", kind="podcasts")
    assert shown_total(response) == len(every_page(client, q="risk"))


def test_a_role_graded_outside_its_levels_band_is_found_and_shown_at_its_own_band(client):
    role = RoleProfile.objects.get(slug="mhtr-consultant-clinical-psychologist")
    assert role.band == "8c-8d" != role.level.indicative_band
    page = client.get(role.get_absolute_url()).content.decode()
    assert "Indicative band 8c-8d" in page
    assert "band 8c to 8d" in role.entry_requirements
    found = {hit.url for hit in every_page(client, q="band 8c", kind="roles")}
    assert found == {role.get_absolute_url()}
