"""marked always, depends on an after_deploy migration: runs after"""
from django.db import migrations, models
from django_safemigrate import Safe


class Migration(migrations.Migration):
    safe = Safe.always()
    dependencies = [("marked_dataclass", "0004_after")]
    operations = [migrations.AlterModelOptions(name="thing", options={"verbose_name": "thing"})]
