"""CreateModel of an unmanaged model: no table -> always"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.CreateModel(name="Report", fields=[("id", models.AutoField(primary_key=True, serialize=False))], options={"managed": False}),
    ]
