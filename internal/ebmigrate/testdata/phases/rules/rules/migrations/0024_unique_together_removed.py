"""AlterUniqueTogether removing a set -> before_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterUniqueTogether(name="loose", unique_together=set()),
    ]
