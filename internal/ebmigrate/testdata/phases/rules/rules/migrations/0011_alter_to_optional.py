"""AlterField NOT NULL -> null=True -> before_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="product", name="to_optional", field=models.CharField(max_length=20, null=True)),
    ]
