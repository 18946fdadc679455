"""SeparateDatabaseAndState without database operations -> always"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name="product", name="state_only")]),
    ]
