"""RemoveField, marked always: runs before the deploy"""
from django.db import migrations, models
from django_safemigrate import Safe


class Migration(migrations.Migration):
    safe = Safe.always
    dependencies = [("marked_enum", "0001_initial")]
    operations = [migrations.RemoveField(model_name="thing", name="b")]
