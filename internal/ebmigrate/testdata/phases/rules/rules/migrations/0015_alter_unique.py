"""AlterField unique=True -> after_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="product", name="make_unique", field=models.CharField(max_length=20, unique=True)),
    ]
