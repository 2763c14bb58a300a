from django.db import migrations


class Migration(migrations.Migration):
    """The version row now lives in core, with the cache generation beside it."""

    dependencies = [("interchange", "0003_editor_group"), ("core", "0001_initial")]

    operations = [migrations.DeleteModel(name="FrameworkVersion")]
