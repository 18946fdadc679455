"""AddField nullable and RemoveField in one migration -> after_deploy, hazard"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AddField(model_name="product", name="mixed_new", field=models.CharField(max_length=20, null=True)),
        migrations.RemoveField(model_name="product", name="mixed_old"),
    ]
