"""Editors working at the same moment never see a server error, and the tree stays sound.

Twelve editors drag a competence in the admin's tree at the same moment, against the
production server (gunicorn: two worker processes of six threads each) sharing one
database, as several editors would. On PostgreSQL the server uses the test database;
on SQLite, whose test database lives in this process's memory, it uses a file copied
from it, and the result is copied back for checking.
"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from competences.models import Competence
from competences.selectors import competence_tree_problems
from interchange.editors import EDITOR_GROUP, editor_group_sync
from tests.factories import make_competence
from tests.servers import gunicorn, shared_database

pytestmark = pytest.mark.django_db(transaction=True)

EDITORS = 12


@contextmanager
def served(database_url: str, tmp_path: Path):
    """The site served by gunicorn (two workers of six threads) on a loopback port;
    yields its base address."""
    changes = {
        "DATABASE_URL": database_url,
        "DJANGO_LOCAL": "1",
        "DJANGO_DEBUG": "0",
        "DJANGO_MANIFEST_STATIC": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_TIMEOUT": "60",
    }
    with gunicorn(changes, workers=2, threads=6, logs=tmp_path) as base:
        yield base
    # An error the workers logged is a failure, even if every answer looked fine.
    logs = (tmp_path / "access.log").read_text() + (tmp_path / "error.log").read_text()
    assert "Traceback" not in logs, logs[-4000:]


def editor_sessions(django_user_model) -> list[tuple[str, str]]:
    """(Cookie header, CSRF token) for each of twelve Editor-group staff users' sessions."""
    editor_group_sync()  # a flush between transactional tests removes migration data
    group = Group.objects.get(name=EDITOR_GROUP)
    cookies = []
    for number in range(EDITORS):
        user = django_user_model.objects.create_user(f"editor{number}", is_staff=True)
        user.groups.add(group)
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        token = get_random_string(32)
        cookies.append(
            (
                f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={token}",
                token,
            )
        )
    return cookies


def test_twelve_editors_moving_the_tree_at_once_all_succeed(seeded, django_user_model, tmp_path):
    source = make_competence(code="CONCURRENT-FROM")
    target = make_competence(code="CONCURRENT-TO")
    moving = [make_competence(parent=source) for _ in range(EDITORS)]
    sessions = editor_sessions(django_user_model)
    changelist = reverse("admin:competences_competence_changelist")

    start = threading.Barrier(EDITORS)
    answers = [None] * EDITORS

    def editor(base: str, number: int) -> None:
        cookie, token = sessions[number]
        body = urllib.parse.urlencode(
            {
                "cmd": "move_node",
                "cut_item": moving[number].pk,
                "pasted_on": target.pk,
                "position": "last-child",
                "csrfmiddlewaretoken": token,
            }
        ).encode()
        request = urllib.request.Request(
            base + changelist, data=body, headers={"Cookie": cookie}, method="POST"
        )
        start.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=90) as response:
                answers[number] = (response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            answers[number] = (error.code, error.read().decode(errors="replace")[:500])

    # The server starts only now, so that it sees everything made above.
    with (
        shared_database(tmp_path, copy_back=True) as database_url,
        served(database_url, tmp_path) as base,
    ):
        threads = [
            threading.Thread(target=editor, args=(base, number)) for number in range(EDITORS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert answers == [(200, "OK, moved.")] * EDITORS
    children = set(Competence.objects.filter(parent=target).values_list("pk", flat=True))
    assert children == {competence.pk for competence in moving}
    assert not Competence.objects.filter(parent=source).exists()
    assert competence_tree_problems() == []
    # Each move is in the admin's log, under the editor who made it.
    logged = set(
        LogEntry.objects.filter(user__username__startswith="editor").values_list(
            "object_id", "user__username"
        )
    )
    assert logged == {(str(moving[number].pk), f"editor{number}") for number in range(EDITORS)}
