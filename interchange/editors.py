"""The Editor group: the people who change the framework's content in the admin.

Editors add, change and delete every content model (reverting to an earlier version is
a change to the row), read each content model's history when it is recorded, and import
the framework from a file. They get nothing from ``auth`` (users, groups, permissions),
so they cannot manage people or give themselves more rights, and they cannot delete
history.

The group lives here because ``interchange`` sits above every content app, so its
migrations may depend on all of them.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models import Q

from core.versioning import content_models

EDITOR_GROUP = "Editor"

CONTENT_ACTIONS = ("add", "change", "delete", "view")
IMPORT_PERMISSION = ("interchange", "import_framework")
# Reference tables the site's tools quote, kept by editors too though not part of the
# framework itself (no history, no version): the job description's pay table, and the
# health report's accepted warnings.
REFERENCE_MODELS = {"workforce": ["paytable", "payband"], "framework": ["acceptedwarning"]}


def content_model_names(apps=global_apps) -> dict[str, list[str]]:
    """{app label: model names, lower case as content types store them} of the content
    models (``core.versioning.content_models``) in ``apps``."""
    names: dict[str, list[str]] = {}
    for model in content_models(apps):
        names.setdefault(model._meta.app_label, []).append(model._meta.model_name)
    return names


def edited_model_names(apps=global_apps) -> dict[str, list[str]]:
    """The content models and the reference tables: every model an editor keeps."""
    names = content_model_names(apps)
    for app_label, models in REFERENCE_MODELS.items():
        for model in models:
            try:
                apps.get_model(app_label, model)
            except LookupError:
                continue  # a migration from before the table existed
            names.setdefault(app_label, []).append(model)
    return names


def editor_permissions_filter(apps=global_apps) -> Q:
    """The permissions an editor holds, as a filter on ``auth.Permission``."""
    content = content_model_names(apps)
    wanted = Q(content_type__app_label=IMPORT_PERMISSION[0], codename=IMPORT_PERMISSION[1])
    for app_label, models in edited_model_names(apps).items():
        for model in models:
            wanted |= Q(
                content_type__app_label=app_label,
                content_type__model=model,
                codename__in=[f"{action}_{model}" for action in CONTENT_ACTIONS],
            )
    # Read-only access to the history of content (django-simple-history's models, and
    # the ones it keeps for many-to-many links): never adding, changing or deleting it.
    wanted |= Q(
        content_type__app_label__in=list(content),
        content_type__model__startswith="historical",
        codename__startswith="view_",
    )
    return wanted


def editor_group_sync(*, apps=global_apps, using: str = "default"):
    """Create the Editor group, or set its permissions back to the ones listed here.

    ``apps`` is a migration's historical app registry, or the live one. Django creates
    permissions only after every migration has run, so the ones needed are created
    here first. Running it again changes nothing.
    """
    content = edited_model_names(apps)
    for app_label in [*content, IMPORT_PERMISSION[0]]:
        create_permissions(
            global_apps.get_app_config(app_label), verbosity=0, apps=apps, using=using
        )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    permissions = list(Permission.objects.using(using).filter(editor_permissions_filter(apps)))
    codenames = {permission.codename for permission in permissions}
    missing = [
        codename
        for models in content.values()
        for model in models
        for codename in [f"{action}_{model}" for action in CONTENT_ACTIONS]
        if codename not in codenames
    ] + ([] if IMPORT_PERMISSION[1] in codenames else [IMPORT_PERMISSION[1]])
    if missing:
        raise RuntimeError(f"The Editor group cannot be set up: no {', '.join(missing)}.")

    group, _ = Group.objects.using(using).get_or_create(name=EDITOR_GROUP)
    group.permissions.set(permissions)
    return group
