"""Learning suggested for a gap fits the role's level, or the page says none is known."""

import csv
import importlib
import io
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from competences.models import LearningFit, LearningOpportunity
from pathways.assessment import learning_for_level
from roles.models import RoleProfile
from tests.factories import make_competence, make_learning, make_requirement, make_role

pytestmark = pytest.mark.django_db

NO_SUITABLE = "No suitable learning is known for this yet"


def result(client, role, **query) -> str:
    url = reverse("pathways:self-assessment-result", args=[role.slug])
    return client.get(url, query).content.decode()


def gap_block(html: str, code: str) -> str:
    match = re.search(rf'<div class="app-gap" data-code="{re.escape(code)}">(.*?)</dl>', html, re.S)
    assert match, f"{code} is shown as a gap"
    return match.group(1)


def suggested(block: str) -> str:
    """The part of a gap's learning that is offered as suitable."""
    match = re.search(r'<ul class="[^"]*app-learning"[^>]*>(.*?)</ul>', block, re.S)
    return match.group(1) if match else ""


@pytest.fixture
def gap():
    """A level 5 role needing one competence, and a way to attach learning to it."""
    role = make_role(level=5)
    statement = make_competence(parent=make_competence(title="Working with people"))
    make_requirement(role, statement)
    return role, statement


@pytest.mark.parametrize(
    ("learning_level", "fit"),
    [
        (5, LearningFit.AT_LEVEL),
        (None, LearningFit.ANY_LEVEL),
        (6, LearningFit.STEP_UP),
        (7, LearningFit.FAR_ABOVE),
        (2, LearningFit.BELOW),
        (4, LearningFit.BELOW),
    ],
)
def test_how_learning_fits_a_level_5_role(learning_level, fit):
    assert LearningOpportunity(title="x", kind="course", level=learning_level).fit_for(5) == fit


def test_suitable_learning_comes_best_fit_first_and_nothing_below_the_role():
    items = [
        LearningOpportunity(title=f"L{level}", kind="course", level=level)
        for level in (2, 4, 7, 6, None, 5)
    ]
    fitting, above = learning_for_level(items, 5)
    assert [item.level for item in fitting] == [5, None, 6]
    assert above == []


def test_learning_far_above_is_kept_apart_only_when_nothing_suits():
    items = [LearningOpportunity(title=f"L{n}", kind="course", level=n) for n in (8, 2, 7)]
    assert learning_for_level(items, 3) == ([], [items[2], items[0]])


def test_the_page_offers_learning_at_the_roles_level_and_not_below_it(client, gap):
    role, statement = gap
    make_learning(title="Entry diploma", level=2, competences=[statement])
    make_learning(title="Practitioner certificate", level=5, competences=[statement])
    make_learning(title="Short course for everyone", level=None, competences=[statement])
    block = gap_block(result(client, role), statement.code)
    offered = suggested(block)
    assert "Practitioner certificate" in offered
    assert "Short course for everyone" in offered
    assert offered.index("Practitioner certificate") < offered.index("Short course for everyone")
    assert "Entry diploma" not in block
    assert "(Course, Level 5)" in offered
    assert "(Course, any level)" in offered


def test_the_page_says_when_only_lower_level_learning_is_known(client, gap):
    role, statement = gap
    make_learning(title="Entry diploma", level=2, competences=[statement])
    block = gap_block(result(client, role), statement.code)
    assert NO_SUITABLE in block
    assert "Entry diploma" not in block


def test_learning_far_above_the_role_is_named_as_such_not_suggested(client):
    role = make_role(level=3)
    statement = make_competence(parent=make_competence())
    make_requirement(role, statement)
    make_learning(title="Masters apprenticeship", level=7, competences=[statement])
    block = gap_block(result(client, role), statement.code)
    assert NO_SUITABLE in block
    assert "Masters apprenticeship" not in suggested(block)
    assert "well above this role" in block
    assert "Masters apprenticeship" in block


def test_csv_learning_matches_the_page(client, gap):
    role, statement = gap
    make_learning(title="Entry diploma", level=2, competences=[statement])
    make_learning(title="Practitioner certificate", level=5, competences=[statement])
    url = reverse("pathways:self-assessment-result", args=[role.slug])
    rows = list(csv.DictReader(io.StringIO(client.get(url, {"format": "csv"}).content.decode())))
    assert rows[0]["learning"] == "Practitioner certificate (Level 5)"


def test_csv_says_when_no_suitable_learning_is_known(client, gap):
    role, statement = gap
    make_learning(title="Entry diploma", level=2, competences=[statement])
    url = reverse("pathways:self-assessment-result", args=[role.slug])
    rows = list(csv.DictReader(io.StringIO(client.get(url, {"format": "csv"}).content.decode())))
    assert rows[0]["learning"] == NO_SUITABLE


def test_a_registered_practitioner_is_not_offered_entry_or_masters_learning(client):
    """The issue's case, on the seed content: a level 5 practitioner's gaps."""
    role = RoleProfile.objects.get(slug="liaison-and-diversion-practitioner")
    assert role.level.number == 5
    html = result(client, role)
    blocks = re.findall(r'<div class="app-gap" data-code="[^"]+">.*?</dl>', html, re.S)
    assert len(blocks) == role.requirements.count()
    offered = " ".join(suggested(block) for block in blocks)
    assert "Level 2 Diploma in Care" not in html
    assert "Advanced clinical practitioner apprenticeship" not in offered
    report = gap_block(html, "COM.2.2")
    assert NO_SUITABLE in report
    # Every level shown among the suggestions is the role's own or one above.
    levels = {int(n) for n in re.findall(r", Level (\d)", offered)}
    assert levels and levels <= {5, 6}


def test_every_seed_learning_level_is_a_number_or_blank():
    levels = set(LearningOpportunity.objects.values_list("level", flat=True))
    assert levels <= {None, *range(1, 9)}
    assert LearningOpportunity.objects.get(title__contains="ST0896").level == 3
    assert LearningOpportunity.objects.get(title="Level 2 Diploma in Care").level == 2
    assert LearningOpportunity.objects.get(title="Doctorate in Clinical Psychology").level == 8


def test_the_database_refuses_a_level_outside_1_to_8():
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningOpportunity.objects.create(title="Odd", kind="course", level=9)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Level 3", 3),
        ("Level 5 (foundation degree)", 5),
        ("Level 6 or 7 (graduate or postgraduate certificate)", 6),
        ("Level 7 (Masters)", 7),
        ("Masters", 7),
        ("Doctorate", 8),
        ("Intercollegiate levels 1 to 5", None),
        ("Tier 1 and Tier 2", None),
        ("", None),
    ],
)
def test_the_migration_reads_old_text_levels_as_numbers(text, number):
    migration = importlib.import_module("competences.migrations.0005_learning_level_as_number")
    assert migration.number_from_text(text) == number
