"""before_deploy in a further spelling: runs before"""
from django.db import migrations, models
from django_safemigrate import Safe


class Migration(migrations.Migration):
    safe = Safe.before_deploy
    dependencies = [("marked_dataclass", "0003_before")]
    operations = [migrations.RemoveField(model_name="thing", name="d")]
