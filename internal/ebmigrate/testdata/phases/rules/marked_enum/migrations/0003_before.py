"""RemoveField, which the rules put after the deploy, marked before_deploy: runs before"""
from django.db import migrations, models
from django_safemigrate import Safe


class Migration(migrations.Migration):
    safe = Safe.before_deploy
    dependencies = [("marked_enum", "0002_always")]
    operations = [migrations.RemoveField(model_name="thing", name="a")]
