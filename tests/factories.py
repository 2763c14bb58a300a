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


def grow_framework(factor: int = 10) -> None:
    """Make the framework ``factor`` times larger: more sections, statements, standards,
    roles, requirements and moves, wired to each other the way real content is.

    Uses bulk writes for speed, then rebuilds the tree as a raw load must.
    """
    from competences.services import competence_tree_rebuild

    extra = factor - 1
    statements_now = Competence.objects.filter(kind=Kind.STATEMENT).count() or 1
    roles_now = RoleProfile.objects.count() or 1
    standards_now = Standard.objects.count() or 1
    areas = list(Area.objects.all()) or [make_area()]
    levels = [make_level(number) for number in range(2, 9)]

    standards = Standard.objects.bulk_create(
        Standard(
            code=f"GROW{n}",
            reference=f"GROW{n}",
            title=f"Grown standard {n}",
            suite="Grown suite",
            organisation="Skills for Health",
            url=f"https://standards.example.org/grow/{n}",
        )
        for n in range(standards_now * extra)
    )
    per_section = 10
    section_count = max(1, statements_now * extra // per_section)
    with Competence.objects.disable_mptt_updates():
        sections = Competence.objects.bulk_create(
            Competence(
                code=f"GS{n}",
                kind=Kind.SECTION,
                title=f"Grown section {n}",
                tree_id=10_000 + n,
                lft=0,
                rght=0,
                level=0,
            )
            for n in range(section_count)
        )
        subsections = Competence.objects.bulk_create(
            Competence(
                code=f"{section.code}.1",
                kind=Kind.SUBSECTION,
                parent=section,
                title=f"Grown part of {section.title}",
                tree_id=section.tree_id,
                lft=0,
                rght=0,
                level=1,
            )
            for section in sections
        )
        statements = Competence.objects.bulk_create(
            Competence(
                code=f"{sub.code}.{n}",
                kind=Kind.STATEMENT,
                parent=sub,
                title=f"Grown competence {sub.code}.{n}",
                tree_id=sub.tree_id,
                knowledge="Knows a thing",
                skills="Does a thing",
                lft=0,
                rght=0,
                level=2,
            )
            for sub in subsections
            for n in range(1, per_section + 1)
        )
    competence_tree_rebuild()
    links = Competence.standards.through
    links.objects.bulk_create(
        links(competence_id=statement.pk, standard_id=standards[i % len(standards)].pk)
        for i, statement in enumerate(statements)
    )
    learning = make_learning(title="Grown course")
    learning.competences.add(*statements[:50])

    roles = RoleProfile.objects.bulk_create(
        RoleProfile(
            title=f"Grown role {n}",
            slug=f"grown-role-{n}",
            code=f"GR-{n}",
            level=levels[n % len(levels)],
            purpose="Grown purpose.",
            responsibilities="Grown duty",
            entry_requirements="-",
            education_and_training="-",
            continuing_development="-",
        )
        for n in range(roles_now * extra)
    )
    RoleProfile.areas.through.objects.bulk_create(
        RoleProfile.areas.through(roleprofile_id=role.pk, area_id=areas[i % len(areas)].pk)
        for i, role in enumerate(roles)
    )
    RoleCompetence.objects.bulk_create(
        RoleCompetence(
            role=role,
            competence=statements[(i * 7 + j) % len(statements)],
            proficiency=1 + (i + j) % 4,
            requirement="essential" if j % 3 else "desirable",
        )
        for i, role in enumerate(roles)
        for j in range(min(30, len(statements)))
    )
    # Every seed role also gains requirements and moves among the grown ones.
    for i, role in enumerate(RoleProfile.objects.exclude(pk__in=[r.pk for r in roles])):
        RoleCompetence.objects.bulk_create(
            RoleCompetence(
                role=role, competence=statements[(i * 13 + j) % len(statements)], proficiency=2
            )
            for j in range(min(20, len(statements)))
        )
        Progression.objects.bulk_create(
            Progression(from_role=role, to_role=roles[(i * 5 + k) % len(roles)], kind="lateral")
            for k in range(min(5, len(roles)))
        )
    Progression.objects.bulk_create(
        Progression(from_role=roles[i], to_role=roles[(i + 1) % len(roles)], kind="vertical")
        for i in range(len(roles))
    )
