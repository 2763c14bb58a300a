"""Ways in for people outside the services: "How to get into this role" on every role
page, the guided "Find your way in" page and its rule, and the lived-experience route.

The guided page's answers are checked against the rule applied independently to the
seed file itself (``fixtures/ways_in.yaml``), not to what the loader stored.
"""

import html
import itertools
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import textstat
import yaml
from django.urls import reverse

from interchange.sources import FIXTURES_DIR as FIXTURES
from pathways.models import (
    OFFICIAL_ENTRY_HOSTS,
    EntryRoute,
    PreEmploymentCheck,
    Qualification,
    Register,
    RoleEntry,
    StartingPoint,
)
from pathways.ways_in import Answers, can_start, could_apply_now, find_ways_in
from pathways.ways_in_seed import QUALIFICATIONS
from roles.models import Area, RoleProfile

pytestmark = pytest.mark.django_db

WAYS_IN = reverse("ways_in:start")
LIVED = reverse("ways_in:lived-experience")
# The reading grade the issue sets for the new pages (Flesch-Kincaid, textstat).
MOST_READING_GRADE = 9


class _Text(HTMLParser):
    """The words a reader sees inside ``<main>``: no scripts, styles or hidden markup."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style", "svg"):
            self.skip += 1
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "legend", "label", "div", "dt", "dd"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style", "svg"):
            self.skip -= 1
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "legend", "label", "dt", "dd"):
            self.parts.append(".\n")

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def main_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    text = "".join(parser.parts)
    # A heading or label already ending in punctuation keeps one stop.
    text = re.sub(r"([.?!:])\.\n", r"\1\n", text)
    return re.sub(r"[ \t]+", " ", text)


def links(markup: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'<a[^>]*\bhref="([^"]*)"', markup)]


def way_in_section(markup: str) -> str:
    found = re.search(r'<section class="app-way-in[^"]*"[^>]*>(.*?)</section>', markup, re.S)
    assert found, "no How to get into this role section"
    return found.group(1)


@pytest.fixture(scope="module")
def seed_file() -> dict:
    return yaml.safe_load((FIXTURES / "ways_in.yaml").read_text(encoding="utf-8"))


# --- The rule ----------------------------------------------------------------------


def _answers(**values) -> Answers:
    base = {
        "starting_point": StartingPoint.NO_JOB,
        "qualification": Qualification.NONE,
        "register": "",
        "lived_experience": False,
        "area": None,
    }
    return Answers(**{**base, **values})


def test_each_condition_of_the_rule_can_refuse_on_its_own():
    entry = RoleEntry(
        starting_points=[StartingPoint.REGISTERED],
        qualification=Qualification.DEGREE,
        registers=[Register.NURSE],
        lived_experience=True,
    )
    meets = {
        "starting_point": StartingPoint.REGISTERED,
        "qualification": Qualification.DEGREE,
        "register": Register.NURSE,
        "lived_experience": True,
    }
    assert could_apply_now(entry, _answers(**meets))
    for name, short in [
        ("starting_point", StartingPoint.SUPPORT_WORKER),
        ("qualification", Qualification.LEVEL_4_5),
        ("register", Register.PARAMEDIC),
        ("lived_experience", False),
    ]:
        assert not could_apply_now(entry, _answers(**{**meets, name: short})), name
    # A higher qualification than asked meets the ask.
    assert could_apply_now(entry, _answers(**{**meets, "qualification": Qualification.MASTERS}))


def test_a_route_open_to_anyone_refuses_only_on_qualification_and_lived_experience():
    route = EntryRoute(open_to=[], qualification=Qualification.LEVEL_2, lived_experience=True)
    assert can_start(route, _answers(qualification=Qualification.LEVEL_2, lived_experience=True))
    assert not can_start(route, _answers(qualification=Qualification.NONE, lived_experience=True))
    assert not can_start(route, _answers(qualification=Qualification.LEVEL_2))
    narrow = EntryRoute(open_to=[StartingPoint.SUPPORT_WORKER])
    assert not can_start(narrow, _answers())
    assert can_start(narrow, _answers(starting_point=StartingPoint.SUPPORT_WORKER))


# --- The seed content ---------------------------------------------------------------


def test_every_role_has_an_entry_rule_and_at_least_one_route(seeded, seed_file):
    assert set(seed_file["roles"]) == set(RoleProfile.objects.values_list("slug", flat=True))
    assert RoleEntry.objects.count() == RoleProfile.objects.count()
    for role in RoleProfile.objects.prefetch_related("entry_routes"):
        assert role.entry_routes.exists(), role.slug


def test_registered_professions_and_peer_roles_say_so_in_their_entry_rule(seeded):
    for entry in RoleEntry.objects.select_related("role"):
        assert bool(entry.registers) == entry.role.registered_profession, entry.role.slug
        if entry.lived_experience:
            assert entry.role.lived_experience_route, entry.role.slug


def test_loading_the_seed_again_writes_nothing(seeded):
    from pathways.ways_in_seed import load_ways_in

    before = [model.history.count() for model in (RoleEntry, EntryRoute, PreEmploymentCheck)]
    report = load_ways_in(FIXTURES)
    assert report.saved == {"entry": 0, "route": 0, "check": 0}
    assert report.removed_routes == 0
    assert before == [
        model.history.count() for model in (RoleEntry, EntryRoute, PreEmploymentCheck)
    ]


# --- Role pages ----------------------------------------------------------------------


def _official(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname in OFFICIAL_ENTRY_HOSTS


def test_every_role_page_says_how_to_get_in_with_official_links_and_vacancies(client, seeded):
    for role in RoleProfile.objects.all():
        markup = client.get(role.get_absolute_url()).content.decode()
        section = way_in_section(markup)
        outside = [url for url in links(section) if urlsplit(url).netloc]
        assert outside, role.slug
        refused = [url for url in outside if not _official(url)]
        assert not refused, (role.slug, refused)
        assert any(urlsplit(url).hostname != "www.jobs.nhs.uk" for url in outside), role.slug
        assert "See current vacancies on NHS Jobs" in section
        assert "Your employer will confirm which checks apply" in section
        searches = [url for url in outside if urlsplit(url).hostname == "www.jobs.nhs.uk"]
        keywords = [parse_qs(urlsplit(url).query)["keyword"][0] for url in searches]
        assert keywords == (role.job_title_list or [role.title]), role.slug


def test_a_role_page_lists_the_checks_of_its_services_and_no_others(client, seeded):
    for role in RoleProfile.objects.prefetch_related("areas"):
        section = way_in_section(client.get(role.get_absolute_url()).content.decode())
        areas = set(role.areas.all())
        for check in PreEmploymentCheck.objects.prefetch_related("areas"):
            applies = check.every_area or bool(areas & set(check.areas.all()))
            assert (html.escape(check.name) in section) == applies, (role.slug, check.slug)


def test_the_role_page_shows_each_route_with_its_caution(client, seeded):
    route = EntryRoute.objects.exclude(caution="").select_related("role").first()
    if route is None:
        pytest.skip("no route in the seed carries a caution")
    section = way_in_section(client.get(route.role.get_absolute_url()).content.decode())
    assert html.escape(route.title) in section
    assert html.escape(route.caution) in section


# --- Find your way in ----------------------------------------------------------------


def _post(client, **answers):
    return client.post(WAYS_IN, answers)


def _found_roles(markup: str, heading_id: str) -> list[str]:
    """The role slugs linked under the results heading ``heading_id``."""
    start = markup.index(f'id="{heading_id}"')
    end = markup.find('<h2 class="nhsuk-heading-l"', start + 1)
    part = markup[start : end if end > 0 else None]
    return re.findall(r'<h3[^>]*><a href="/roles/([^/]+)/#way-in"', part)


def test_the_overview_leads_to_the_guided_page_and_the_lived_experience_route(client, seeded):
    overview = client.get("/").content.decode()
    assert f'href="{WAYS_IN}"' in overview
    assert f'href="{LIVED}"' in overview


def test_no_qualifications_lived_experience_and_reconnect_finds_the_peer_role(client, seeded):
    response = _post(
        client,
        starting_point="no-job",
        qualification="0",
        service="reconnect",
        lived_experience="yes",
    )
    assert response.status_code == 200
    now = _found_roles(response.content.decode(), "now")
    assert "reconnect-peer-support-worker" in now
    # The same person without lived experience cannot apply for the peer role.
    without = _post(client, starting_point="no-job", qualification="0", service="reconnect")
    assert "reconnect-peer-support-worker" not in _found_roles(without.content.decode(), "now")


def test_a_registered_nurse_in_court_healthcare_finds_a_role_and_its_next_step(client, seeded):
    response = _post(
        client,
        starting_point="registered",
        register="nurse",
        qualification="6",
        service="court-healthcare",
    )
    markup = response.content.decode()
    now = _found_roles(markup, "now")
    assert "court-healthcare-practitioner" in now
    practitioner = markup.index('href="/roles/court-healthcare-practitioner/#way-in"')
    assert "/roles/senior-court-healthcare-practitioner/" in markup[practitioner:]


def _independent_now(seed_file, answers, slugs_in_area) -> list[str]:
    """The roles the rule admits, worked out from the seed file's own words."""
    admitted = []
    for slug, rule in seed_file["roles"].items():
        if slug not in slugs_in_area:
            continue
        if answers["starting_point"] not in (rule.get("starting_points") or []):
            continue
        if int(answers["qualification"]) < QUALIFICATIONS[rule.get("qualification", "none")]:
            continue
        registers = rule.get("registers") or []
        if registers and answers.get("register") not in registers:
            continue
        if rule.get("lived_experience") and answers.get("lived_experience") != "yes":
            continue
        admitted.append(slug)
    return sorted(admitted)


def test_could_apply_now_matches_the_rule_applied_to_the_seed_file(client, seeded, seed_file):
    """Every combination of answers (each register with "registered"), in each service:
    the "could apply now" list is the rule applied to the file, no more, no less. Every
    combination is worked out as the page works it out; one in eight is also sent to the
    page and read off it."""
    by_slug = {area.slug: area for area in Area.objects.all()}
    areas = {
        area.slug: set(area.roles.values_list("slug", flat=True)) for area in Area.objects.all()
    }
    everything = set().union(*areas.values())
    tried = 0
    for point, qualification, service, lived in itertools.product(
        StartingPoint.values,
        [Qualification.NONE, Qualification.LEVEL_3, Qualification.DEGREE, Qualification.DOCTORATE],
        [*areas, "any"],
        ["yes", ""],
    ):
        registers = Register.values if point == StartingPoint.REGISTERED else [""]
        for register in registers:
            answers = {
                "starting_point": point,
                "qualification": str(qualification),
                "service": service,
                "register": register,
                "lived_experience": lived,
            }
            expected = _independent_now(seed_file, answers, areas.get(service, everything))
            found = find_ways_in(
                Answers(point, qualification, register, lived == "yes", by_slug.get(service))
            )
            assert sorted(open.role.slug for open in found.now) == expected, answers
            if tried % 8 == 0:
                response = _post(client, **answers)
                assert response.status_code == 200, answers
                shown = sorted(_found_roles(response.content.decode(), "now"))
                assert shown == expected, answers
            tried += 1
    assert tried > 300


def test_a_peer_role_opens_after_its_route_for_someone_with_lived_experience(client, seeded):
    """A person who cannot apply for a role yet sees it under the routes that would open
    it, named with the route."""
    response = _post(
        client, starting_point="other", qualification="0", service="any", lived_experience="yes"
    )
    markup = response.content.decode()
    after = _found_roles(markup, "after")
    now = _found_roles(markup, "now")
    assert not set(after) & set(now)
    for slug in after:
        role = RoleProfile.objects.get(slug=slug)
        assert role.entry.starting_points, slug
        assert any(html.escape(route.title) in markup for route in role.entry_routes.all())


def test_the_page_states_its_rule_and_keeps_nothing(client, seeded):
    blank = client.get(WAYS_IN)
    assert "How we decide what you could apply for now" in blank.content.decode()
    assert "X-Robots-Tag" not in blank
    counts = [model.objects.count() for model in (RoleEntry, EntryRoute, PreEmploymentCheck)]
    answered = _post(
        client, starting_point="volunteer", qualification="2", service="any", lived_experience="yes"
    )
    assert answered.status_code == 200
    assert "How we decide what you could apply for now" in answered.content.decode()
    assert "no-store" in answered["Cache-Control"]
    assert answered["X-Robots-Tag"] == "noindex"
    assert answered["Referrer-Policy"] == "no-referrer"
    assert not answered.cookies
    assert counts == [
        model.objects.count() for model in (RoleEntry, EntryRoute, PreEmploymentCheck)
    ]


def _answered(point="other", qualification="3", service="any", **more) -> dict:
    return {"starting_point": point, "qualification": qualification, "service": service, **more}


@pytest.mark.parametrize(
    "answers, problem",
    [
        ({}, "Choose where you are now"),
        (_answered("registered", "6"), "Choose the register you are on"),
        (_answered("astronaut"), "Choose where you are now"),
        (_answered(qualification="99"), "Choose your highest qualification"),
        (_answered(qualification="x\x00"), "Choose your highest qualification"),
        (_answered(service="mars"), "Choose a service"),
        (_answered(lived_experience="maybe"), "Choose yes, no or rather not say"),
        (_answered(register="astronaut"), "Choose the register you are on"),
    ],
)
def test_bad_answers_get_a_message_and_keep_what_was_chosen(client, seeded, answers, problem):
    response = _post(client, **answers)
    assert response.status_code == 400
    markup = response.content.decode()
    assert "There is a problem" in markup
    assert problem in markup
    assert 'id="now"' not in markup
    for name, value in answers.items():
        if value in ("other", "registered", "6", "3", "any"):
            assert f'name="{name}" type="radio" value="{value}" checked' in markup, name


# --- Lived experience ---------------------------------------------------------------


def test_the_lived_experience_page_links_every_role_with_that_route(client, seeded):
    markup = client.get(LIVED).content.decode()
    for role in RoleProfile.objects.with_lived_experience_route():
        assert f'href="{role.get_absolute_url()}"' in markup, role.slug
    others = RoleProfile.objects.exclude(lived_experience_route=True)
    for role in others:
        assert f'href="{role.get_absolute_url()}"' not in markup, role.slug
    outside = [url for url in links(markup) if urlsplit(url).netloc]
    assert outside
    assert not [url for url in outside if not _official(url)]
    assert f'href="{WAYS_IN}"' in markup


# --- Plain English --------------------------------------------------------------------


def reading_grade(markup: str) -> float:
    return textstat.flesch_kincaid_grade(main_text(markup))


def new_pages(client) -> dict[str, str]:
    """The new pages and sections, as a reader meets them."""
    answered = _post(
        client, starting_point="no-job", qualification="0", service="any", lived_experience="yes"
    )
    peer = RoleProfile.objects.get(slug="reconnect-peer-support-worker")
    role_page = client.get(peer.get_absolute_url()).content.decode()
    return {
        "find your way in": client.get(WAYS_IN).content.decode(),
        "your ways in": answered.content.decode(),
        "lived experience": client.get(LIVED).content.decode(),
        "how to get into this role": "<main>" + way_in_section(role_page) + "</main>",
    }


def test_the_new_pages_read_at_grade_nine_or_below(client, seeded):
    grades = {name: reading_grade(markup) for name, markup in new_pages(client).items()}
    assert all(grade <= MOST_READING_GRADE for grade in grades.values()), grades


def test_an_answer_reads_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries):
    """Roles with their entry rule, services and routes; the moves up; the services for
    the form: a handful of queries whatever the answers."""
    with django_assert_max_num_queries(6):
        _post(client, starting_point="other", qualification="3", service="any")


# --- The admin ------------------------------------------------------------------------


def _entry_form(entry: RoleEntry, **changes) -> dict:
    data = {
        "role": entry.role_id,
        "starting_points": entry.starting_points,
        "qualification": entry.qualification,
        "registers": entry.registers,
        "dbs": entry.dbs,
    }
    if entry.lived_experience:
        data["lived_experience"] = "on"
    return {**data, **changes}


def test_an_editor_ticks_where_applicants_come_from_and_the_page_follows(staff_client, seeded):
    entry = RoleEntry.objects.select_related("role").get(
        role__slug="liaison-and-diversion-administrator"
    )
    address = reverse("admin:pathways_roleentry_change", args=[entry.pk])
    response = staff_client.post(address, _entry_form(entry, starting_points=["volunteer"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.starting_points == ["volunteer"]
    assert entry.history.count() >= 2
    found = _post(staff_client, starting_point="no-job", qualification="3", service="any")
    assert entry.role.slug not in _found_roles(found.content.decode(), "now")
    found = _post(staff_client, starting_point="volunteer", qualification="3", service="any")
    assert entry.role.slug in _found_roles(found.content.decode(), "now")


def test_the_admin_refuses_registrations_for_a_role_that_is_not_a_registered_profession(
    staff_client, seeded
):
    entry = RoleEntry.objects.select_related("role").filter(role__registered_profession=False)[0]
    address = reverse("admin:pathways_roleentry_change", args=[entry.pk])
    response = staff_client.post(address, _entry_form(entry, registers=["nurse"]))
    assert response.status_code == 200
    assert "Name the registrations accepted when the profile is a registered" in (
        response.content.decode()
    )
    entry.refresh_from_db()
    assert entry.registers == []


def test_the_admin_refuses_a_route_link_off_the_owners_sites(staff_client, seeded):
    route = EntryRoute.objects.exclude(address="").first()
    address = reverse("admin:pathways_entryroute_change", args=[route.pk])
    form = {
        "role": route.role_id,
        "kind": route.kind,
        "title": route.title,
        "summary": route.summary,
        "address": "https://careers.example.com/peer",
        "caution": route.caution,
        "open_to": route.open_to,
        "qualification": route.qualification,
        "position": route.position,
    }
    response = staff_client.post(address, form)
    assert response.status_code == 200
    assert "Link only to the owner" in response.content.decode()
    route.refresh_from_db()
    assert route.address.startswith("https://") and "example.com" not in route.address


def test_a_dry_run_names_roles_not_stored_yet_where_a_real_load_refuses(seeded, tmp_path):
    """``load_framework --dry-run`` rolls the framework back before the ways in are read,
    so on a new database no role is stored: a dry run counts them, a real load refuses."""
    from pathways.ways_in_seed import WaysInError, load_ways_in

    document = yaml.safe_load((FIXTURES / "ways_in.yaml").read_text(encoding="utf-8"))
    document["roles"]["not-drafted-yet"] = {"starting_points": ["other"]}
    (tmp_path / "ways_in.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    report = load_ways_in(tmp_path, dry_run=True)
    assert report.not_yet_stored == 1
    assert any("not stored yet" in line for line in report.lines())
    with pytest.raises(WaysInError, match="no role profile called not-drafted-yet"):
        load_ways_in(tmp_path)


def test_make_run_on_a_database_from_before_the_ways_in_adds_them_once(seeded):
    """``load_framework --if-empty`` leaves a database with content alone, but one made
    before the ways in existed gets them, once."""
    import io

    from django.core.management import call_command

    EntryRoute.objects.all().delete()
    RoleEntry.objects.all().delete()
    out = io.StringIO()
    call_command("load_framework", "--if-empty", stdout=out)
    assert "nothing loaded" in out.getvalue()
    assert RoleEntry.objects.count() == RoleProfile.objects.count()
    assert EntryRoute.objects.exists()
    before = RoleEntry.history.count()
    call_command("load_framework", "--if-empty", stdout=io.StringIO())
    assert RoleEntry.history.count() == before
