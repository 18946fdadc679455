"""RunPython -> the code_operations default"""
from django.db import migrations, models


def backfill(apps, schema_editor):
    apps.get_model("rules", "Product").objects.update(name="x")


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
