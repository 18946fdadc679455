"""Adds a column the new code writes (before the deploy), but after 0002: the
release cannot be split."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tangle", "0002_remove_item_old_col")]
    operations = [migrations.AddField(model_name="item", name="new_col", field=models.CharField(max_length=20, null=True))]
