"""RenameModel -> after_deploy, hazard"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.RenameModel(old_name="OldName", new_name="NewName"),
    ]
