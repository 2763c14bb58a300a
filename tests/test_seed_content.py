"""The shape of the seed content, pinned so that a bad edit to fixtures/ fails CI.

These read the project's own content (loaded into the test database), not test data.
"""

import itertools
import re
from statistics import mean

import pytest

from competences.models import Competence, LearningOpportunity, Standard
from competences.selectors import competence_tree_problems
from pathways.models import MoveKind, Progression, ProgressionDrop
from roles.models import Area, Level, Requirement, RoleCompetence, RoleProfile

pytestmark = pytest.mark.django_db

CORE_SECTIONS = {"COM", "PPD", "HSS", "SVI", "QUA", "EDI"}
ROLE_TEXT_FIELDS = [
    "purpose",
    "entry_requirements",
    "education_and_training",
    "continuing_development",
    "lived_experience_text",
]


def section_code(competence: Competence, sections: dict) -> str:
    return sections[competence.tree_id].code


@pytest.fixture
def sections():
    return {s.tree_id: s for s in Competence.objects.filter(parent__isnull=True)}


def test_there_are_21_roles_across_every_area_and_every_level_2_to_8():
    assert RoleProfile.objects.count() == 21
    assert set(RoleProfile.objects.values_list("level__number", flat=True)) == set(range(2, 9))
    assert Area.objects.count() == 4
    for area in Area.objects.all():
        assert area.roles.exists(), area.slug
        assert 2 <= len(area.paragraphs) <= 4, area.slug


def test_all_nine_levels_are_described_with_bands_only_where_indicated():
    assert list(Level.objects.values_list("number", flat=True)) == list(range(1, 10))
    for level in Level.objects.all():
        assert len(level.descriptor) > 80, level.number
    assert Level.objects.get(number=5).indicative_band == "5-6"


def test_every_role_profile_is_complete():
    for role in RoleProfile.objects.all():
        assert 6 <= len(role.responsibility_list) <= 10, role.slug
        for name in [
            "purpose",
            "entry_requirements",
            "education_and_training",
            "continuing_development",
        ]:
            assert len(getattr(role, name)) > 60, (role.slug, name)
        assert role.job_title_list, role.slug
        assert role.areas.exists(), role.slug


def test_peer_roles_have_a_lived_experience_route():
    peers = RoleProfile.objects.filter(title__icontains="peer")
    assert peers.count() >= 2
    for role in peers:
        assert role.lived_experience_route and len(role.lived_experience_text) > 60, role.slug


def _sentences(text: str) -> set[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n", text)
    return {" ".join(part.lower().split()) for part in parts if len(part.split()) >= 8}


def test_no_two_roles_share_a_paragraph_responsibility_or_long_sentence():
    roles = list(RoleProfile.objects.all())
    for first, second in itertools.combinations(roles, 2):
        for name in ROLE_TEXT_FIELDS:
            a, b = getattr(first, name).strip(), getattr(second, name).strip()
            assert not (a and a == b), (first.slug, second.slug, name)
        shared_duties = set(first.responsibility_list) & set(second.responsibility_list)
        assert not shared_duties, (first.slug, second.slug, shared_duties)
        text_a = " \n".join(getattr(first, n) for n in ROLE_TEXT_FIELDS + ["responsibilities"])
        text_b = " \n".join(getattr(second, n) for n in ROLE_TEXT_FIELDS + ["responsibilities"])
        shared = _sentences(text_a) & _sentences(text_b)
        assert not shared, (first.slug, second.slug, shared)


def test_the_tree_has_the_core_and_service_sections_and_enough_statements():
    assert competence_tree_problems() == []
    codes = set(Competence.objects.filter(kind="section").values_list("code", flat=True))
    assert CORE_SECTIONS <= codes
    assert len(codes) >= 12
    statements = Competence.objects.filter(kind="statement")
    assert statements.count() >= 100
    for statement in statements:
        assert len(statement.knowledge_list) >= 2, statement.code
        assert len(statement.skills_list) >= 2, statement.code


def test_every_standard_underpins_a_competence():
    assert Standard.objects.count() >= 45
    for standard in Standard.objects.all():
        assert standard.competences.exists(), standard.code


def test_most_statements_link_to_a_standard():
    statements = Competence.objects.filter(kind="statement")
    linked = statements.filter(standards__isnull=False).distinct().count()
    assert linked >= 0.9 * statements.count()


def test_each_role_draws_on_at_least_six_sections_including_every_core_one(sections):
    for role in RoleProfile.objects.all():
        used = {
            section_code(rc.competence, sections)
            for rc in role.requirements.select_related("competence")
        }
        assert len(used) >= 6, role.slug
        assert CORE_SECTIONS <= used, (role.slug, CORE_SECTIONS - used)
        kinds = set(role.requirements.values_list("requirement", flat=True))
        assert kinds == {"essential", "desirable"}, role.slug


def _profile(role):
    return {rc.competence_id: rc.proficiency for rc in role.requirements.all()}


def test_higher_roles_in_an_area_need_more_and_deeper_competence():
    for area in Area.objects.all():
        roles = list(area.roles.select_related("level").prefetch_related("requirements"))
        for lower, higher in itertools.permutations(roles, 2):
            if lower.level.number >= higher.level.number:
                continue
            low, high = _profile(lower), _profile(higher)
            assert len(high) > len(low), (lower.slug, higher.slug)
            assert mean(high.values()) > mean(low.values()), (lower.slug, higher.slug)


def test_at_least_fifteen_learning_opportunities_develop_competences():
    assert LearningOpportunity.objects.count() >= 15
    for learning in LearningOpportunity.objects.all():
        assert learning.competences.exists(), learning.title
    assert LearningOpportunity.objects.filter(title__icontains="ST0896").exists()


def test_every_role_but_the_most_senior_has_a_way_forward():
    for role in RoleProfile.objects.exclude(level__number=8):
        assert role.moves_out.exists(), role.slug


def test_move_kinds_match_the_levels_and_every_area_has_both_kinds():
    for move in Progression.objects.select_related("from_role__level", "to_role__level"):
        start, end = move.from_role.level.number, move.to_role.level.number
        if move.kind == "vertical":
            assert end > start, str(move.pk)
        else:
            assert end == start, (move.from_role.slug, move.to_role.slug)
            assert set(move.from_role.areas.all()) != set(move.to_role.areas.all())
        assert move.note, (move.from_role.slug, move.to_role.slug)
    kinds = set(Progression.objects.values_list("kind", flat=True))
    assert kinds == {MoveKind.VERTICAL, MoveKind.LATERAL}


def test_the_peer_support_route_to_care_navigator_exists():
    assert Progression.objects.filter(
        from_role__slug="reconnect-peer-support-worker", to_role__slug="reconnect-care-navigator"
    ).exists()


def test_no_move_up_silently_drops_an_essential_competence():
    """Up every vertical move, the higher role needs each competence the lower role needs
    as essential, at the same proficiency or more, unless the move records why not."""
    needs: dict[int, dict[int, tuple[int, str]]] = {}
    for role_id, competence_id, proficiency, requirement in RoleCompetence.objects.values_list(
        "role_id", "competence_id", "proficiency", "requirement"
    ):
        needs.setdefault(role_id, {})[competence_id] = (proficiency, requirement)
    explained = set(ProgressionDrop.objects.values_list("progression_id", "competence_id"))
    codes = dict(Competence.objects.values_list("pk", "code"))
    silent = []
    for move in Progression.objects.filter(kind=MoveKind.VERTICAL).select_related(
        "from_role", "to_role"
    ):
        kept = needs.get(move.to_role_id, {})
        for competence_id, (proficiency, requirement) in needs[move.from_role_id].items():
            if requirement != Requirement.ESSENTIAL:
                continue
            if kept.get(competence_id, (0, ""))[0] >= proficiency:
                continue
            if (move.pk, competence_id) not in explained:
                silent.append((move.from_role.slug, move.to_role.slug, codes[competence_id]))
    assert silent == []


def test_recorded_drops_are_few_and_each_says_why():
    """Drops are for moves into different work, not a way round the rule above."""
    reasons = list(ProgressionDrop.objects.values_list("reason", flat=True))
    assert all(reason.strip() for reason in reasons)
    assert len(reasons) <= 40


@pytest.mark.parametrize(
    "senior",
    [
        "liaison-and-diversion-senior-practitioner",
        "liaison-and-diversion-team-leader",
        "liaison-and-diversion-clinical-lead",
        "liaison-and-diversion-consultant-practitioner",
    ],
)
def test_senior_liaison_roles_keep_the_custody_and_assessment_foundations(senior):
    practitioner = dict(
        RoleCompetence.objects.filter(
            role__slug="liaison-and-diversion-practitioner",
            requirement=Requirement.ESSENTIAL,
            competence__code__regex=r"^(CJS\.1|ASM\.1)\.",
        ).values_list("competence__code", "proficiency")
    )
    assert "CJS.1.1" in practitioner
    held = dict(
        RoleCompetence.objects.filter(role__slug=senior).values_list(
            "competence__code", "proficiency"
        )
    )
    shallower = {code for code, depth in practitioner.items() if held.get(code, 0) < depth}
    assert shallower == set()


BAND_ORDER = ["1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]
# "band 5", "bands 3 to 4", "band 2 or 3", "band 8a-8b", "band 3, occasionally 4"
BAND_MENTION = re.compile(
    r"\bbands?\s+(\d[a-d]?)"
    r"(?:(?:,?\s+(?:or|to|and|occasionally|sometimes)\s+(?:band\s+)?|\s*[-–]\s*)(\d[a-d]?))?",
    re.IGNORECASE,
)


def test_bands_in_a_roles_text_agree_with_the_band_in_its_summary():
    for role in RoleProfile.objects.select_related("level"):
        mentioned = [
            band
            for name in [*ROLE_TEXT_FIELDS, "responsibilities"]
            for match in BAND_MENTION.finditer(getattr(role, name))
            for band in match.groups()
            if band
        ]
        if not mentioned:
            continue
        assert role.band, role.slug
        low, _, high = role.band.partition("-")
        allowed = BAND_ORDER[BAND_ORDER.index(low) : BAND_ORDER.index(high or low) + 1]
        outside = [band for band in mentioned if band.lower() not in allowed]
        assert outside == [], (role.slug, role.band)
