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
from tests.factories import make_competence, make_learning, make_requirement, make_role

pytestmark = pytest.mark.django_db

NO_SUITABLE = "No learning at this role's level is known for this yet"


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
    ("suits", "fit"),
    [
        ((5, 5), LearningFit.SUITS),
        ((2, 8), LearningFit.SUITS),
        ((4, 5), LearningFit.SUITS),
        ((6, 7), LearningFit.LATER),
        ((7, 8), LearningFit.FAR_ABOVE),
        ((2, 3), LearningFit.BELOW),
        ((2, 4), LearningFit.BELOW),
    ],
)
def test_how_learning_fits_a_level_5_role(suits, fit):
    low, high = suits
    assert (
        LearningOpportunity(title="x", kind="course", suits_from=low, suits_to=high).fit_for(5)
        == fit
    )


def course(low, high, title=None):
    return LearningOpportunity(
        title=title or f"For {low}-{high}", kind="course", suits_from=low, suits_to=high
    )


def test_learning_that_suits_comes_most_specific_first_with_later_apart_and_nothing_below():
    items = [course(2, 3), course(2, 8), course(7, 8), course(6, 6), course(5, 6), course(4, 4)]
    offer = learning_for_level(items, 5)
    assert [(item.suits_from, item.suits_to) for item in offer.suits] == [(5, 6), (2, 8)]
    assert [(item.suits_from, item.suits_to) for item in offer.later] == [(6, 6)]
    assert offer.below == []


def test_learning_below_is_offered_only_when_nothing_else_is_known():
    items = [course(2, 3), course(7, 8), course(2, 4)]
    offer = learning_for_level(items, 5)
    assert offer.suits == [] and offer.later == []
    assert [(item.suits_from, item.suits_to) for item in offer.below] == [(2, 4), (2, 3)]
    # Never more than one level above: the level 7 to 8 item is not offered at all.
    assert all(item.suits_from != 7 for item in [*offer.suits, *offer.later, *offer.below])


def test_the_page_offers_learning_at_the_roles_level_and_not_below_it(client, gap):
    role, statement = gap
    make_learning(title="Entry diploma", suits_from=2, suits_to=3, competences=[statement])
    make_learning(
        title="Practitioner certificate", suits_from=5, suits_to=6, competences=[statement]
    )
    make_learning(
        title="Short course for everyone", suits_from=2, suits_to=8, competences=[statement]
    )
    block = gap_block(result(client, role), statement.code)
    offered = suggested(block)
    assert "Practitioner certificate" in offered
    assert "Short course for everyone" in offered
    assert offered.index("Practitioner certificate") < offered.index("Short course for everyone")
    assert "Entry diploma" not in block
    assert "(Course, for levels 5 to 6)" in offered
    assert "(Course, for levels 2 to 8)" in offered


def test_the_page_offers_lower_learning_only_as_the_only_option_and_says_so(client, gap):
    role, statement = gap
    make_learning(title="Entry diploma", suits_from=2, suits_to=3, competences=[statement])
    block = gap_block(result(client, role), statement.code)
    assert NO_SUITABLE in block
    assert "Entry diploma" not in suggested(block)
    below = re.search(r'<ul class="[^"]*app-learning-below"[^>]*>(.*?)</ul>', block, re.S)
    assert below and "Entry diploma" in below.group(1)
    assert "meant for staff below this role" in block


def test_learning_one_level_above_is_for_later_and_further_above_is_not_shown(client):
    role = make_role(level=3)
    statement = make_competence(parent=make_competence())
    make_requirement(role, statement)
    make_learning(title="Masters apprenticeship", suits_from=7, suits_to=8, competences=[statement])
    make_learning(title="Assistant course", suits_from=4, suits_to=4, competences=[statement])
    block = gap_block(result(client, role), statement.code)
    assert NO_SUITABLE in block
    assert "Masters apprenticeship" not in block
    later = re.search(r'<ul class="[^"]*app-learning-later"[^>]*>(.*?)</ul>', block, re.S)
    assert later and "Assistant course" in later.group(1)
    assert "For later in your career" in block


def test_csv_learning_matches_the_page(client, gap):
    role, statement = gap
    make_learning(title="Entry diploma", suits_from=2, suits_to=3, competences=[statement])
    make_learning(
        title="Practitioner certificate", suits_from=5, suits_to=5, competences=[statement]
    )
    url = reverse("pathways:self-assessment-result", args=[role.slug])
    rows = list(
        csv.DictReader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig")))
    )
    assert rows[0]["learning"] == "Practitioner certificate (Course, for level 5 staff)"


def test_csv_says_when_no_suitable_learning_is_known(client, gap):
    role, statement = gap
    url = reverse("pathways:self-assessment-result", args=[role.slug])
    rows = list(
        csv.DictReader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig")))
    )
    assert rows[0]["learning"] == NO_SUITABLE


def test_the_database_refuses_a_level_outside_1_to_8_and_a_backwards_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningOpportunity.objects.create(title="Odd", kind="course", level=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningOpportunity.objects.create(title="Odd", kind="course", suits_from=6, suits_to=5)


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
