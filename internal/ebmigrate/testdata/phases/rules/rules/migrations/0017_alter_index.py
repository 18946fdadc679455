"""AlterField db_index=True -> always"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="product", name="indexed", field=models.CharField(max_length=20, db_index=True)),
    ]
