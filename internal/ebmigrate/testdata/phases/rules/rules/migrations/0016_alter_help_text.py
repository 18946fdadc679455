"""AlterField help_text only: no database change -> always"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="product", name="help", field=models.CharField(max_length=20, help_text="Shown in forms")),
    ]
