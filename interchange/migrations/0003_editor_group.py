"""Create the Editor group with its permissions (see interchange/editors.py)."""

from django.db import migrations

from interchange.editors import EDITOR_GROUP, editor_group_sync


def create_editor_group(apps, schema_editor):
    editor_group_sync(apps=apps, using=schema_editor.connection.alias)


def remove_editor_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=EDITOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interchange", "0002_pending_import"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("roles", "0005_history"),
        ("competences", "0006_history"),
        ("pathways", "0003_history"),
    ]

    operations = [migrations.RunPython(create_editor_group, remove_editor_group)]
