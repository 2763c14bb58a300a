"""Clean the text the content already stores, to the rule every writer now applies
(``core.text``): line endings made "\\n", line breaks in single-line fields made spaces,
and characters that cannot be stored removed. Only rows that change are written."""

from django.db import migrations, models

from core.text import REFUSED_IN_STORED, normalised_stored
from core.versioning import content_models


def clean(apps, schema_editor):
    for model in content_models(apps):
        fields = [
            (field.attname, isinstance(field, models.TextField))
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices
        ]
        if not fields:
            continue
        names = [name for name, _multiline in fields]
        for row in model.objects.values("pk", *names).iterator():
            changed = {}
            for name, multiline in fields:
                value = row[name]
                if not isinstance(value, str):
                    continue
                cleaned = REFUSED_IN_STORED.sub("", normalised_stored(value, multiline=multiline))
                if cleaned != value:
                    changed[name] = cleaned
            if changed:
                model.objects.filter(pk=row["pk"]).update(**changed)


class Migration(migrations.Migration):
    dependencies = [
        ("interchange", "0006_editors_accept_health_warnings"),
        ("roles", "0007_level_norms"),
        ("competences", "0008_learning_suits_levels_and_foundation"),
        ("pathways", "0003_history"),
    ]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
