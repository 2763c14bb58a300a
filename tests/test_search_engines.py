"""What search engines and link previews read: the canonical address and sharing tags in
every page's head, and schema.org data (JSON-LD) on role, competence and standard pages.

The JSON-LD is read back with extruct, as a crawler's extractor would, and compared
with the database.
"""

import html
import re

import extruct
import pytest
from django.conf import settings
from django.test import RequestFactory

from competences.models import Competence, LearningKind, Standard
from core.canonical import canonical_address
from roles.models import RoleProfile
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
