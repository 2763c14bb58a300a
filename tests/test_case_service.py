"""The CASE 1.0 REST service under ``/ims/case/v1p0``.

Every path of 1EdTech's binding is served, GET only; every object of both CASE packages
answers at its path, in the shape the binding gives that path's response; an unknown or
malformed identifier gets 404 with the binding's status object; every address either
package names on this site answers; and the answers are kept like the other open data.
"""

import json
import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from interchange.case_common import SERVICE_PATH
from tests.case_standards import binding, binding_validator, errors, response_type
from tests.factories import grow_framework
from tests.helpers import sql

pytestmark = pytest.mark.django_db

BASE = "https://framework.example.org"
PACKAGE_FILES = ("/export/case.json", "/export/case-role-profiles.json")
# The collections whose answer is a set: the asked-for entry, then its children.
SETS = {"CFItemTypes", "CFConcepts", "CFSubjects"}


def objects_of(package: dict) -> list[tuple[str, dict]]:
    """(collection, object) for everything in ``package`` the service answers for."""
    found = [("CFDocuments", package["CFDocument"]), ("CFPackages", package["CFDocument"])]
    found += [("CFItems", item) for item in package["CFItems"]]
    found += [("CFItemAssociations", item) for item in package["CFItems"]]
    found += [("CFAssociations", association) for association in package["CFAssociations"]]
    for collection, entries in package["CFDefinitions"].items():
        found += [(collection, entry) for entry in entries]
    found += [("CFRubrics", rubric) for rubric in package["CFRubrics"]]
    return found


@pytest.fixture(scope="module")
def service(django_db_setup, django_db_blocker):
    """The packages as downloaded and {(collection, identifier): answer} for every object
    in them, fetched once for the module from the seed content."""
    client = Client()
    with django_db_blocker.unblock(), override_settings(PUBLIC_URL=BASE):
        cache.clear()  # files kept by an earlier module may name another address
        packages = {address: client.get(address) for address in PACKAGE_FILES}
        answers = {}
        for response in packages.values():
            for collection, thing in objects_of(json.loads(response.content)):
                identifier = thing["identifier"]
                address = f"{SERVICE_PATH}/{collection}/{identifier}"
                answers[(collection, identifier)] = client.get(address)
        answers[("CFDocuments", None)] = client.get(f"{SERVICE_PATH}/CFDocuments")
    yield packages, answers
    cache.clear()


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.PUBLIC_URL = BASE


def packages_of(service) -> list[dict]:
    responses, _answers = service
    return [json.loads(responses[address].content) for address in PACKAGE_FILES]


def binding_path(collection: str, identifier: str | None) -> str:
    return f"/{collection}" + ("" if identifier is None else "/{sourcedId}")


def test_every_path_of_the_binding_is_served_under_its_base_path():
    assert binding()["basePath"] == SERVICE_PATH
    for path in binding()["paths"]:
        address = SERVICE_PATH + path.replace("{sourcedId}", str(uuid.uuid4()))
        assert resolve(address).func.__module__ == "interchange.case_views", path


def test_every_object_answers_at_its_path_in_the_shape_the_binding_gives(service):
    _responses, answers = service
    validators = {}
    for (collection, identifier), response in answers.items():
        assert response.status_code == 200, (collection, identifier)
        assert response["Content-Type"] == "application/json"
        type_name = response_type(binding_path(collection, identifier))
        if type_name not in validators:
            validators[type_name] = binding_validator(type_name)
        found = errors(validators[type_name], json.loads(response.content))
        assert not found, (collection, identifier, found[:5])
    kinds = {collection for collection, _identifier in answers}
    assert kinds == {path.split("/")[1] for path in binding()["paths"]}


@pytest.mark.parametrize(
    "collection, type_name, added",
    [
        ("CFDocuments", "CFDocument.Type", "CFPackageURI"),
        ("CFItems", "CFItem.Type", "CFDocumentURI"),
        ("CFAssociations", "CFAssociation.Type", "CFDocumentURI"),
    ],
)
def test_the_binding_s_composed_types_accept_nothing_read_strictly(
    service, collection, type_name, added
):
    """Why the answers above are checked against these types as the binding means them:
    each is ``allOf`` a package type and one more property, and each part forbids the
    other's properties, so an answer fails strictly with or without that property."""
    _responses, answers = service
    answer = next(
        json.loads(response.content)
        for (kind, identifier), response in answers.items()
        if kind == collection and identifier
    )
    strict = binding_validator(type_name, as_meant=False)
    assert errors(strict, answer)
    assert errors(strict, {key: value for key, value in answer.items() if key != added})
    assert not errors(binding_validator(type_name), answer)


def test_each_answer_holds_the_object_as_its_package_does(service):
    responses, answers = service
    downloaded = {
        json.loads(responses[address].content)["CFDocument"]["identifier"]: (
            responses[address].content
        )
        for address in PACKAGE_FILES
    }
    for package in packages_of(service):
        document = package["CFDocument"]
        in_document = {key: document[key] for key in ("title", "identifier", "uri")}

        def answer(collection, identifier):
            return json.loads(answers[(collection, identifier)].content)

        shown = answer("CFDocuments", document["identifier"])
        assert shown.pop("CFPackageURI")["uri"] == (
            f"{BASE}{SERVICE_PATH}/CFPackages/{document['identifier']}"
        )
        assert shown == document
        # The package is the download itself, byte for byte.
        assert (
            answers[("CFPackages", document["identifier"])].content
            == (downloaded[document["identifier"]])
        )
        for item in package["CFItems"]:
            assert answer("CFItems", item["identifier"]) == item | {"CFDocumentURI": in_document}
            links = answer("CFItemAssociations", item["identifier"])
            assert links["CFItem"]["identifier"] == item["identifier"]
            for association in links["CFAssociations"]:
                ends = {
                    association[end]["identifier"]
                    for end in ("originNodeURI", "destinationNodeURI")
                }
                assert item["identifier"] in ends
        for association in package["CFAssociations"]:
            assert answer("CFAssociations", association["identifier"]) == association | {
                "CFDocumentURI": in_document
            }
        for collection, entries in package["CFDefinitions"].items():
            for entry in entries:
                shown = answer(collection, entry["identifier"])
                assert (shown[collection][0] if collection in SETS else shown) == entry


def test_a_statement_s_associations_include_the_roles_that_need_it(service):
    _responses, answers = service
    framework, roles = packages_of(service)
    statement = next(
        item
        for item in framework["CFItems"]
        if any(
            a["destinationNodeURI"]["identifier"] == item["identifier"]
            for a in roles["CFAssociations"]
        )
    )
    links = json.loads(answers[("CFItemAssociations", statement["identifier"])].content)
    kinds = {association["associationType"] for association in links["CFAssociations"]}
    assert kinds == {"isChildOf", "isRelatedTo"}
    expected = {
        a["identifier"]
        for package in (framework, roles)
        for a in package["CFAssociations"]
        if statement["identifier"]
        in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
    }
    assert {a["identifier"] for a in links["CFAssociations"]} == expected


def test_the_item_type_set_holds_the_type_and_the_types_below_it(service):
    _responses, answers = service
    framework, _roles = packages_of(service)
    section = next(t for t in framework["CFDefinitions"]["CFItemTypes"] if t["title"] == "Section")
    shown = json.loads(answers[("CFItemTypes", section["identifier"])].content)
    assert [t["title"] for t in shown["CFItemTypes"]] == ["Section", "Subsection"]


def test_the_document_list_names_both_documents_and_links_their_packages(client, service):
    _responses, answers = service
    listed = json.loads(answers[("CFDocuments", None)].content)["CFDocuments"]
    framework, roles = packages_of(service)
    assert [d["identifier"] for d in listed] == [
        framework["CFDocument"]["identifier"],
        roles["CFDocument"]["identifier"],
    ]
    for document in listed:
        package = urlsplit(document["CFPackageURI"]["uri"]).path
        assert client.get(package).status_code == 200


@pytest.mark.parametrize(
    "query, titles",
    [
        ("limit=1", ["framework"]),
        ("offset=1", ["role profiles"]),
        ("sort=title&orderBy=desc", ["role profiles", "framework"]),
        ("sort=title&orderBy=asc&limit=1&offset=1", ["role profiles"]),
    ],
)
def test_the_document_list_pages_and_sorts(client, query, titles):
    response = client.get(f"{SERVICE_PATH}/CFDocuments?{query}")
    assert response.status_code == 200
    shown = [d["title"] for d in json.loads(response.content)["CFDocuments"]]
    assert ["role profiles" if t.endswith("role profiles") else "framework" for t in shown] == (
        titles
    )


@pytest.mark.parametrize(
    "query, field, minor",
    [
        ("limit=0", "limit", "invalid_selection_field"),
        ("limit=many", "limit", "invalid_selection_field"),
        ("offset=2", "offset", "invalid_selection_field"),
        ("sort=colour", "sort", "invalid_sort_field"),
        ("filter=title%3D%27x%27", "filter", "invalid_selection_field"),
        ("fields=title", "fields", "invalid_selection_field"),
    ],
)
def test_a_list_request_the_service_cannot_answer_gets_400_and_the_status_object(
    client, query, field, minor
):
    response = client.get(f"{SERVICE_PATH}/CFDocuments?{query}")
    assert response.status_code == 400
    status = status_object(response)
    assert status["imsx_codeMinor"]["imsx_codeMinorField"] == [
        {"imsx_codeMinorFieldName": field, "imsx_codeMinorFieldValue": minor}
    ]


def status_object(response) -> dict:
    assert response["Content-Type"] == "application/json"
    status = json.loads(response.content)
    assert not errors(binding_validator("imsx_StatusInfo.Type"), status)
    assert (status["imsx_codeMajor"], status["imsx_severity"]) == ("failure", "error")
    return status


@pytest.mark.parametrize("path", sorted(p for p in binding()["paths"] if "{sourcedId}" in p))
def test_an_unknown_identifier_gets_404_and_the_status_object(client, path):
    unknown = str(uuid.uuid5(uuid.NAMESPACE_URL, "nothing here"))
    response = client.get(SERVICE_PATH + path.replace("{sourcedId}", unknown))
    assert response.status_code == 404
    status = status_object(response)
    assert status["imsx_description"].startswith("Unknown Object")
    assert status["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == (
        "unknownobject"
    )


@pytest.mark.parametrize(
    "identifier", ["COM.1.1", "not-a-uuid", "3113C837-C17F-5B5B-83BA-14A376E22904"]
)
def test_a_malformed_identifier_gets_404_and_says_so(client, identifier):
    response = client.get(f"{SERVICE_PATH}/CFItems/{identifier}")
    assert response.status_code == 404
    status = status_object(response)
    assert status["imsx_description"].startswith("Invalid UUID")
    assert status["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == (
        "invaliduuid"
    )


def test_an_object_of_another_collection_is_not_found_under_this_one(service, client):
    framework, _roles = packages_of(service)
    item = framework["CFItems"][0]["identifier"]
    assert client.get(f"{SERVICE_PATH}/CFAssociations/{item}").status_code == 404


def test_every_address_the_packages_name_on_this_site_answers(client, service):
    """Every ``uri`` (and the documents' official source) in both packages and in the
    service's own answers, the standards' official pages elsewhere aside."""
    _responses, answers = service
    texts = [response.content.decode() for response in answers.values()]
    found = set()
    for text in texts:
        found |= set(re.findall(r'"(?:uri|officialSourceURL)": "([^"]+)"', text))
    standards = {url for (url,) in sql("SELECT url FROM competences_standard") if url}
    outside = {uri for uri in found if not uri.startswith(BASE + "/")}
    assert outside <= standards
    ours = sorted(uri for uri in found if uri.startswith(BASE + "/"))
    assert len(ours) > 1000
    served = {
        f"{SERVICE_PATH}/{collection}/{identifier}": response
        for (collection, identifier), response in answers.items()
        if identifier
    }
    for uri in ours:
        path = urlsplit(uri.removeprefix(BASE)).path
        response = served.get(path) or client.get(path)
        assert response.status_code == 200, uri


def test_the_service_answers_get_only(client, service):
    framework, _roles = packages_of(service)
    address = f"{SERVICE_PATH}/CFItems/{framework['CFItems'][0]['identifier']}"
    for method in ("POST", "PUT", "DELETE"):
        response = client.generic(method, address)
        assert response.status_code == 405
        assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    assert client.head(address).status_code == 200


def test_an_answer_is_kept_and_served_again_with_one_query(client, service):
    framework, _roles = packages_of(service)
    address = f"{SERVICE_PATH}/CFItemAssociations/{framework['CFItems'][0]['identifier']}"
    first = client.get(address)
    assert first.status_code == 200 and first.has_header("ETag")
    with CaptureQueriesContext(connection) as context:
        again = client.get(address)
    assert again.content == first.content
    # The one query reads the content version, which names the kept answer.
    assert len(context) == 1
    assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def queries_to_answer(client, address: str) -> int:
    """Queries one GET of ``address`` makes with nothing kept from earlier requests."""
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(context)


def test_answer_queries_do_not_grow_when_the_framework_is_ten_times_larger(client, service):
    framework, roles = packages_of(service)
    addresses = [
        f"{SERVICE_PATH}/CFDocuments",
        f"{SERVICE_PATH}/CFItems/{framework['CFItems'][-1]['identifier']}",
        f"{SERVICE_PATH}/CFAssociations/{roles['CFAssociations'][-1]['identifier']}",
        f"{SERVICE_PATH}/CFPackages/{roles['CFDocument']['identifier']}",
    ]
    before = {address: queries_to_answer(client, address) for address in addresses}
    grow_framework()
    after = {address: queries_to_answer(client, address) for address in addresses}
    cache.clear()
    assert after == before
    # The version, twice (to find the kept answers, then with the content they are built
    # from), the twelve content tables once each, and the history once.
    assert max(before.values()) <= 2 + 12 + 1, before
