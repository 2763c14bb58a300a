"""The open data files are built straight after a content change, on a background thread,
so the first request after an edit finds them ready; a request that comes while another
process is building waits for those files rather than building them again.

These tests commit, as the builder reads the database on a connection of its own.
"""

import json
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core import versioning
from interchange import downloads
from roles.models import RoleProfile

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def building(settings, seeded):
    settings.BUILD_DOWNLOADS_AFTER_CHANGE = True
    yield
    downloads.wait_for_build(120)


def retitle_a_role(title: str) -> RoleProfile:
    role = RoleProfile.objects.order_by("pk").first()
    with transaction.atomic():
        role.title = title
        role.save()
    return role


def test_after_an_edit_the_files_are_ready_before_anyone_asks(client, building):
    before = versioning.current().number
    retitle_a_role("Retitled before anyone asked")
    downloads.wait_for_build(120)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/export/framework.json")
    assert response.status_code == 200
    # One query, the read of the content version: nothing was built for this request.
    assert len(queries) == 1, "the file was built after the edit, not for this request"
    document = json.loads(response.content)
    assert document["framework"]["version"] == before + 1
    assert "Retitled before anyone asked" in [role["title"] for role in document["roles"]]

    page = client.get("/export/").content.decode()
    assert f"Version {before + 1} of" in page


def test_edits_during_a_build_are_followed_by_one_more_build(building, monkeypatch):
    """Three edits in quick succession: the build that runs is followed by one more, for
    the generation of the last edit, not by one each. (The build is slowed and kept off
    the database here: the test database cannot take a write while another connection
    reads, which a real database can.)"""
    built = []

    def slow_build():
        time.sleep(0.3)
        built.append(versioning.generation())

    monkeypatch.setattr(downloads, "_build_current", slow_build)
    for n in range(3):
        retitle_a_role(f"Retitled {n} times")
    downloads.wait_for_build(30)
    assert 1 <= len(built) <= 2, built
    assert built[-1] == versioning.generation(), "the last edit's files were built"


def test_a_request_waits_for_the_build_another_has_claimed(client, seeded, monkeypatch):
    # The other build runs on a thread of this busy test process: give it all the time
    # it may need, so the test asks whether the request waits, not how fast a build is.
    monkeypatch.setattr(downloads, "WAIT_SECONDS", 60)
    token = versioning.generation()
    assert downloads._claim(token)

    def build_elsewhere():
        try:
            downloads._build_and_keep(token)
        finally:
            downloads._release(token)
            connection.close()

    builder = threading.Timer(0.5, build_elsewhere)
    builder.start()
    try:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/export/moodle.csv")
    finally:
        builder.join()
    assert response.status_code == 200
    # One query, the read of the content version: nothing was built for this request.
    assert len(queries) == 1, "the request used the other build's file"


def test_a_claim_nobody_finishes_costs_a_short_wait_not_the_file(client, seeded, monkeypatch):
    monkeypatch.setattr(downloads, "WAIT_SECONDS", 0.5)
    token = versioning.generation()
    assert downloads._claim(token)  # a builder that then died
    response = client.get("/export/framework.json")
    assert response.status_code == 200
    titles = {role.title for role in RoleProfile.objects.all()}
    assert {role["title"] for role in json.loads(response.content)["roles"]} == titles
    # Built here, the files are kept and the claim let go.
    assert downloads._claim(token)
