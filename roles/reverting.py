"""Reverting a role's requirements with the role.

A role's requirements are rows of their own, with their own history, so reverting the
role alone left them as they were. The role's revert page lists the requirements that
changed after the chosen version and offers to put them back as they were then.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Proficiency, Requirement, RoleCompetence


@dataclass(frozen=True)
class RequirementChange:
    code: str
    title: str
    then: str  # how the role needed it at the version, or "" when it did not
    now: str  # how it needs it today, or ""


def _needs(record) -> str:
    return _("%(requirement)s, %(depth)s") % {
        "requirement": Requirement(record.requirement).label,
        "depth": Proficiency(record.proficiency).label,
    }


def _state_at(role_id: int, when) -> dict:
    """{competence id: the requirement's latest record at ``when``}, if it existed then."""
    history = RoleCompetence.history.model
    latest = {}
    for record in history.objects.filter(role_id=role_id, history_date__lte=when).order_by(
        "history_date", "history_id"
    ):
        latest[record.competence_id] = record
    return {key: record for key, record in latest.items() if record.history_type != "-"}


def requirement_changes_since(role_id: int, when) -> list[RequirementChange]:
    """The role's requirements that were added, changed or removed after ``when``."""
    history = RoleCompetence.history.model
    touched = set(
        history.objects.filter(role_id=role_id, history_date__gt=when).values_list(
            "competence_id", flat=True
        )
    )
    if not touched:
        return []
    then = _state_at(role_id, when)
    now = {
        item.competence_id: item
        for item in RoleCompetence.objects.filter(role_id=role_id).select_related("competence")
    }
    from competences.models import Competence

    names = dict(
        (pk, (code, title))
        for pk, code, title in Competence.objects.filter(pk__in=touched).values_list(
            "pk", "code", "title"
        )
    )
    changes = []
    for competence_id in touched:
        before = _needs(then[competence_id]) if competence_id in then else ""
        after = _needs(now[competence_id]) if competence_id in now else ""
        if before != after and competence_id in names:
            code, title = names[competence_id]
            changes.append(RequirementChange(code, title, before, after))
    return sorted(changes, key=lambda change: change.code)


def revert_requirements(role_id: int, when) -> int:
    """Put the role's requirements back as they were at ``when``; how many changed."""
    then = _state_at(role_id, when)
    now = {item.competence_id: item for item in RoleCompetence.objects.filter(role_id=role_id)}
    history = RoleCompetence.history.model
    touched = set(
        history.objects.filter(role_id=role_id, history_date__gt=when).values_list(
            "competence_id", flat=True
        )
    )
    changed = 0
    for competence_id in touched:
        record, current = then.get(competence_id), now.get(competence_id)
        if record is not None and current is not None:
            if (current.proficiency, current.requirement) != (
                record.proficiency,
                record.requirement,
            ):
                current.proficiency, current.requirement = record.proficiency, record.requirement
                current.save()
                changed += 1
        elif record is not None:
            RoleCompetence.objects.create(
                role_id=role_id,
                competence_id=competence_id,
                proficiency=record.proficiency,
                requirement=record.requirement,
            )
            changed += 1
        elif current is not None:
            current.delete()
            changed += 1
    return changed
