"""AddField NOT NULL on a table this release creates -> before_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0002_create_model")]
    operations = [
        migrations.AddField(model_name="tag", name="weight", field=models.IntegerField(default=1)),
    ]
