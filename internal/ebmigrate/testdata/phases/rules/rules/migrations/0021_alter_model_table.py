"""AlterModelTable -> after_deploy, hazard"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterModelTable(name="tabled", table="rules_tabled_v2"),
    ]
