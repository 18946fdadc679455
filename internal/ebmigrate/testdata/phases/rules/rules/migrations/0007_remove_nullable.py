"""RemoveField of a nullable column -> after_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.RemoveField(model_name="product", name="drop_nullable"),
    ]
