"""RunSQL -> the code_operations default"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.RunSQL("UPDATE rules_product SET name = name", migrations.RunSQL.noop),
    ]
