"""Editors working at the same moment never see a server error, and the tree stays sound.

Against the production server (gunicorn with several worker processes) sharing one
database, as several editors would: twelve editors drag a competence in the admin's tree
at the same moment; then 36 tree moves (drags beside and under nodes that other editors
are moving, and change forms saved as they were read) and 36 role edits arrive at once.
On PostgreSQL the server uses the test database; on SQLite, whose test database lives in
this process's memory, it uses a file copied from it, and the result is copied back for
checking.
"""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from competences.models import Competence, Kind
from competences.selectors import competence_tree_problems
from interchange.editors import EDITOR_GROUP, editor_group_sync
from roles.models import Area, RoleProfile
from tests.factories import make_competence, make_requirement, make_role
from tests.servers import gunicorn, shared_database
from tests.test_history import admin_url, form_data

pytestmark = pytest.mark.django_db(transaction=True)

EDITORS = 12


@contextmanager
def served(database_url: str, tmp_path: Path, *, workers: int = 2, threads: int = 6):
    """The site served by gunicorn (two workers of six threads unless told) on a
    loopback port; yields its base address."""
    changes = {
        "DATABASE_URL": database_url,
        "DJANGO_LOCAL": "1",
        "DJANGO_DEBUG": "0",
        "DJANGO_MANIFEST_STATIC": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_TIMEOUT": "60",
    }
    with gunicorn(changes, workers=workers, threads=threads, logs=tmp_path) as base:
        yield base


def assert_nothing_failed_in_the_logs(tmp_path: Path) -> None:
    """An error the workers logged is a failure, even if every answer looked fine."""
    logs = (tmp_path / "access.log").read_text() + (tmp_path / "error.log").read_text()
    assert "Traceback" not in logs, logs[-4000:]


def editor_sessions(django_user_model, count: int = EDITORS) -> list[tuple[str, str]]:
    """(Cookie header, CSRF token) for each of ``count`` Editor-group staff users' sessions."""
    editor_group_sync()  # a flush between transactional tests removes migration data
    group = Group.objects.get(name=EDITOR_GROUP)
    cookies = []
    for number in range(count):
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
    assert_nothing_failed_in_the_logs(tmp_path)
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


# --- Many editors at once: the tree and the roles ---------------------------------------

MOVES = 36
ROLE_EDITS = 36
# Several worker processes, with threads enough that every request is in flight at once.
WORKERS, THREADS = 4, 9
# Subsections the moved nodes leave and enter, and roles edited by nine editors each.
BRANCHES = 4
ROLES = 4


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the redirect is the answer: a saved form answers 302


def send_at_once(base: str, requests: list[tuple[str, str, dict]]) -> list[tuple[int, str]]:
    """POST every (address, Cookie header, fields) at the same moment, a thread each;
    returns each answer's status and body, redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirects)
    start = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def send(number: int) -> None:
        address, cookie, fields = requests[number]
        request = urllib.request.Request(
            base + address,
            data=urllib.parse.urlencode(fields, doseq=True).encode(),
            headers={"Cookie": cookie},
            method="POST",
        )
        start.wait(timeout=60)
        try:
            with opener.open(request, timeout=120) as response:
                answers[number] = (response.status, response.read().decode(errors="replace"))
        except urllib.error.HTTPError as error:
            answers[number] = (error.code, error.read().decode(errors="replace"))

    threads = [threading.Thread(target=send, args=(number,)) for number in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return answers


def form_errors(page: str) -> list[str]:
    """The error messages an admin form page shows, as text."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", errors).strip()
        for errors in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.DOTALL)
    ]


def read_form(model, obj) -> dict:
    """What the admin's change form for ``obj`` sends back unchanged, read now."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="editor0"))
    return form_data(client.get(admin_url(model, "change", obj.pk)))


def test_thirty_six_tree_moves_and_thirty_six_role_edits_at_once(
    seeded, django_user_model, tmp_path
):
    """Moves beside and under nodes that other editors are moving at that moment, and
    change forms saved with the parent they were read with, leave a sound tree and lose
    no title; role edits, three editors of each role adding the same requirement, lose
    nothing and break nothing. No answer is a server error.

    Before the tree service read its nodes again under the lock, this left the tree
    corrupt every time (2 to 15 problems a run, on SQLite and PostgreSQL alike), and the
    role edits answered 500 eight times (a requirement added twice)."""
    sessions = editor_sessions(django_user_model, MOVES + ROLE_EDITS)
    section = make_competence(code="RACE")
    leaving = [
        make_competence(parent=section, kind=Kind.SUBSECTION, code=f"RACE.L{n}")
        for n in range(BRANCHES)
    ]
    entering = [
        make_competence(parent=section, kind=Kind.SUBSECTION, code=f"RACE.E{n}")
        for n in range(BRANCHES)
    ]
    third = MOVES // 3
    carried = [make_competence(parent=leaving[n % BRANCHES]) for n in range(third)]
    besides = [make_competence(parent=entering[(n + 1) % BRANCHES]) for n in range(third)]
    # Four requirements for each role, and one more each that several editors add.
    statements = list(Competence.objects.filter(kind=Kind.STATEMENT).order_by("pk")[: ROLES * 5])
    area = Area.objects.first()
    roles = [make_role(areas=[area]) for _ in range(ROLES)]
    for number, role in enumerate(roles):
        for statement in statements[number * 5 : number * 5 + 4]:
            make_requirement(role, statement)
    added = {role.pk: statements[number * 5 + 4] for number, role in enumerate(roles)}

    changelist = admin_url(Competence, "changelist")
    requests = []
    for number, node in enumerate(carried):
        # Into another branch, while others move beside it and save its form.
        position = "last-child" if number % 2 else "first-child"
        requests.append(
            {"cmd": "move_node", "cut_item": node.pk, "pasted_on": entering[number % BRANCHES].pk}
            | {"position": position}
        )
    for number, node in enumerate(besides):
        # Beside a node that is moving to another branch at the same moment.
        position = "left" if number % 2 else "right"
        requests.append(
            {"cmd": "move_node", "cut_item": node.pk, "pasted_on": carried[number].pk}
            | {"position": position}
        )
    tree_requests = [(changelist, fields) for fields in requests]
    for number, node in enumerate(carried):
        # The change form as the editor read it, before the move: same parent, new title.
        fields = read_form(Competence, node) | {"title": f"Retitled {number}"}
        tree_requests.append((admin_url(Competence, "change", node.pk), fields))
    role_requests = []
    for number in range(ROLE_EDITS):
        role = roles[number % ROLES]
        fields = read_form(RoleProfile, role) | {"purpose": f"Purpose from editor {number}."}
        if number % 3 == 0:
            # Several editors add the same requirement to the same role at once.
            rows = int(fields["requirements-TOTAL_FORMS"])
            fields |= {
                "requirements-TOTAL_FORMS": str(rows + 1),
                f"requirements-{rows}-competence": str(added[role.pk].pk),
                f"requirements-{rows}-proficiency": "3",
                f"requirements-{rows}-requirement": "desirable",
            }
        elif number % 3 == 1:
            fields |= {"requirements-0-proficiency": str(1 + number % 4)}
        role_requests.append((admin_url(RoleProfile, "change", role.pk), fields))

    everything = []
    for number, (address, fields) in enumerate(tree_requests + role_requests):
        cookie, token = sessions[number]
        everything.append((address, cookie, fields | {"csrfmiddlewaretoken": token}))
    with (
        shared_database(tmp_path, copy_back=True) as database_url,
        served(database_url, tmp_path, workers=WORKERS, threads=THREADS) as base,
    ):
        # The tree moves at once, then the role edits at once: 72 writes in one burst on
        # a busy two-core machine came close to SQLite's 20-second wait for the lock.
        answers = send_at_once(base, everything[:MOVES]) + send_at_once(base, everything[MOVES:])

    assert None not in answers, "a request had no answer"
    moves, forms, edits = answers[: 2 * third], answers[2 * third : MOVES], answers[MOVES:]
    server_errors = {
        "tree moves": sum(status >= 500 for status, _ in moves + forms),
        "role edits": sum(status >= 500 for status, _ in edits),
    }
    problems = competence_tree_problems()
    assert (server_errors, problems) == ({"tree moves": 0, "role edits": 0}, []), (
        f"server errors: {server_errors}; {len(problems)} tree problems: {problems[:6]}"
    )
    assert_nothing_failed_in_the_logs(tmp_path)
    assert [answer for answer in moves if answer != (200, "OK, moved.")] == []
    assert [status for status, _ in forms] == [302] * third
    # A role edit is saved, or refused because another editor has just added the same
    # requirement: the form says so, and nothing else is lost.
    refused = [body for status, body in edits if status != 302]
    assert all("This role already lists that competence" in body for body in refused), [
        form_errors(body) for body in refused
    ]
    assert all(status in (200, 302) for status, _ in edits)
    for number, node in enumerate(carried):
        node.refresh_from_db()
        assert node.title == f"Retitled {number}"
        branch = number % BRANCHES
        assert node.parent_id in {leaving[branch].pk, entering[branch].pk}
    for role in roles:
        codes = list(role.requirements.values_list("competence__code", flat=True))
        assert len(codes) == len(set(codes)) == 5
        assert added[role.pk].code in codes
