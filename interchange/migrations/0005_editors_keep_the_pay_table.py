"""Editors keep the job description's pay table too (see interchange/editors.py)."""

from django.db import migrations

from interchange.editors import editor_group_sync


def sync_editor_group(apps, schema_editor):
    editor_group_sync(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("interchange", "0004_version_moves_to_core"),
        ("workforce", "0002_pay_table_2025_26"),
    ]

    operations = [migrations.RunPython(sync_editor_group, migrations.RunPython.noop)]
