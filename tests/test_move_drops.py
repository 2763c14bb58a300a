"""A move says what it drops: the role page, the compare page and the move summary."""

import re
import shutil
from urllib.parse import urlencode

import pytest
import yaml
from django.urls import reverse
from django.utils.html import escape

from interchange.loading import FIXTURES_DIR, ContentError, framework_load
from pathways.models import ProgressionDrop
from pathways.moves import role_moves_compared
from roles.models import Proficiency, RoleProfile
from tests.factories import make_competence, make_progression, make_requirement, make_role

pytestmark = pytest.mark.django_db

REASON = "Booking interpreters stays with the administrators in the new team."


@pytest.fixture
def move_with_a_drop():
    """A move up that keeps one competence, needs one less deeply and leaves one out,
    with a recorded reason for the one it leaves out."""
    section = make_competence()
    kept, shallower, left, optional = (make_competence(parent=section) for _ in range(4))
    start, end = make_role(level=4), make_role(level=5)
    make_requirement(start, kept, Proficiency.WORKING)
    make_requirement(start, shallower, Proficiency.PROFICIENT)
    make_requirement(start, left, Proficiency.WORKING)
    make_requirement(start, optional, Proficiency.WORKING, requirement="desirable")
    make_requirement(end, kept, Proficiency.EXPERT)
    make_requirement(end, shallower, Proficiency.WORKING)
    move = make_progression(start, end, "vertical")
    ProgressionDrop.objects.create(progression=move, competence=left, reason=REASON)
    return move, shallower, left


def listed(html: str, list_id: str) -> list[str]:
    """The competence codes in the page's list with ``list_id``, in page order."""
    match = re.search(rf'<ul[^>]*id="{re.escape(list_id)}"[^>]*>(.*?)</ul>', html, re.S)
    assert match, list_id
    return re.findall(r'data-code="([^"]+)"', match.group(1))


def test_the_move_summary_counts_the_drops_and_carries_their_reasons(move_with_a_drop):
    move, shallower, left = move_with_a_drop
    comparison = role_moves_compared(move.from_role)["up"][0].comparison
    assert [drop.competence for drop in comparison.dropped] == [shallower, left]
    assert [drop.reason for drop in comparison.dropped] == ["", REASON]
    assert comparison.dropped[0].after == Proficiency.WORKING
    assert comparison.dropped[1].after is None
    assert comparison.sentence.endswith("It drops 2 competences this role needs as essential.")


def test_a_move_that_keeps_everything_says_so():
    section = make_competence()
    statement = make_competence(parent=section)
    start, end = make_role(level=4), make_role(level=5)
    make_requirement(start, statement, Proficiency.WORKING)
    make_requirement(end, statement, Proficiency.WORKING)
    make_progression(start, end, "vertical")
    comparison = role_moves_compared(start)["up"][0].comparison
    assert comparison.dropped == []
    assert "It keeps everything this role needs as essential." in comparison.sentence


def test_role_page_lists_what_a_move_drops_with_the_reason(client, move_with_a_drop):
    move, shallower, left = move_with_a_drop
    html = client.get(move.from_role.get_absolute_url()).content.decode()
    assert "It drops 2 competences this role needs as essential." in html
    assert listed(html, f"drops-{move.to_role.slug}") == [shallower.code, left.code]
    assert escape(REASON) in html
    assert "Proficient" in html and "Not needed" in html


def test_compare_page_lists_what_the_step_drops_with_the_reason(client, move_with_a_drop):
    move, shallower, left = move_with_a_drop
    start, end = move.from_role, move.to_role
    url = f"{reverse('pathways:compare')}?{urlencode([('roles', start.slug), ('roles', end.slug)])}"
    html = client.get(url).content.decode()
    assert escape(f"Moving from {start.title} to {end.title} adds 0 competences") in html
    assert escape(f"It drops 2 competences {start.title} needs as essential.") in html
    assert listed(html, "compare-drops-1") == [shallower.code, left.code]
    assert escape(REASON) in html


def test_compare_in_the_other_direction_gives_no_reason_for_a_move_not_recorded(
    client, move_with_a_drop
):
    move, _shallower, _left = move_with_a_drop
    start, end = move.to_role, move.from_role
    url = f"{reverse('pathways:compare')}?{urlencode([('roles', start.slug), ('roles', end.slug)])}"
    html = client.get(url).content.decode()
    assert escape(REASON) not in html


def test_seed_moves_show_their_recorded_drops_on_the_role_page(client):
    drop = ProgressionDrop.objects.select_related(
        "progression__from_role", "progression__to_role", "competence"
    ).first()
    assert drop is not None, "the seed content records why some moves drop competences"
    html = client.get(drop.progression.from_role.get_absolute_url()).content.decode()
    assert drop.competence.code in listed(html, f"drops-{drop.progression.to_role.slug}")
    assert escape(drop.reason) in html


# --- The loader checks every drop ---------------------------------------------------


def fixtures_with_drop(tmp_path, **drop):
    """A copy of the seed files whose first vertical move records ``drop``."""
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, target)
    path = target / "progressions.yaml"
    moves = yaml.safe_load(path.read_text())
    move = next(item for item in moves if item["kind"] == "vertical")
    move["drops"] = [drop]
    path.write_text(yaml.safe_dump(moves, allow_unicode=True))
    return target, move


def test_loader_stores_the_seed_drops_with_their_reasons():
    moves = yaml.safe_load((FIXTURES_DIR / "progressions.yaml").read_text())
    expected = {
        (move["from"], move["to"], drop["code"], drop["reason"])
        for move in moves
        for drop in move.get("drops") or []
    }
    stored = set(
        ProgressionDrop.objects.values_list(
            "progression__from_role__slug",
            "progression__to_role__slug",
            "competence__code",
            "reason",
        )
    )
    assert expected and stored == expected


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ({"code": "NO-SUCH-CODE", "reason": "Gone."}, "unknown competence 'NO-SUCH-CODE'"),
        ({"code": "COM.1.1"}, "needs a reason"),
        ({"code": "COM", "reason": "A section."}, "does not need as essential"),
    ],
)
def test_loader_refuses_a_bad_drop_and_names_it(tmp_path, drop, message):
    fixtures, _move = fixtures_with_drop(tmp_path, **drop)
    before = ProgressionDrop.objects.count()
    with pytest.raises(ContentError, match=re.escape(message)):
        framework_load(directory=fixtures)
    assert ProgressionDrop.objects.count() == before


def test_loader_refuses_a_drop_of_something_the_next_role_still_needs(tmp_path):
    fixtures, move = fixtures_with_drop(tmp_path, code="PLACEHOLDER", reason="Not needed.")
    start = RoleProfile.objects.get(slug=move["from"])
    end = RoleProfile.objects.get(slug=move["to"])
    needed = dict(end.requirements.values_list("competence__code", "proficiency"))
    kept = next(
        item.competence.code
        for item in start.requirements.filter(requirement="essential").select_related("competence")
        if needed.get(item.competence.code, 0) >= item.proficiency
    )
    path = fixtures / "progressions.yaml"
    path.write_text(path.read_text().replace("PLACEHOLDER", kept))
    with pytest.raises(ContentError, match=f"drops {re.escape(kept)}, but .* nothing is dropped"):
        framework_load(directory=fixtures)
