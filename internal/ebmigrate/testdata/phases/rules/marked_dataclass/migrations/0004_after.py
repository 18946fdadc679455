"""AddField nullable, which the rules put before the deploy, marked after_deploy: runs after"""
from django.db import migrations, models
from django_safemigrate import Safe


class Migration(migrations.Migration):
    safe = Safe.after_deploy()
    dependencies = [("marked_dataclass", "0003_before_uncalled")]
    operations = [migrations.AddField(model_name="thing", name="c", field=models.CharField(max_length=20, null=True))]
