"""AddField nullable, which the rules put before the deploy, marked after_deploy: runs after"""
from django.db import migrations, models


class Migration(migrations.Migration):
    safe = False
    dependencies = [("marked_bool", "0003_before")]
    operations = [migrations.AddField(model_name="thing", name="c", field=models.CharField(max_length=20, null=True))]
