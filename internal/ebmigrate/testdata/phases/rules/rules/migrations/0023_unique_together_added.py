"""AlterUniqueTogether adding a set -> after_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterUniqueTogether(name="paired", unique_together={("a", "b")}),
    ]
