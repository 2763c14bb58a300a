"""Every page in the design's page map, as a visitor meets it with the seed content."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from competences.models import Competence, Standard
from roles.models import Area, Level, RoleCompetence, RoleProfile

pytestmark = pytest.mark.django_db


class PageParser(HTMLParser):
    """Collects what an assistive technology or a crawler would notice on a page."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.h1: list[str] = []
        self.links: list[str] = []
        self.inline_scripts = 0
        self.style_attributes = 0
        self._in = None
        self.title = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag in {"h1", "title"}:
            self._in = tag
            if tag == "h1":
                self.h1.append("")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        # A JSON-LD data block is never run, so no policy needs to allow it.
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/ld+json":
            self.inline_scripts += 1
        if "style" in attrs:
            self.style_attributes += 1

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "h1":
            self.h1[-1] += data
        elif self._in == "title":
            self.title += data


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    parser.h1 = [" ".join(text.split()) for text in parser.h1]
    parser.title = " ".join(parser.title.split())
    return parser


def page_map():
    """(address, expected h1) for every page type, built from the seed content."""
    role = RoleProfile.objects.order_by("level__number", "title").first()
    area = Area.objects.first()
    section = Competence.objects.filter(kind="section").first()
    statement = Competence.objects.filter(kind="statement").first()
    standard = Standard.objects.first()
    return [
        ("/", "Non-custodial Career and Competence Framework"),
        (area.get_absolute_url(), area.name),
        ("/levels/5/", f"Level 5: {Level.objects.get(number=5).name}"),
        ("/roles/", "Role profiles"),
        (role.get_absolute_url(), role.title),
        ("/competences/", "Competence sections"),
        (section.get_absolute_url(), section.title),
        (statement.get_absolute_url(), statement.title),
        ("/standards/", "National Occupational Standards"),
        (standard.get_absolute_url(), standard.title),
        ("/search/?q=practitioner", "Search results for “practitioner”"),
        ("/about/", "About this framework"),
        (
            "/accessibility/",
            "Accessibility statement for the Non-custodial Career and Competence Framework",
        ),
        ("/pathways/", None),
    ]


def test_every_page_type_answers_with_its_heading_and_accessible_structure(client):
    for address, heading in page_map():
        response = client.get(address)
        assert response.status_code == 200, address
        page = parse(response)
        assert len(page.h1) == 1, address
        if heading:
            assert page.h1[0] == heading, address
            assert heading.split(":")[0].split(" for the")[0] in page.title, address
        for landmark in ("header", "main", "footer", "nav"):
            assert landmark in page.tags, (address, landmark)
        assert 'href="#maincontent"' in response.content.decode()
        assert page.inline_scripts == 0 and page.style_attributes == 0, address
        assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    "slug",
    [
        area
        for area in [
            "liaison-and-diversion",
            "court-healthcare",
            "mental-health-treatment-requirements",
            "reconnect",
        ]
    ],
)
def test_each_area_page_lists_exactly_its_roles(client, slug):
    area = Area.objects.get(slug=slug)
    content = client.get(area.get_absolute_url()).content.decode()
    for role in RoleProfile.objects.all():
        assert (role.get_absolute_url() in content) == role.areas.filter(pk=area.pk).exists()


def test_every_role_page_answers_and_shows_its_competences_by_section(client):
    for role in RoleProfile.objects.all():
        response = client.get(role.get_absolute_url())
        assert response.status_code == 200
        content = response.content.decode()
        for requirement in role.requirements.select_related("competence"):
            assert requirement.competence.get_absolute_url() in content
            assert requirement.get_proficiency_display() in content


def test_level_page_lists_roles_at_that_level_only(client):
    for number in range(2, 9):
        content = client.get(f"/levels/{number}/").content.decode()
        for role in RoleProfile.objects.all():
            assert (role.get_absolute_url() in content) == (role.level.number == number)


@pytest.mark.parametrize(
    "address",
    [
        "/areas/no-such-area/",
        "/levels/12/",
        "/levels/0/",
        "/roles/no-such-role/",
        "/competences/NO.SUCH.CODE/",
        "/standards/NOSUCH99/",
        "/no-such-page/",
    ],
)
def test_unknown_addresses_get_a_friendly_404(client, address):
    response = client.get(address)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_competence_page_lists_exactly_the_roles_that_require_it(client):
    statements = Competence.objects.filter(kind="statement", requirements__isnull=False)
    for statement in statements.distinct()[:15]:
        page = parse(client.get(statement.get_absolute_url()))
        shown = {link for link in page.links if link.startswith("/roles/") and link != "/roles/"}
        expected = {
            rc.role.get_absolute_url()
            for rc in RoleCompetence.objects.filter(competence=statement).select_related("role")
        }
        assert shown == expected


def test_statement_page_shows_proficiency_and_links_its_standards(client):
    requirement = RoleCompetence.objects.select_related("competence").first()
    content = client.get(requirement.competence.get_absolute_url()).content.decode()
    assert requirement.get_proficiency_display() in content
    for standard in requirement.competence.standards.all():
        assert standard.get_absolute_url() in content


def test_standard_page_links_out_and_back_to_its_competences_and_roles(client):
    standard = Standard.objects.filter(competences__requirements__isnull=False).first()
    content = client.get(standard.get_absolute_url()).content.decode()
    if standard.url:
        assert f'href="{standard.url}"' in content.replace("&amp;", "&")
    else:
        assert f"Search UK Standards for {standard.code}" in content
    for competence in standard.competences.all():
        assert competence.get_absolute_url() in content
    for requirement in RoleCompetence.objects.filter(competence__standards=standard):
        assert requirement.role.get_absolute_url() in content


def test_section_page_shows_its_parts_not_every_statement(client):
    section = Competence.objects.filter(kind="section", children__kind="subsection").first()
    if section is None:
        section = Competence.objects.filter(kind="section").first()
    page = parse(client.get(section.get_absolute_url()))
    grandchildren = Competence.objects.filter(parent__parent=section)
    for node in grandchildren:
        assert node.get_absolute_url() not in page.links
    for child in section.get_children():
        assert child.get_absolute_url() in page.links


def test_breadcrumbs_lead_back_up_the_tree(client):
    statement = Competence.objects.filter(kind="statement", level=2).first() or (
        Competence.objects.filter(kind="statement").first()
    )
    page = parse(client.get(statement.get_absolute_url()))
    for ancestor in statement.get_ancestors():
        assert ancestor.get_absolute_url() in page.links
    assert "/competences/" in page.links and "/" in page.links


@pytest.mark.parametrize(
    "query, expected_first",
    [
        ("practitioner", "role"),
        ("peer support", "role"),
    ],
)
def test_search_finds_a_role_by_a_word_from_its_title(client, query, expected_first):
    response = client.get("/search/", {"q": query})
    results = response.context["results"]
    role_titles = [hit.title for hit in results if hit.url.startswith("/roles/")]
    words = query.split()
    assert role_titles, query
    assert all(word in role_titles[0].lower() for word in words)
    assert results[0].title_match


def test_search_finds_a_competence_and_a_standard_by_code(client):
    statement = Competence.objects.filter(kind="statement").last()
    results = client.get("/search/", {"q": statement.code}).context["results"]
    assert results[0].url == statement.get_absolute_url()
    standard = Standard.objects.last()
    results = client.get("/search/", {"q": standard.code.lower()}).context["results"]
    assert results[0].url == standard.get_absolute_url()


def test_search_puts_title_matches_before_body_matches(client):
    results = client.get("/search/", {"q": "risk"}).context["results"]
    flags = [hit.title_match for hit in results]
    assert flags == sorted(flags, reverse=True)
    assert any(flags)


@pytest.mark.parametrize(
    "query", ["", "   ", "%%%", "'; DROP TABLE roles;--", "a" * 5000, "\x00\x01", "&&& |||"]
)
def test_empty_or_junk_search_gets_a_helpful_page(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Search" in content
    assert re.search(r"No results|Enter a word or code|results? for", content)


def test_role_list_filters_work_as_a_plain_get_form(client):
    area = Area.objects.get(slug="liaison-and-diversion")
    response = client.get("/roles/", {"area": area.slug, "level": "5"})
    shown = {role.pk for _level, roles in response.context["groups"] for role in roles}
    expected = set(RoleProfile.objects.in_area(area.slug).at_level(5).values_list("pk", flat=True))
    assert shown == expected
    lived = client.get("/roles/", {"lived": "yes"}).context["groups"]
    lived_roles = {role.pk for _level, roles in lived for role in roles}
    assert lived_roles == set(
        RoleProfile.objects.with_lived_experience_route().values_list("pk", flat=True)
    )
    assert lived_roles


@pytest.mark.parametrize("params", [{"area": "narnia"}, {"level": "99"}, {"level": "x"}])
def test_role_list_explains_a_bad_filter(client, params):
    response = client.get("/roles/", params)
    assert response.status_code == 400
    assert "There is a problem with the filters" in response.content.decode()


def test_nhs_frontend_icons_resolve_at_the_root_path(client):
    from django.conf import settings

    if not (settings.WHITENOISE_ROOT / "assets").exists():
        pytest.skip("front-end not installed: run `make install`")
    response = client.get("/assets/images/nhsuk-icon-search.svg")
    assert response.status_code == 200


def test_admin_address_is_not_linked_from_public_pages(client):
    content = client.get("/").content.decode()
    assert reverse("admin:index") not in content
