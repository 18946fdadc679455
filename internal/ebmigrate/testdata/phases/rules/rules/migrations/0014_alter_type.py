"""AlterField CharField -> IntegerField -> after_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="product", name="retype", field=models.IntegerField()),
    ]
