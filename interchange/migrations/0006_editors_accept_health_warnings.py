"""Editors accept the framework health report's warnings too (see interchange/editors.py)."""

from django.db import migrations

from interchange.editors import editor_group_sync


def sync_editor_group(apps, schema_editor):
    editor_group_sync(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("interchange", "0005_editors_keep_the_pay_table"),
        ("framework", "0001_accepted_warnings"),
    ]

    operations = [migrations.RunPython(sync_editor_group, migrations.RunPython.noop)]
