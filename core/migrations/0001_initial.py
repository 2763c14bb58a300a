import django.db.models
from django.db import migrations, models

import core.models


def copy_version(apps, schema_editor):
    """Carry the version row over from the table it lived in before the move."""
    Old = apps.get_model("interchange", "FrameworkVersion")
    New = apps.get_model("core", "FrameworkVersion")
    for row in Old.objects.all():
        New.objects.create(pk=row.pk, number=row.number, last_changed=row.last_changed)


def copy_back(apps, schema_editor):
    Old = apps.get_model("interchange", "FrameworkVersion")
    New = apps.get_model("core", "FrameworkVersion")
    for row in New.objects.all():
        Old.objects.create(pk=row.pk, number=row.number, last_changed=row.last_changed)


class Migration(migrations.Migration):
    initial = True

    dependencies = [("interchange", "0003_editor_group")]

    operations = [
        migrations.CreateModel(
            name="FrameworkVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(default=0, verbose_name="version")),
                (
                    "last_changed",
                    models.DateField(blank=True, null=True, verbose_name="last changed"),
                ),
                (
                    "generation",
                    models.CharField(
                        default=core.models.new_generation,
                        editable=False,
                        max_length=32,
                        verbose_name="cache generation",
                    ),
                ),
            ],
            options={
                "verbose_name": "framework version",
                "constraints": [
                    models.CheckConstraint(
                        condition=django.db.models.Q(("pk", 1)),
                        name="framework_version_single_row",
                    )
                ],
            },
        ),
        migrations.RunPython(copy_version, copy_back),
    ]
