"""Learning levels become ordered numbers, so suggestions can match a role's level.

The old free-text values are read into numbers ("Level 6 or 7 (degree)" becomes 6,
"Masters" 7, "Doctorate" 8); anything without a single level ("Tier 1 and Tier 2",
blank) becomes blank, meaning it suits every level. Going back writes "Level N".
"""

import re

from django.db import migrations, models

WORDS = (
    ("doctor", 8),
    ("masters", 7),
    ("postgraduate", 7),
    ("foundation degree", 5),
    ("degree", 6),
)


def number_from_text(text: str) -> int | None:
    text = (text or "").lower()
    match = re.search(r"\blevel\s+([1-8])\b", text)
    if match:
        return int(match.group(1))
    for word, number in WORDS:
        if word in text:
            return number
    return None


def text_to_number(apps, schema_editor):
    LearningOpportunity = apps.get_model("competences", "LearningOpportunity")
    for learning in LearningOpportunity.objects.all():
        learning.level_number = number_from_text(learning.level)
        learning.save(update_fields=["level_number"])


def number_to_text(apps, schema_editor):
    LearningOpportunity = apps.get_model("competences", "LearningOpportunity")
    for learning in LearningOpportunity.objects.all():
        learning.level = f"Level {learning.level_number}" if learning.level_number else ""
        learning.save(update_fields=["level"])


class Migration(migrations.Migration):
    dependencies = [
        ("competences", "0004_standard_official_address"),
    ]

    operations = [
        migrations.AddField(
            model_name="learningopportunity",
            name="level_number",
            field=models.PositiveSmallIntegerField(null=True, blank=True),
        ),
        migrations.RunPython(text_to_number, number_to_text),
        migrations.RemoveField(model_name="learningopportunity", name="level"),
        migrations.RenameField(
            model_name="learningopportunity", old_name="level_number", new_name="level"
        ),
        migrations.AlterField(
            model_name="learningopportunity",
            name="level",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (1, "Level 1"),
                    (2, "Level 2"),
                    (3, "Level 3"),
                    (4, "Level 4"),
                    (5, "Level 5"),
                    (6, "Level 6 (degree)"),
                    (7, "Level 7 (Masters)"),
                    (8, "Level 8 (doctorate)"),
                ],
                help_text=(
                    "A qualification's or apprenticeship's own level; for a course, the level of "
                    "the staff it is meant for. Leave blank when it suits staff at every level."
                ),
                null=True,
                verbose_name="level",
            ),
        ),
        migrations.AddConstraint(
            model_name="learningopportunity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("level__isnull", True),
                    ("level__in", [1, 2, 3, 4, 5, 6, 7, 8]),
                    _connector="OR",
                ),
                name="learning_known_level",
                violation_error_message="Choose a level from 1 to 8, or leave it blank.",
            ),
        ),
    ]
