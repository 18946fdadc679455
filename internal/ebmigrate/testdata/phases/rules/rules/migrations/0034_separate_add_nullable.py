"""SeparateDatabaseAndState adding a nullable column -> before_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[migrations.AddField(model_name="product", name="extra", field=models.CharField(max_length=20, null=True))], state_operations=[migrations.AddField(model_name="product", name="extra", field=models.CharField(max_length=20, null=True))]),
    ]
