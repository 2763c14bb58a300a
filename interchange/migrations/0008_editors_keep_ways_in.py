"""Editors keep the ways into each role too: entry rules, routes in and pre-employment
checks (see interchange/editors.py)."""

from django.db import migrations

from interchange.editors import editor_group_sync


def sync_editor_group(apps, schema_editor):
    editor_group_sync(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("interchange", "0007_clean_stored_text"),
        ("pathways", "0004_ways_in"),
    ]

    operations = [migrations.RunPython(sync_editor_group, migrations.RunPython.noop)]
