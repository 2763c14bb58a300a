"""The framework health report: each kind of problem seeded is reported, with the command's
exit code and the admin page agreeing, and editors accept warnings with a reason."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competences.models import Competence, Standard
from framework.health import findings, health_report
from framework.models import AcceptedWarning
from interchange.editors import EDITOR_GROUP
from roles.models import Level, Proficiency, RoleProfile
from tests.factories import (
    grow_framework,
    make_competence,
    make_learning,
    make_progression,
    make_requirement,
    make_role,
)

pytestmark = pytest.mark.django_db

REPORT_URL = reverse("admin:framework_acceptedwarning_changelist")
ACCEPT_URL = reverse("admin:framework_acceptedwarning_accept")


@pytest.fixture
def editor_client(client, django_user_model):
    """A staff user whose only rights come from the Editor group."""
    user = django_user_model.objects.create_user("health-editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    client.force_login(user)
    return client


def run_command() -> tuple[int, str]:
    """check_framework's exit status and what it printed."""
    out = StringIO()
    try:
        call_command("check_framework", stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def page_keys(html: str, severity: str) -> set[str]:
    """The keys of the findings the admin page lists under checks of ``severity``."""
    keys = set()
    for block in re.findall(
        rf'<div class="module app-health__check" id="check-[^"]+" '
        rf'data-severity="{severity}">(.*?)</ul>',
        html,
        re.S,
    ):
        keys |= set(re.findall(r'class="app-health__finding" data-key="([^"]+)"', block))
    return keys


def section(title: str = "Section") -> Competence:
    return make_competence(title=title)


# Each maker seeds one kind of problem on top of the seed content and returns the key
# of the finding it should raise.


def foundation_at_expert():
    statement = make_competence(parent=section(), foundation=True, title="Pass on a message")
    role = make_role(level=6)
    make_requirement(role, statement, Proficiency.EXPERT)
    return f"foundation-depth:{role.code}:{statement.code}"


def deeper_than_level():
    statement = make_competence(parent=section())
    role = make_role(level=3)
    make_requirement(role, statement, Proficiency.EXPERT)
    return f"depth-above-level:{role.code}:{statement.code}"


def too_much_expert():
    parent = section()
    role = make_role(level=8)
    for depth in (Proficiency.EXPERT, Proficiency.EXPERT, Proficiency.PROFICIENT):
        make_requirement(role, make_competence(parent=parent), depth)
    return f"expert-share:{role.code}"


def too_few_requirements():
    role = make_role(level=5)
    make_requirement(role, make_competence(parent=section()))
    return f"requirement-count:{role.code}"


def all_desirable():
    role = make_role(level=5)
    parent = section()
    for _ in range(2):
        make_requirement(role, make_competence(parent=parent), requirement="desirable")
    return f"essential-share:{role.code}"


def shallower_move_up():
    statement = make_competence(parent=section())
    lower, higher = make_role(level=4), make_role(level=5)
    make_requirement(lower, statement, Proficiency.PROFICIENT)
    make_requirement(higher, statement, Proficiency.WORKING)
    make_progression(lower, higher)
    return f"move-shallower:{lower.code}:{higher.code}:{statement.code}"


def unused_competence():
    statement = make_competence(parent=section())
    return f"unused-competence:{statement.code}"


def uncited_standard():
    Standard.objects.create(
        code="ZZ99", reference="ZZ99", title="Nobody cites this", suite="S", organisation="O"
    )
    return "uncited-standard:ZZ99"


def learning_without_address():
    make_learning(title="A course with no address", url="")
    return "learning-address:A course with no address"


def near_duplicate_statements():
    parent = section()
    first = make_competence(parent=parent, title="Write clear court reports for magistrates")
    second = make_competence(parent=parent, title="Write clear court reports for the magistrates")
    return f"near-duplicate:{first.code}:{second.code}"


def no_learning_at_level():
    statement = make_competence(parent=section())
    role = make_role(level=4)
    make_requirement(role, statement)
    make_learning(title="Only for level 7", suits_from=7, suits_to=8, competences=[statement])
    return f"no-learning-at-level:4:{statement.code}"


def control_character_in_a_title():
    role = make_role(level=5)
    RoleProfile.objects.filter(pk=role.pk).update(title="Practitioner\x0bwith a tab")
    return f"stored-text:roles.roleprofile:{role.pk}:title"


def carriage_return_in_long_text():
    role = make_role(level=5)
    RoleProfile.objects.filter(pk=role.pk).update(purpose="One line\r\nand another")
    return f"stored-text:roles.roleprofile:{role.pk}:purpose"


ERRORS = [
    foundation_at_expert,
    deeper_than_level,
    too_much_expert,
    control_character_in_a_title,
    carriage_return_in_long_text,
]
WARNINGS = [
    too_few_requirements,
    all_desirable,
    shallower_move_up,
    unused_competence,
    uncited_standard,
    learning_without_address,
    near_duplicate_statements,
    no_learning_at_level,
]


def test_the_seed_content_has_no_errors(seeded):
    status, output = run_command()
    assert status == 0, output
    assert health_report().errors == []
    assert "0 errors" in output


@pytest.mark.parametrize("make_problem", ERRORS, ids=lambda f: f.__name__)
def test_each_error_fails_the_command_and_shows_on_the_admin_page_as_an_error(
    seeded, editor_client, make_problem
):
    key = make_problem()
    status, output = run_command()
    assert status == 1
    error_keys = {finding.key for finding in health_report().errors}
    assert key in error_keys
    page = editor_client.get(REPORT_URL)
    assert page.status_code == 200
    html = page.content.decode()
    # The page lists exactly the errors the command counts, this one among them.
    assert page_keys(html, "error") == error_keys
    assert f"{len(error_keys)} errors" in output
    # An error cannot be accepted: the page offers no form, and a forged post stores nothing.
    assert f'name="key" value="{key}"' not in html
    response = editor_client.post(ACCEPT_URL, {"key": key, "reason": "It is fine"}, follow=True)
    assert "cannot be accepted" in response.content.decode()
    assert not AcceptedWarning.objects.filter(key=key).exists()


@pytest.mark.parametrize("make_problem", WARNINGS, ids=lambda f: f.__name__)
def test_each_warning_is_listed_without_failing_the_command(seeded, editor_client, make_problem):
    key = make_problem()
    status, output = run_command()
    warning_keys = {finding.key for finding in health_report().warnings}
    assert key in warning_keys
    # A warning alone never fails the command; an error seeded alongside would.
    assert status == (1 if health_report().errors else 0), output
    html = editor_client.get(REPORT_URL).content.decode()
    assert key in page_keys(html, "warning")
    assert key not in page_keys(html, "error")


def test_an_editor_accepts_a_warning_with_a_reason_and_the_report_shows_it(seeded, editor_client):
    key = unused_competence()
    response = editor_client.post(
        ACCEPT_URL, {"key": key, "reason": "Kept for the new service starting in spring."}
    )
    assert response.status_code == 302
    assert key not in {finding.key for finding in health_report().warnings}
    html = editor_client.get(REPORT_URL).content.decode()
    accepted = re.search(
        rf'<tr class="app-health__accepted" data-key="{re.escape(key)}">(.*?)</tr>', html, re.S
    )
    assert accepted and "Kept for the new service starting in spring." in accepted.group(1)
    assert "health-editor" in accepted.group(1)
    status, output = run_command()
    assert "Accepted:" in output and "Kept for the new service" in output

    # Withdrawn, the warning is open again.
    withdraw = reverse(
        "admin:framework_acceptedwarning_withdraw", args=[AcceptedWarning.objects.get(key=key).pk]
    )
    assert editor_client.post(withdraw).status_code == 302
    assert key in {finding.key for finding in health_report().warnings}


@pytest.mark.parametrize("reason", ["", "   ", "\x00\x0b", "x" * 1001])
def test_a_reason_is_required_and_kept_short_and_nothing_is_stored_without_one(
    seeded, editor_client, reason
):
    key = unused_competence()
    response = editor_client.post(ACCEPT_URL, {"key": key, "reason": reason})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errornote" role="alert"' in html
    assert any(
        message in html
        for message in (
            "Give a reason",
            "1000 characters or fewer",
            "Null characters are not allowed",
        )
    )
    assert not AcceptedWarning.objects.exists()


def test_accepting_a_warning_that_is_not_raised_changes_nothing(seeded, editor_client):
    response = editor_client.post(
        ACCEPT_URL, {"key": "unused-competence:NOPE", "reason": "Because"}, follow=True
    )
    assert "not raised now" in response.content.decode()
    assert not AcceptedWarning.objects.exists()


def test_staff_without_the_editor_rights_cannot_open_or_accept(seeded, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", is_staff=True))
    assert client.get(REPORT_URL).status_code == 403
    key = unused_competence()
    assert client.post(ACCEPT_URL, {"key": key, "reason": "No"}).status_code == 403
    assert not AcceptedWarning.objects.exists()


def test_the_report_reads_the_framework_in_a_fixed_number_of_queries(seeded):
    with CaptureQueriesContext(connection) as before:
        findings()
    grow_framework(factor=3)
    with CaptureQueriesContext(connection) as after:
        grown = findings()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert grown  # the grown framework is not silent


def test_the_level_norms_that_the_report_checks_are_data(seeded):
    """Changing a level's norm in the data changes what the report says."""
    statement = make_competence(parent=section())
    role = make_role(level=5)
    make_requirement(role, statement, Proficiency.PROFICIENT)
    key = f"depth-above-level:{role.code}:{statement.code}"
    assert key not in {finding.key for finding in findings()}
    Level.objects.filter(number=5).update(
        deepest_proficiency=Proficiency.WORKING, foundation_proficiency=Proficiency.WORKING
    )
    assert key in {finding.key for finding in health_report().errors}


def test_level_pages_show_each_roles_spread_of_depths_as_counted_in_sql(client, seeded):
    """The calibration readers see on a level page, against a plain SQL count."""
    from lxml import html

    from tests.helpers import sql

    for number in range(2, 9):
        page = html.fromstring(client.get(reverse("roles:level-detail", args=[number])).content)
        rows = page.xpath('//table[contains(@class, "app-depth-spread")]/tbody/tr')
        expected = sql(
            "SELECT r.slug, COUNT(*), "
            "SUM(CASE WHEN rc.requirement = 'essential' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN rc.proficiency = 1 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN rc.proficiency = 2 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN rc.proficiency = 3 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN rc.proficiency = 4 THEN 1 ELSE 0 END) "
            "FROM roles_roleprofile r JOIN roles_level l ON l.id = r.level_id "
            "JOIN roles_rolecompetence rc ON rc.role_id = r.id WHERE l.number = %s "
            "GROUP BY r.slug",
            number,
        )
        assert rows and len(rows) == len(expected), number
        for slug, count, essential, *depths in expected:
            row = next(row for row in rows if row.get("data-role") == slug)
            cells = [cell.text_content().split()[-1] for cell in row.xpath("./td")]
            assert cells == [
                str(count),
                f"{round(100 * essential / count)}%",
                *[str(depth) for depth in depths],
            ], slug
        # The page states the level's norms the report checks.
        norms = sql(
            "SELECT requirements_min, requirements_max FROM roles_level WHERE number = %s",
            number,
        )[0]
        assert f"usually needs {norms[0]} to {norms[1]} competences" in page.text_content()
