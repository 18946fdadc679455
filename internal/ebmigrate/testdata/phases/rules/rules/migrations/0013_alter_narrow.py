"""AlterField max_length 50 -> 20 -> after_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="product", name="narrow", field=models.CharField(max_length=20)),
    ]
