"""AddField NOT NULL with a Python default: Django sets no database default -> after_deploy, hazard"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AddField(model_name="product", name="stock", field=models.IntegerField(default=0)),
    ]
