"""What search engines and link previews read: the canonical address and sharing tags in
every page's head, schema.org data (JSON-LD) on role, competence and standard pages, the
sitemap and the robots file.

The JSON-LD is read back with extruct, as a crawler's extractor would, and compared
with the database; the sitemap is checked against the sitemaps.org schema kept in
``tests/standards/`` and against an enumeration of the public pages read with plain SQL;
the robots file with Python's own robots parser.
"""

import datetime
import hashlib
import html
import re
from pathlib import Path
from urllib import robotparser
from urllib.parse import urlsplit

import extruct
import pytest
from django.conf import settings
from django.db.models import Max
from django.test import RequestFactory
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from lxml import etree

from competences.models import Competence, LearningKind, Standard
from core.canonical import canonical_address
from core.models import FrameworkVersion
from core.public import declared
from core.versioning import content_models
from pathways.models import Progression
from roles.models import RoleCompetence, RoleProfile
from tests.helpers import sql
from tests.measure import count_queries

pytestmark = pytest.mark.django_db


def public(path: str) -> str:
    return settings.PUBLIC_URL + path


def head_tags(response) -> dict[str, str]:
    """The canonical link and the sharing tags of a page's head, by name."""
    head = response.content.decode().split("</head>", 1)[0]
    meta = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', head)
    tags = {name: html.unescape(content) for name, content in meta}
    canonical = re.findall(r'<link rel="canonical" href="([^"]*)">', head)
    assert len(canonical) <= 1
    if canonical:
        tags["canonical"] = html.unescape(canonical[0])
    return tags


# --- Canonical addresses and sharing tags ------------------------------------------------


def test_a_page_names_its_own_public_address_and_says_what_it_is_for_link_previews(client):
    role = RoleProfile.objects.first()
    response = client.get(role.get_absolute_url())
    tags = head_tags(response)
    address = public(role.get_absolute_url())
    assert tags["canonical"] == tags["og:url"] == address
    assert tags["og:title"] == tags["twitter:title"] == role.title
    assert tags["og:description"] == tags["twitter:description"] == tags["description"]
    assert tags["description"].startswith(" ".join(role.purpose.split()[:10]))
    assert tags["og:type"] == "website"
    assert tags["og:site_name"] == str(settings.SERVICE_NAME)
    assert tags["og:locale"] == "en_GB"
    assert tags["twitter:card"] == "summary"
    # No image is claimed: the site has none made for previews.
    assert "og:image" not in tags


def test_the_canonical_address_is_on_the_public_address_whatever_host_was_asked(client, settings):
    settings.PUBLIC_URL = "https://framework.example.org"
    settings.ALLOWED_HOSTS = ["internal.example.net"]
    response = client.get("/roles/", HTTP_HOST="internal.example.net")
    tags = head_tags(response)
    assert tags["canonical"] == tags["og:url"] == "https://framework.example.org/roles/"


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("/roles/?page=2&level=5&utm_source=x", "/roles/?page=2"),
        ("/roles/?level=5&lived=yes", "/roles/"),
        ("/roles/?page=1", "/roles/"),
        ("/roles/?page=two", "/roles/"),
        ("/pathways/?from=liaison-and-diversion-practitioner", "/pathways/"),
        ("/competences/?page=3", "/competences/?page=3"),
        # A page that lists nothing in pages keeps no page number.
        ("/about/?page=2", "/about/"),
    ],
)
def test_the_canonical_address_keeps_only_the_page_of_a_list(address, canonical):
    assert canonical_address(RequestFactory().get(address)) == public(canonical)


def test_an_older_page_of_the_change_log_keeps_its_day(client):
    tags = head_tags(client.get("/changes/?before=2020-01-31"))
    assert tags["canonical"] == public("/changes/?before=2020-01-31")
    assert head_tags(client.get("/changes/?before=nonsense"))["canonical"] == public("/changes/")


@pytest.mark.parametrize(
    "address",
    [
        "/search/?q=risk",
        "/pathways/compare/?roles=liaison-and-diversion-practitioner",
        "/pathways/self-assessment/liaison-and-diversion-practitioner/",
        "/pathways/team/",
        "/no-such-page/",
        "/roles/no-such-role/",
    ],
)
def test_tools_private_pages_and_missing_pages_name_no_canonical_address(client, address):
    response = client.get(address)
    tags = head_tags(response)
    assert "canonical" not in tags and "og:url" not in tags, address
    # What a preview shows is still there.
    assert tags["og:title"] and tags["twitter:card"] == "summary", address


# --- schema.org data ---------------------------------------------------------------------


# The schema.org types the site describes itself with, and the properties each type
# has (its own and those it inherits), as schema.org defines them: only the ones the
# site uses or could reasonably use are listed, so anything else is a mistake here.
THING = {"name", "description", "url", "identifier", "alternateName", "sameAs"}
CREATIVE_WORK = THING | {"creator", "publisher", "provider", "teaches", "educationalLevel"}
SCHEMA_ORG = {
    "Occupation": THING
    | {
        "educationRequirements",
        "estimatedSalary",
        "experienceRequirements",
        "occupationLocation",
        "occupationalCategory",
        "qualifications",
        "responsibilities",
        "skills",
    },
    "DefinedTerm": THING | {"inDefinedTermSet", "termCode"},
    "CategoryCode": THING | {"inDefinedTermSet", "termCode", "codeValue", "inCodeSet"},
    "DefinedTermSet": CREATIVE_WORK | {"hasDefinedTerm"},
    "CategoryCodeSet": CREATIVE_WORK | {"hasDefinedTerm", "hasCategoryCode"},
    "Course": CREATIVE_WORK | {"courseCode", "coursePrerequisites", "hasCourseInstance"},
    "Organization": THING,
    "Country": THING,
}


def schema_nodes(response) -> list[dict]:
    """The page's JSON-LD nodes, as extruct reads them: each script's object, or the
    members of its ``@graph``."""
    found = extruct.extract(
        response.content.decode(), base_url=public(response.wsgi_request.path), syntaxes=["json-ld"]
    )["json-ld"]
    nodes = []
    for data in found:
        assert data["@context"] == "https://schema.org"
        nodes += data.get("@graph", [data])
    return nodes


def of_type(nodes: list[dict], kind: str) -> list[dict]:
    return [node for node in nodes if node.get("@type") == kind]


def walk(value):
    """Every object inside a JSON-LD value, nested ones included."""
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner)


def test_each_role_page_describes_an_occupation_needing_exactly_the_roles_competences(client):
    competence_set = public("/competences/")
    for role in RoleProfile.objects.select_related("level"):
        nodes = schema_nodes(client.get(role.get_absolute_url()))
        [occupation] = of_type(nodes, "Occupation")
        address = public(role.get_absolute_url())
        assert occupation["@id"] == occupation["url"] == address
        assert occupation["name"] == role.title
        assert occupation["identifier"] == role.code
        needed = sql(
            "SELECT c.code, c.title FROM roles_rolecompetence r "
            "JOIN competences_competence c ON c.id = r.competence_id WHERE r.role_id = %s",
            role.pk,
        )
        skills = occupation["skills"]
        assert sorted((skill["termCode"], skill["name"]) for skill in skills) == sorted(needed)
        for skill in skills:
            assert skill["@type"] == "DefinedTerm"
            assert skill["url"] == public(f"/competences/{skill['termCode']}/")
            assert skill["inDefinedTermSet"] == {"@id": competence_set}
        [level] = [
            category
            for category in occupation["occupationalCategory"]
            if category["inCodeSet"]["name"] == "Skills for Health Career Framework levels"
        ]
        assert level["codeValue"] == str(role.level.number)
        assert level["url"] == public(f"/levels/{role.level.number}/")
        essential = [text for text, essential in role.qualification_criteria if essential]
        assert occupation.get("educationRequirements", []) == essential
        assert occupation.get("qualifications", "") == role.registration
        # The site states no pay, so the data claims none.
        assert "estimatedSalary" not in occupation
        [terms] = of_type(nodes, "DefinedTermSet")
        assert terms["@id"] == competence_set


def test_a_role_with_a_band_range_names_each_band_it_covers(client):
    role = RoleProfile.objects.get(slug="mhtr-consultant-clinical-psychologist")
    assert role.band == "8c-8d"
    [occupation] = of_type(schema_nodes(client.get(role.get_absolute_url())), "Occupation")
    bands = [
        category["codeValue"]
        for category in occupation["occupationalCategory"]
        if category["inCodeSet"]["name"] == "NHS Agenda for Change pay bands"
    ]
    assert bands == ["8c", "8d"]


def test_each_competence_page_is_a_term_in_the_framework_set_with_the_courses_that_teach_it(
    client,
):
    competence_set = public("/competences/")
    nodes_seen = 0
    for node in Competence.objects.all():
        nodes = schema_nodes(client.get(node.get_absolute_url()))
        [term] = of_type(nodes, "DefinedTerm")
        assert term["@id"] == term["url"] == public(f"/competences/{node.code}/")
        assert (term["termCode"], term["name"]) == (node.code, node.title)
        assert term["inDefinedTermSet"] == {"@id": competence_set}
        [terms] = of_type(nodes, "DefinedTermSet")
        assert terms["@id"] == competence_set
        courses = of_type(nodes, "Course")
        expected = (
            sorted(
                node.learning_opportunities.filter(kind=LearningKind.COURSE).values_list(
                    "title", flat=True
                )
            )
            if node.is_statement
            else []
        )
        assert sorted(course["name"] for course in courses) == expected, node.code
        for course in courses:
            assert course["teaches"] == {"@id": term["@id"]}
            assert course["provider"]["@type"] == "Organization" and course["provider"]["name"]
        nodes_seen += 1
    assert nodes_seen > 100


def test_learning_other_than_courses_is_left_out(client):
    statement = (
        Competence.objects.filter(learning_opportunities__kind=LearningKind.FRAMEWORK)
        .distinct()
        .first()
    )
    names = {node.get("name") for node in schema_nodes(client.get(statement.get_absolute_url()))}
    frameworks = statement.learning_opportunities.filter(kind=LearningKind.FRAMEWORK)
    assert frameworks and not names & set(frameworks.values_list("title", flat=True))


def test_each_standard_page_is_a_term_in_its_suite_linking_its_official_page(client):
    for standard in Standard.objects.all():
        [term] = of_type(schema_nodes(client.get(standard.get_absolute_url())), "DefinedTerm")
        assert term["@id"] == term["url"] == public(f"/standards/{standard.reference}/")
        assert (term["termCode"], term["name"]) == (standard.code, standard.title)
        suite = term["inDefinedTermSet"]
        assert suite["@type"] == "DefinedTermSet" and standard.suite in suite["name"]
        assert suite["creator"]["name"] == standard.organisation
        if standard.url:
            assert term["sameAs"] == standard.url
        else:
            assert "sameAs" not in term


def test_the_sections_page_is_the_set_of_the_frameworks_competences(client):
    [terms] = schema_nodes(client.get("/competences/"))
    assert terms["@type"] == "DefinedTermSet"
    assert terms["@id"] == terms["url"] == public("/competences/")
    sections = sql(
        "SELECT code FROM competences_competence WHERE parent_id IS NULL ORDER BY tree_id"
    )
    assert [term["termCode"] for term in terms["hasDefinedTerm"]] == [code for (code,) in sections]


def test_the_data_uses_schema_org_types_and_their_properties_and_links_only_live_pages(client):
    role = RoleProfile.objects.filter(registered_profession=True).exclude(typical_job_titles="")[0]
    statement = Competence.objects.filter(learning_opportunities__kind=LearningKind.COURSE).first()
    standard = Standard.objects.exclude(url="").first()
    pages = [role.get_absolute_url(), statement.get_absolute_url()]
    pages += [standard.get_absolute_url(), "/competences/"]
    ours = set()
    for page in pages:
        for node in walk(schema_nodes(client.get(page))):
            if "@type" in node:
                assert node["@type"] in SCHEMA_ORG, (page, node["@type"])
                unknown = {key for key in node if not key.startswith("@")} - SCHEMA_ORG[
                    node["@type"]
                ]
                assert not unknown, (page, node["@type"], unknown)
            for key in ("@id", "url", "sameAs"):
                if isinstance(node.get(key), str):
                    link = node[key]
                    if link.startswith(settings.PUBLIC_URL):
                        ours.add(link.removeprefix(settings.PUBLIC_URL))
                    else:
                        # Learning and standards link only to their owners' sites.
                        assert link.startswith("https://"), link
    assert len(ours) > 10
    for path in ours:
        assert client.get(path).status_code == 200, path


def test_the_data_cannot_end_its_script_element(client):
    statement = Competence.objects.filter(kind="statement").first()
    title = "Keep </script><b>notes</b> & <!-- records"
    Competence.objects.filter(pk=statement.pk).update(title=title)
    response = client.get(statement.get_absolute_url())
    html = response.content.decode()
    data = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data and "&" not in data
    [term] = of_type(schema_nodes(response), "DefinedTerm")
    assert term["name"] == title


def test_the_data_adds_no_query_to_the_pages_that_carry_it(client, monkeypatch):
    """Each page's data is built from what its body reads anyway (the role's
    requirements, a statement's learning): made afresh, the page makes the same queries
    with and without it."""
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    statement = Competence.objects.filter(learning_opportunities__isnull=False).first()
    pages = [role.get_absolute_url(), statement.get_absolute_url(), "/competences/"]
    pages.append(Standard.objects.first().get_absolute_url())
    with_data = {page: count_queries(client, page) for page in pages}
    for name in ("role_data", "competence_data", "standard_data"):
        monkeypatch.setattr(f"framework.views.{name}", lambda *args: "")
    monkeypatch.setattr("competences.views.section_list_data", lambda *args: "")
    without = {page: count_queries(client, page) for page in pages}
    assert with_data == without
    assert "application/ld+json" not in client.get("/competences/?page=1").content.decode()


# --- The sitemap ------------------------------------------------------------------------


SITEMAP_XSD = Path(__file__).parent / "standards" / "sitemap-0.9.xsd"
# The schema as sitemaps.org publishes it; a test fails if it is edited.
SITEMAP_XSD_DIGEST = "56ff47d3070698e0f7ccb27e8a0f48b088c0670bc4f219f63fe481a98130aa3f"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The W3C profile of ISO 8601 the sitemap protocol names for lastmod: a day, or a day
# and a time with its zone.
W3C_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?")


def sitemap_entries(client) -> list[tuple[str, str | None]]:
    """(address, lastmod) for each url of the sitemap, after checking it against the
    sitemaps.org schema."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    schema = etree.XMLSchema(etree.parse(str(SITEMAP_XSD)))
    schema.assertValid(document)
    assert document.tag == f"{{{SITEMAP_NS}}}urlset"
    found = []
    for url in document.iterfind(f"{{{SITEMAP_NS}}}url"):
        lastmod = url.findtext(f"{{{SITEMAP_NS}}}lastmod")
        found.append((url.findtext(f"{{{SITEMAP_NS}}}loc"), lastmod))
    return found


def days_with_history() -> set[str]:
    """Each local day on which any content changed, read from the history tables."""
    days = set()
    for model in content_models():
        table = model.history.model._meta.db_table
        for (moment,) in sql(f"SELECT history_date FROM {table}"):  # noqa: S608 - fixed names
            # SQLite hands back its text, or a naive datetime, in UTC.
            if isinstance(moment, str):
                moment = parse_datetime(moment)
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=datetime.UTC)
            days.add(timezone.localdate(moment).isoformat())
    return days


def public_pages() -> set[str]:
    """Every public page's path, worked out from the database without the site's code."""
    pages = {
        "/",
        "/roles/",
        "/competences/",
        "/standards/",
        "/pathways/",
        "/changes/",
        "/export/",
        "/about/",
        "/accessibility/",
        "/proficiency/",
    }
    for (slug,) in sql("SELECT slug FROM roles_area"):
        pages |= {f"/areas/{slug}/", f"/areas/{slug}/workforce/"}
    pages |= {f"/levels/{number}/" for (number,) in sql("SELECT number FROM roles_level")}
    pages |= {f"/roles/{slug}/" for (slug,) in sql("SELECT slug FROM roles_roleprofile")}
    pages |= {f"/competences/{code}/" for (code,) in sql("SELECT code FROM competences_competence")}
    pages |= {f"/standards/{ref}/" for (ref,) in sql("SELECT reference FROM competences_standard")}
    pages |= {f"/changes/{day}/" for day in days_with_history()}
    # Being built beside this work: listed once their addresses exist.
    for name in ("ways_in:start", "ways_in:lived-experience"):
        try:
            pages.add(reverse(name))
        except NoReverseMatch:
            pass
    return pages


def test_the_sitemap_is_valid_and_lists_every_public_page_once_on_the_public_address(client):
    entries = sitemap_entries(client)
    addresses = [address for address, _lastmod in entries]
    assert len(addresses) < 50_000
    assert len(addresses) == len(set(addresses)), "a page is listed twice"
    for address in addresses:
        parts = urlsplit(address)
        assert parts.scheme in {"http", "https"} and parts.netloc and not parts.query, address
        assert address.startswith(settings.PUBLIC_URL + "/"), address
    assert {address.removeprefix(settings.PUBLIC_URL) for address in addresses} == public_pages()
    for _address, lastmod in entries:
        assert lastmod is None or W3C_DATETIME.fullmatch(lastmod), lastmod


def test_every_page_in_the_sitemap_answers_and_names_itself_as_canonical(client):
    for address, _lastmod in sitemap_entries(client):
        response = client.get(address.removeprefix(settings.PUBLIC_URL))
        assert response.status_code == 200, address
        tags = head_tags(response)
        assert tags["canonical"] == tags["og:url"] == address
        assert tags["og:title"] and tags["og:description"], address


def test_the_sitemap_lists_no_tool_private_page_or_download(client):
    tools = {"framework:search", "pathways:compare"}
    for address, _lastmod in sitemap_entries(client):
        match = resolve(address.removeprefix(settings.PUBLIC_URL))
        page_query = declared(match.func)
        assert page_query is not None and not page_query.private, address
        assert match.view_name not in tools, address
        assert not re.search(r"\.(json|csv|xlsx|docx)$", address), address


def test_the_sitemap_is_on_the_public_address_whatever_host_was_asked(client, settings):
    settings.PUBLIC_URL = "https://framework.example.org"
    settings.ALLOWED_HOSTS = ["internal.example.net"]
    response = client.get("/sitemap.xml", HTTP_HOST="internal.example.net")
    locations = re.findall(r"<loc>([^<]+)</loc>", response.content.decode())
    assert locations and all(loc.startswith("https://framework.example.org/") for loc in locations)


def test_lastmod_is_the_latest_change_each_page_shows(client):
    long_ago = timezone.make_aware(datetime.datetime(2020, 3, 4, 12))
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    standard = Standard.objects.first()
    section = Competence.objects.filter(requirements__isnull=True).first()
    RoleProfile.history.filter(id=role.pk).update(history_date=long_ago)
    RoleCompetence.history.filter(role_id=role.pk).update(history_date=long_ago)
    Progression.history.filter(from_role_id=role.pk).update(history_date=long_ago)
    Progression.history.filter(to_role_id=role.pk).update(history_date=long_ago)
    Standard.history.filter(id=standard.pk).update(history_date=long_ago)
    Competence.history.filter(id=section.pk).update(history_date=long_ago)
    lastmod = dict(sitemap_entries(client))

    assert lastmod[public(role.get_absolute_url())] == "2020-03-04"
    assert lastmod[public(standard.get_absolute_url())] == "2020-03-04"
    assert lastmod[public(section.get_absolute_url())] == "2020-03-04"
    # A change to one requirement dates the role's page.
    requirement = RoleCompetence.objects.filter(role=role).first()
    requirement.proficiency = 4 if requirement.proficiency != 4 else 3
    requirement.save()
    lastmod = dict(sitemap_entries(client))
    today = timezone.localdate().isoformat()
    assert lastmod[public(role.get_absolute_url())] == today
    assert lastmod[public(requirement.competence.get_absolute_url())] == today


def test_pages_that_sum_up_the_framework_carry_its_last_change_and_others_none(client):
    last_changed = FrameworkVersion.objects.get().last_changed.isoformat()
    lastmod = dict(sitemap_entries(client))
    for path in ("/", "/roles/", "/competences/", "/changes/", "/export/", "/about/"):
        assert lastmod[public(path)] == last_changed, path
    for path in ("/accessibility/", "/proficiency/"):
        assert lastmod[public(path)] is None, path
    newest_record = max(
        model.history.aggregate(latest=Max("history_date"))["latest"] for model in content_models()
    )
    assert timezone.localdate(newest_record).isoformat() == last_changed


def test_the_sitemap_schema_is_the_one_sitemaps_org_publishes():
    assert hashlib.sha256(SITEMAP_XSD.read_bytes()).hexdigest() == SITEMAP_XSD_DIGEST


# --- The robots file --------------------------------------------------------------------


def robots(client) -> robotparser.RobotFileParser:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    parser = robotparser.RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


def personal_addresses() -> list[str]:
    """An address of every tool and private page the site routes, for each role where
    the address names one: the pages search engines are asked to leave alone."""
    tools = {"framework.views.search", "pathways.views.compare"}
    slugs = [slug for (slug,) in sql("SELECT slug FROM roles_roleprofile")]
    found = []

    def walk_patterns(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name != "admin":
                    walk_patterns(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                view = entry.callback
                page_query = declared(view)
                private = page_query is not None and page_query.private
                if not private and f"{view.__module__}.{view.__qualname__}" not in tools:
                    continue
                route = prefix + str(entry.pattern)
                route = route.replace("<int:number>", "1")
                for slug in slugs if "<slug:slug>" in route else [None]:
                    found.append("/" + route.replace("<slug:slug>", slug or ""))

    walk_patterns(get_resolver().url_patterns, "")
    return found


def test_robots_admits_every_page_in_the_sitemap_and_names_the_sitemap(client):
    parser = robots(client)
    assert parser.site_maps() == [public("/sitemap.xml")]
    for address, _lastmod in sitemap_entries(client):
        assert parser.can_fetch("*", address), address
    # Open data and its downloads may be fetched too.
    for path in ("/export/framework.json", "/export/csv/roles.csv", "/ims/case/v1p0/CFDocuments"):
        assert parser.can_fetch("*", public(path)), path


def test_robots_refuses_every_tool_and_private_page_and_the_admin(client):
    parser = robots(client)
    addresses = personal_addresses()
    # Search, compare, the self-assessment's steps, the job description builder for
    # every role, the skill-mix planner and its files, the team page.
    assert len(addresses) > 5 * RoleProfile.objects.count()
    for path in [*addresses, "/" + settings.ADMIN_URL, "/" + settings.ADMIN_URL + "login/"]:
        assert not parser.can_fetch("*", public(path)), path
        assert not parser.can_fetch("Googlebot", public(path)), path


def test_robots_follows_the_admin_wherever_it_is_moved(client, settings):
    settings.ADMIN_URL = "editors-only/"
    parser = robots(client)
    assert not parser.can_fetch("*", public("/editors-only/login/"))
