"""RenameField -> after_deploy, hazard"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.RenameField(model_name="product", old_name="rename_me", new_name="renamed"),
    ]
