"""Every page type the site shows, in one place, for the checks that must cover them all:
axe-core in Chromium (test_accessibility.py) and the Nu HTML checker
(tests/test_html_validity.py). A new page type is added here, and both check it.

Most pages are one GET of an address (``addresses``). The others are reached by doing
something, as a visitor would: sending a form, signing in with a wrong password too often,
sending too much, or meeting a fault (``reached_pages``). Those are fetched with Django's
test client, which gets the same HTML the server sends.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from django.utils import timezone

from competences.models import Competence, Standard
from pathways.development_record import DevelopmentRecord, RecordItem, record_json
from roles.models import Area, RoleProfile

ADMIN_LOGIN = "/" + settings.ADMIN_URL + "login/"
# The status axes answers a locked-out sign-in with unless settings say otherwise.
LOCKOUT_STATUS = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)


@dataclass(frozen=True)
class Address:
    """A page type reached by one GET, and the status it answers with."""

    name: str
    path: str
    status: int = 200


def _longest_role() -> RoleProfile:
    return max(RoleProfile.objects.all(), key=lambda role: role.requirements.count())


def _answers(role: RoleProfile) -> dict[str, str]:
    """A self-assessment with one of each answer and confidence in the rest."""
    codes = list(
        role.requirements.order_by("competence__code").values_list("competence__code", flat=True)
    )
    answers = {f"c-{code}": "confident" for code in codes}
    answers[f"c-{codes[0]}"] = "not-yet"
    answers[f"c-{codes[1]}"] = "partly"
    return answers


def addresses() -> list[Address]:
    """Every page type a GET shows, with the seed content loaded."""
    role = _longest_role()
    area = Area.objects.first()
    section = Competence.objects.filter(kind="section").first()
    subsection = Competence.objects.filter(kind="subsection").first() or section
    statement = Competence.objects.filter(kind="statement", requirements__isnull=False).first()
    standard = max(Standard.objects.all(), key=lambda s: s.competences.count())
    three = RoleProfile.objects.filter(requirements__isnull=False).distinct().order_by("slug")[:3]
    compare = reverse("pathways:compare")
    assessment = reverse("pathways:self-assessment", args=[role.slug])
    result = reverse("pathways:self-assessment-result", args=[role.slug])
    job = reverse("workforce:job-description", args=[role.slug])
    return [
        Address("overview", "/"),
        Address("area", area.get_absolute_url()),
        Address("level", "/levels/4/"),
        Address("role list", "/roles/"),
        Address("role list, filtered", "/roles/?level=5&lived=yes"),
        Address("role list, unknown area", "/roles/?area=nowhere", 400),
        Address("role", role.get_absolute_url()),
        Address("competence sections", "/competences/"),
        Address("section", section.get_absolute_url()),
        Address("subsection", subsection.get_absolute_url()),
        Address("statement", statement.get_absolute_url()),
        Address("standard list", "/standards/"),
        Address("standard", standard.get_absolute_url()),
        Address("search", "/search/?q=risk"),
        Address("search by code", f"/search/?q={statement.code}"),
        Address("search, nothing found", "/search/?q=zzzzzz"),
        # The seed content's one list long enough for the pagination component.
        Address("search, second page", "/search/?q=practitioner&page=2"),
        Address("about", "/about/"),
        Address("accessibility statement", "/accessibility/"),
        Address("proficiency levels", "/proficiency/"),
        Address("career map", reverse("pathways:map")),
        Address("compare, empty", compare),
        Address(
            "compare three roles", compare + "?" + urlencode([("roles", r.slug) for r in three])
        ),
        Address("compare, unknown role", compare + "?roles=no-such-role", 400),
        Address("self-assessment start", assessment),
        Address(
            "self-assessment section",
            reverse("pathways:self-assessment-section", args=[role.slug, 1]),
        ),
        Address(
            "self-assessment, earlier result",
            reverse("pathways:self-assessment-earlier", args=[role.slug]),
        ),
        Address(
            "self-assessment check",
            reverse("pathways:self-assessment-check", args=[role.slug])
            + "?"
            + urlencode(_answers(role)),
        ),
        Address("self-assessment result, no answers", result),
        Address("self-assessment result", result + "?" + urlencode(_answers(role))),
        Address("self-assessment result, unknown code", result + "?c-NOPE99=confident", 400),
        Address("job description form", job),
        Address("job description", job + "?employer=Northshire+Trust&location=Castlegate"),
        Address("area workforce", reverse("workforce:area-workforce", args=[area.slug])),
        Address("skill-mix planner, empty", reverse("workforce:skill-mix")),
        Address("skill-mix planner", reverse("workforce:skill-mix") + f"?area={area.slug}"),
        Address(
            "skill-mix planner, roles to add",
            reverse("workforce:skill-mix") + f"?area={area.slug}&mix=none",
        ),
        Address("skill-mix planner, unknown area", "/pathways/skill-mix/?area=nowhere", 400),
        Address("workforce questions, no service", reverse("workforce:skill-mix-questions")),
        Address(
            "workforce questions",
            reverse("workforce:skill-mix-questions") + f"?area={area.slug}",
        ),
        Address(
            "workforce questions, mix not read",
            reverse("workforce:skill-mix-questions") + f"?area={area.slug}&wte-nobody=1",
            400,
        ),
        Address("team training needs form", reverse("workforce:team")),
        Address(
            "development record, none yet",
            reverse("workforce:development-record", args=[role.slug]),
        ),
        Address("team development records form", reverse("workforce:team-records")),
        Address("training needs across providers form", reverse("workforce:team-region")),
        Address("find your way in", reverse("ways_in:start")),
        Address("lived-experience route", reverse("ways_in:lived-experience")),
        Address("open data", "/export/"),
        Address("what has changed", reverse("framework:changes")),
        Address("admin sign-in", ADMIN_LOGIN),
        Address("page not found", "/no-such-page/", 404),
    ]


def _team_files(client: Client, people: int = 2) -> list[SimpleUploadedFile]:
    """``people`` people's real gap files, as the self-assessment result downloads them."""
    role = _longest_role()
    result = reverse("pathways:self-assessment-result", args=[role.slug])
    files = []
    for person in range(people):
        response = client.get(result, {**_answers(role), "format": "csv"})
        assert response.status_code == 200, response.content[:200]
        files.append(SimpleUploadedFile(f"gaps-{person}.csv", response.content, "text/csv"))
    return files


def team_record_files() -> list[SimpleUploadedFile]:
    """Four people's development records for the longest role: an agreed action on its
    first competence for everyone, overdue for three of them, and a confirmed second
    competence for two, so the page shows counts, hidden counts and a withheld total."""
    role = _longest_role()
    first, second = role.requirements.select_related("competence").order_by(
        "competence__tree_id", "competence__lft"
    )[:2]
    sections = {
        section.tree_id: section.title for section in Competence.objects.filter(parent=None)
    }
    today = timezone.localdate()
    files = []
    for person in range(4):
        items = [
            RecordItem(
                code=first.competence.code,
                title=first.competence.title,
                section=sections[first.competence.tree_id],
                action="Shadow a colleague",
                target=today + datetime.timedelta(days=-30 if person < 3 else 30),
            )
        ]
        if person < 2:
            items.append(
                RecordItem(
                    code=second.competence.code,
                    title=second.competence.title,
                    section=sections[second.competence.tree_id],
                    action="Attend the course",
                    confirmed=True,
                    initials="AB",
                )
            )
        record = DevelopmentRecord(
            role_slug=role.slug,
            role_title=role.title,
            made_on=today - datetime.timedelta(days=person),
            items=items,
        )
        data = record_json(record)
        files.append(SimpleUploadedFile(f"record-{person}.json", data, "application/json"))
    return files


def provider_summary_files(client: Client) -> list[SimpleUploadedFile]:
    """Two providers' summaries, made on the team page from real gap files: a team of
    three, whose shared gaps are counted, and a team of two, whose counts are hidden."""
    files = []
    for people, region in ((3, "london"), (2, "")):
        response = client.post(
            reverse("workforce:team"),
            {"files": _team_files(client, people), "format": "json", "region": region},
        )
        assert response.status_code == 200, response.content[:200]
        files.append(
            SimpleUploadedFile(f"summary-{people}.json", response.content, "application/json")
        )
    return files


def reached_pages(client: Client) -> dict[str, HttpResponse]:
    """The pages no GET of an address shows, each reached as a visitor reaches it and
    checked to be the page its name says. A 405 has no body, so it is left out unless it
    gains one."""
    pages = {}
    team = reverse("workforce:team")
    pages["team training needs"] = client.post(team, {"files": _team_files(client)})
    pages["team training needs, file refused"] = client.post(
        team, {"files": [SimpleUploadedFile("notes.csv", b"not,a\ngap,file\n", "text/csv")]}
    )
    records = reverse("workforce:team-records")

    def not_a_record():
        return SimpleUploadedFile("notes.json", b"{}", "application/json")

    pages["team development records"] = client.post(
        records, {"files": [*team_record_files(), not_a_record()]}
    )
    pages["team development records, file refused"] = client.post(
        records, {"files": [not_a_record()]}
    )

    region = reverse("workforce:team-region")
    pages["training needs across providers"] = client.post(
        region, {"files": [*provider_summary_files(client), not_a_record()]}
    )
    pages["training needs across providers, file refused"] = client.post(
        region, {"files": [not_a_record()]}
    )

    record = reverse("workforce:development-record", args=[_longest_role().slug])
    pages["development record"] = client.post(record, _answers(_longest_role()))
    pages["development record, file refused"] = client.post(
        record, {"record-file": SimpleUploadedFile("gaps.csv", b"not,a\nrecord\n", "text/csv")}
    )

    ways_in = reverse("ways_in:start")
    pages["your ways in"] = client.post(
        ways_in,
        {
            "starting_point": "no-job",
            "qualification": "0",
            "service": "any",
            "lived_experience": "yes",
        },
    )
    pages["your ways in, answers missing"] = client.post(ways_in, {"starting_point": "registered"})

    wrong = {"username": "nobody", "password": "not the password"}
    pages["admin sign-in refused"] = client.post(ADMIN_LOGIN, wrong)
    assert b'class="errornote"' in pages["admin sign-in refused"].content
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        locked = client.post(ADMIN_LOGIN, wrong)
    pages["signing in paused"] = locked

    user = get_user_model().objects.create_user("no-rights", password="x" * 20, is_staff=True)
    forbidden = Client()
    forbidden.force_login(user)
    pages["forbidden (403)"] = forbidden.get(reverse("admin:auth_user_changelist"))
    pages["form expired (403)"] = Client(enforce_csrf_checks=True).post(ADMIN_LOGIN, wrong)
    pages["refused host (400)"] = client.get("/", headers={"host": "not-this-site.example"})
    pages["too large (413)"] = client.generic(
        "POST", "/", b"", CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1)
    )
    # A fault cannot be asked for, so the site's 500 handler is called as Django calls it.
    pages["server error (500)"] = get_resolver().resolve_error_handler(500)(
        RequestFactory().get("/")
    )
    not_allowed = client.post("/about/")
    if not_allowed.content:
        pages["method not allowed (405)"] = not_allowed

    expected = {
        "team training needs": 200,
        "team training needs, file refused": 400,
        "team development records": 200,
        "team development records, file refused": 400,
        "training needs across providers": 200,
        "training needs across providers, file refused": 400,
        "your ways in": 200,
        "development record": 200,
        "development record, file refused": 400,
        "your ways in, answers missing": 400,
        "admin sign-in refused": 200,
        "signing in paused": LOCKOUT_STATUS,
        "forbidden (403)": 403,
        "form expired (403)": 403,
        "refused host (400)": 400,
        "too large (413)": 413,
        "server error (500)": 500,
        "method not allowed (405)": 405,
    }
    statuses = {name: response.status_code for name, response in pages.items()}
    assert statuses == {name: expected[name] for name in pages}
    assert not_allowed.status_code == 405
    return pages
