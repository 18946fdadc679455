"""AddField null=True -> before_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AddField(model_name="product", name="note", field=models.CharField(max_length=20, null=True)),
    ]
