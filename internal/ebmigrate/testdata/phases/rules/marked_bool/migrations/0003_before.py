"""RemoveField, which the rules put after the deploy, marked before_deploy: runs before"""
from django.db import migrations, models


class Migration(migrations.Migration):
    safe = True
    dependencies = [("marked_bool", "0001_initial")]
    operations = [migrations.RemoveField(model_name="thing", name="a")]
