"""AddField ManyToManyField: a new table -> before_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AddField(model_name="product", name="categories", field=models.ManyToManyField(to="rules.Category")),
    ]
