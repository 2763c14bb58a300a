"""Small builders for test data. Each returns a saved row with sensible defaults."""

from itertools import count

from competences.models import Competence, Kind, LearningOpportunity, Standard
from competences.services import competence_save
from pathways.models import Progression
from roles.models import Area, Level, Proficiency, RoleCompetence, RoleProfile

_sequence = count(1)


def _next() -> int:
    return next(_sequence)


def make_level(number: int = 5, **fields) -> Level:
    level, _ = Level.objects.get_or_create(
        number=number,
        defaults={"name": f"Level {number} name", "descriptor": "What the level means."} | fields,
    )
    return level


def make_area(**fields) -> Area:
    n = _next()
    values = {
        "slug": f"area-{n}",
        "name": f"Service area {n}",
        "short_name": f"A{n}",
        "summary": "What the service does.",
        "position": n,
    }
    return Area.objects.create(**(values | fields))


def make_role(*, level: int | Level = 5, areas=None, **fields) -> RoleProfile:
    n = _next()
    if isinstance(level, int):
        level = make_level(level)
    values = {
        "title": f"Role {n}",
        "slug": f"role-{n}",
        "code": f"R-{n}",
        "purpose": f"Purpose of role {n}.",
        "responsibilities": f"First duty of role {n}\nSecond duty of role {n}",
        "entry_requirements": "Entry requirements.",
        "education_and_training": "Education and training.",
        "continuing_development": "Continuing development.",
        "typical_job_titles": f"Role {n} title",
    }
    role = RoleProfile.objects.create(level=level, **(values | fields))
    role.areas.set(areas if areas is not None else [make_area()])
    return role


def make_standard(**fields) -> Standard:
    n = _next()
    values = {
        "code": f"STD{n}",
        "reference": f"STD{n}",
        "title": f"Standard {n}",
        "suite": "Test suite",
        "organisation": "Skills for Health",
        "url": f"https://standards.example.org/{n}",
    }
    return Standard.objects.create(**(values | fields))


def make_competence(*, parent: Competence | None = None, kind: str | None = None, **fields):
    """A tree node saved through the tree service; a section when there is no parent."""
    n = _next()
    if kind is None:
        kind = Kind.SECTION if parent is None else Kind.STATEMENT
    values = {"code": f"C{n}", "title": f"Competence {n}", "knowledge": "Knows", "skills": "Does"}
    return competence_save(competence=Competence(parent=parent, kind=kind, **(values | fields)))


def make_requirement(role, competence, proficiency=Proficiency.WORKING, requirement="essential"):
    return RoleCompetence.objects.create(
        role=role, competence=competence, proficiency=proficiency, requirement=requirement
    )


def make_learning(*, competences=(), **fields) -> LearningOpportunity:
    n = _next()
    values = {"title": f"Course {n}", "kind": "course"}
    learning = LearningOpportunity.objects.create(**(values | fields))
    learning.competences.set(competences)
    return learning


def make_progression(from_role, to_role, kind="vertical", note="") -> Progression:
    return Progression.objects.create(from_role=from_role, to_role=to_role, kind=kind, note=note)
