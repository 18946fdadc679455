"""AddIndex -> always"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AddIndex(model_name="indexed", index=models.Index(fields=["n"], name="indexed_n_idx")),
    ]
