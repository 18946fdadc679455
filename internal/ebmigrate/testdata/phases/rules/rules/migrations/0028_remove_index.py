"""RemoveIndex -> always"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.RemoveIndex(model_name="unindexed", name="unindexed_n_idx"),
    ]
