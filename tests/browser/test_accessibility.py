"""axe-core finds no WCAG 2.2 A or AA violations on any page type."""

from pathlib import Path

import pytest

from competences.models import Competence, Standard
from roles.models import Area, RoleProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def page_addresses() -> list[str]:
    role = RoleProfile.objects.filter(requirements__isnull=False).first()
    return [
        "/",
        Area.objects.first().get_absolute_url(),
        "/levels/4/",
        "/roles/",
        "/roles/?area=nowhere",
        role.get_absolute_url(),
        "/competences/",
        Competence.objects.filter(kind="section").first().get_absolute_url(),
        Competence.objects.filter(kind="statement").first().get_absolute_url(),
        "/standards/",
        Standard.objects.first().get_absolute_url(),
        "/search/?q=risk",
        "/search/?q=zzzzzz",
        "/about/",
        "/accessibility/",
        "/pathways/",
        "/proficiency/",
        "/export/",
        "/areas/court-healthcare/workforce/",
        "/pathways/skill-mix/",
        "/pathways/skill-mix/?area=court-healthcare",
        "/pathways/skill-mix/?area=nowhere",
        "/pathways/team/",
        f"/pathways/self-assessment/{role.slug}/",
        f"/pathways/self-assessment/{role.slug}/sections/1/",
        f"/pathways/self-assessment/{role.slug}/earlier/",
        f"/pathways/self-assessment/{role.slug}/check/",
        f"/pathways/self-assessment/{role.slug}/result/",
        f"/roles/{role.slug}/job-description/",
        f"/roles/{role.slug}/job-description/?employer=Northshire+Trust&location=Castlegate",
        "/no-such-page/",
    ]


def test_no_accessibility_violations_on_any_page_type(site, scripted_page):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make install`")
    failures = {}
    for address in page_addresses():
        response = scripted_page.goto(site + address)
        expected_status = (
            404 if address == "/no-such-page/" else 400 if "nowhere" in address else 200
        )
        assert response.status == expected_status, address
        scripted_page.add_script_tag(path=str(AXE))
        result = scripted_page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        violations = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
            for v in result["violations"]
        ]
        if violations:
            failures[address] = violations
    assert failures == {}
