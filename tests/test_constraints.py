"""Every invariant of the data model is kept by the database itself, not only by forms."""

import pytest
from django.db import IntegrityError, transaction

from competences.models import Competence, LearningOpportunity, Standard
from pathways.models import Progression
from roles.models import Level, RoleCompetence, RoleProfile
from tests.factories import (
    make_competence,
    make_level,
    make_progression,
    make_requirement,
    make_role,
    make_standard,
)

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    """True when the database rejects the write."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize("number", [0, 10, 42])
def test_level_number_outside_1_to_9_is_refused(number):
    assert refused(lambda: Level.objects.create(number=number, name="x", descriptor="x"))


def test_level_number_is_unique():
    make_level(5)
    assert refused(lambda: Level.objects.create(number=5, name="again", descriptor="x"))


def test_role_slug_title_and_code_are_unique():
    role = make_role()
    assert refused(lambda: make_role(slug=role.slug))
    assert refused(lambda: make_role(title=role.title))
    assert refused(lambda: make_role(code=role.code))


def test_lived_experience_route_needs_its_description():
    assert refused(lambda: make_role(lived_experience_route=True, lived_experience_text=""))
    role = make_role(lived_experience_route=True, lived_experience_text="How people get in.")
    assert RoleProfile.objects.with_lived_experience_route().filter(pk=role.pk).exists()


def test_level_cannot_be_deleted_while_roles_use_it():
    role = make_role(level=4)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        role.level.delete()


def test_role_lists_a_competence_only_once():
    role = make_role()
    section = make_competence()
    statement = make_competence(parent=section)
    make_requirement(role, statement)
    assert refused(lambda: make_requirement(role, statement, proficiency=3))


@pytest.mark.parametrize("proficiency", [0, 5])
def test_unknown_proficiency_is_refused(proficiency):
    role = make_role()
    statement = make_competence(parent=make_competence())
    assert refused(
        lambda: RoleCompetence.objects.create(
            role=role, competence=statement, proficiency=proficiency
        )
    )


def test_unknown_requirement_is_refused():
    role = make_role()
    statement = make_competence(parent=make_competence())
    assert refused(
        lambda: RoleCompetence.objects.create(
            role=role, competence=statement, requirement="optional"
        )
    )


def test_required_competence_cannot_be_deleted():
    role = make_role()
    statement = make_competence(parent=make_competence())
    make_requirement(role, statement)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        statement.delete()


def test_section_with_a_parent_is_refused():
    section = make_competence()
    assert refused(
        lambda: Competence.objects.create(
            code="BAD",
            kind="section",
            title="x",
            parent=section,
            lft=1,
            rght=2,
            tree_id=99,
            level=1,
        )
    )


def test_statement_without_a_parent_is_refused():
    assert refused(
        lambda: Competence.objects.create(
            code="BAD", kind="statement", title="x", lft=1, rght=2, tree_id=99, level=0
        )
    )


def test_competence_code_is_unique():
    section = make_competence(code="DUP")
    assert refused(lambda: make_competence(code=section.code))


def test_standard_code_is_unique_within_its_suite_only():
    make_standard(code="ZZ1", reference="ZZ1", suite="Community Justice")
    assert refused(lambda: make_standard(code="ZZ1", reference="ZZ1-X", suite="Community Justice"))
    other = make_standard(code="ZZ1", reference="ZZ1-DANOS", suite="Drug and Alcohol")
    assert Standard.objects.filter(code="ZZ1").count() == 2
    assert other.get_absolute_url() == "/standards/ZZ1-DANOS/"


def test_standard_address_reference_is_unique():
    make_standard(reference="SAME")
    assert refused(lambda: make_standard(reference="SAME"))


def test_standard_address_is_official_or_blank_and_status_known():
    assert refused(lambda: make_standard(url="https://www.example-doc-share.com/doc/123"))
    assert refused(lambda: make_standard(url="http://www.ukstandards.org.uk/en/nos-finder/X"))
    assert not refused(lambda: make_standard(url=""))
    assert refused(lambda: make_standard(status="withdrawn"))


def test_learning_opportunity_kind_must_be_known():
    assert refused(lambda: LearningOpportunity.objects.create(title="x", kind="podcast"))


def test_progression_to_the_same_role_is_refused():
    role = make_role()
    assert refused(lambda: make_progression(role, role))


def test_progression_is_recorded_once_per_pair():
    start, end = make_role(level=4), make_role(level=5)
    make_progression(start, end)
    assert refused(lambda: make_progression(start, end, kind="vertical", note="again"))
    assert Progression.objects.filter(from_role=start).count() == 1


def test_progression_kind_must_be_known():
    assert refused(lambda: make_progression(make_role(), make_role(), kind="diagonal"))
