"""Small builders for test data. Each returns a saved row with sensible defaults."""

from itertools import count, cycle

from competences.models import Competence, Kind, LearningOpportunity, Standard
from competences.services import competence_save
from pathways.models import MoveKind, Progression
from roles.models import Area, Level, Proficiency, Requirement, RoleCompetence, RoleProfile

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
        "url": f"https://www.ukstandards.org.uk/en/nos-finder/STD{n}/standard-{n}",
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


def grow_framework(*, around=(), factor: int = 10) -> None:
    """Add ``factor`` times the roles, statements, requirements and moves there are now.

    The roles in ``around`` (the ones a test measures) gain ``factor`` times their
    requirements and moves too. Statements are bulk-created and the new trees rebuilt,
    as the tree service would be too slow for hundreds of nodes.
    """
    areas = list(Area.objects.all()) or [None]
    role_count = RoleProfile.objects.count()
    statement_count = Competence.objects.filter(kind=Kind.STATEMENT).count()
    move_count = Progression.objects.count()
    requirement_count = RoleCompetence.objects.count()

    sections = [make_competence(title=f"Grown section {n}") for n in range(factor)]
    per_section = max(2, statement_count)
    statements = Competence.objects.bulk_create(
        Competence(
            code=f"GROWN-{section.pk}-{n}",
            title=f"Grown competence {n}",
            kind=Kind.STATEMENT,
            parent=section,
            tree_id=section.tree_id,
            lft=0,
            rght=0,
            level=1,
        )
        for section in sections
        for n in range(per_section)
    )
    for section in sections:
        Competence.objects.partial_rebuild(section.tree_id)
    statements = list(Competence.objects.filter(code__startswith="GROWN-"))

    standards = [make_standard() for _ in range(max(2, Standard.objects.count()) * factor)]
    learning = [
        make_learning() for _ in range(max(2, LearningOpportunity.objects.count()) * factor)
    ]
    Competence.standards.through.objects.bulk_create(
        Competence.standards.through(competence_id=item.pk, standard_id=standard.pk)
        for item, standard in zip(statements, cycle(standards))
    )
    LearningOpportunity.competences.through.objects.bulk_create(
        LearningOpportunity.competences.through(
            competence_id=item.pk, learningopportunity_id=course.pk
        )
        for item, course in zip(statements, cycle(learning))
    )

    per_role = max(5, requirement_count // max(1, role_count))
    new_roles = [
        make_role(level=2 + n % 7, areas=[area] if area else None)
        for n, area in zip(range(max(3, role_count) * factor), cycle(areas))
    ]
    requirements = []
    for n, role in enumerate(new_roles + list(around)):
        needed = per_role * (factor if role in around else 1)
        for k in range(needed):
            statement = statements[(n * 7 + k) % len(statements)]
            requirements.append(
                RoleCompetence(
                    role=role,
                    competence=statement,
                    proficiency=1 + (n + k) % 4,
                    requirement=Requirement.ESSENTIAL if k % 3 else Requirement.DESIRABLE,
                )
            )
    RoleCompetence.objects.bulk_create(requirements, ignore_conflicts=True)

    pairs = set()
    for n in range(max(3, move_count) * factor):
        start, end = new_roles[n % len(new_roles)], new_roles[(n * 3 + 1) % len(new_roles)]
        if start.level.number > end.level.number:
            start, end = end, start
        if start != end:
            pairs.add((start, end))
    for role in around:
        for end in new_roles[: 2 * factor]:
            if end.level.number >= role.level.number:
                pairs.add((role, end))
    Progression.objects.bulk_create(
        Progression(
            from_role=start,
            to_role=end,
            kind=MoveKind.VERTICAL if end.level.number > start.level.number else MoveKind.LATERAL,
        )
        for start, end in pairs
    )
