"""Drops a column the old code reads: after the deploy."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tangle", "0001_initial")]
    operations = [migrations.RemoveField(model_name="item", name="old_col")]
