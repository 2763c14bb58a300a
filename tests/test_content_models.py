"""Every change to the content starts a new cache generation, so nothing cached from the
old content is served again. The content models are found, not listed: the models that
keep history. A model added to a content app without history fails here."""

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from core.models import FrameworkVersion
from core.versioning import content_models
from tests.factories import make_competence

pytestmark = pytest.mark.django_db

CONTENT_APPS = ("roles", "competences", "pathways")


def stored_generation() -> str:
    return FrameworkVersion.objects.values_list("generation", flat=True).get(pk=1)


def test_every_model_of_the_content_apps_is_content():
    models = [
        model
        for label in CONTENT_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.model_name.startswith("historical")
    ]
    found = set(content_models())
    left_out = [model._meta.label for model in models if model not in found]
    assert not left_out, f"keep history for these, or they are not content: {left_out}"
    # The count from the models themselves, against the nine the design names and the
    # three that say how people get into each role.
    assert {model._meta.label for model in found} == {
        "roles.Area",
        "roles.Level",
        "roles.RoleProfile",
        "roles.RoleCompetence",
        "competences.Competence",
        "competences.Standard",
        "competences.LearningOpportunity",
        "pathways.Progression",
        "pathways.ProgressionDrop",
        "pathways.RoleEntry",
        "pathways.EntryRoute",
        "pathways.PreEmploymentCheck",
    }


CHANGES = [(model._meta.label, "save") for model in content_models()]
CHANGES += [(model._meta.label, "delete") for model in content_models()]
CHANGES += [
    (model._meta.label, f"m2m:{field.name}")
    for model in content_models()
    for field in model._meta.local_many_to_many
]


def _a_row_to_delete(model, committed) -> None:
    """Make sure some row of ``model`` rests on nothing: in the seed every competence
    statement is needed by a role, and every subsection holds statements, so a
    competence nothing needs is added first, as a change of its own (``committed`` runs
    its commit callbacks, so the deletion after it is a new change)."""
    if model._meta.label == "competences.Competence":
        section = model.objects.filter(parent=None).first()
        with committed(execute=True):
            make_competence(parent=section, title="Nothing needs this")


def _delete_one(model) -> None:
    """Delete the first row nothing protects (seed rows that others rest on refuse)."""
    for row in model.objects.order_by("-pk")[:200]:
        try:
            with transaction.atomic():
                row.delete()
            return
        except (ProtectedError, RestrictedError):
            continue
    pytest.fail(f"no {model._meta.label} row could be deleted")


@pytest.mark.parametrize(("label", "change"), CHANGES)
def test_each_change_to_the_content_starts_a_new_generation(
    label, change, django_capture_on_commit_callbacks
):
    model = apps.get_model(label)
    if change == "delete":
        _a_row_to_delete(model, django_capture_on_commit_callbacks)
    before_version = FrameworkVersion.objects.get(pk=1).number
    before = stored_generation()
    if change == "save":
        model.objects.order_by("pk").first().save()
    elif change == "delete":
        _delete_one(model)
    else:
        field = change.split(":", 1)[1]
        row = model.objects.order_by("pk").first()
        related = model._meta.get_field(field).related_model
        linked = getattr(row, field)
        other = related.objects.exclude(pk__in=linked.values("pk")).first()
        linked.add(other)
    assert stored_generation() != before
    assert FrameworkVersion.objects.get(pk=1).number == before_version + 1


def test_a_transaction_raises_the_version_once(django_capture_on_commit_callbacks):
    role_model = apps.get_model("roles.RoleProfile")
    before = FrameworkVersion.objects.get(pk=1).number
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for role in role_model.objects.all()[:3]:
            role.save()
    assert FrameworkVersion.objects.get(pk=1).number == before + 1


def test_a_rolled_back_change_leaves_the_generation():
    role_model = apps.get_model("roles.RoleProfile")
    before = stored_generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        role_model.objects.first().save()
        assert stored_generation() != before
        raise RuntimeError("the editor's change fails")
    assert stored_generation() == before
