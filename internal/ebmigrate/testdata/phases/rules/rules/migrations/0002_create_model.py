"""CreateModel: a new table -> before_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.CreateModel(name="Tag", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("label", models.CharField(max_length=20))]),
    ]
