"""AlterModelOptions: no database change -> always"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterModelOptions(name="optioned", options={"verbose_name": "option"}),
    ]
