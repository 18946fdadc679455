"""RunSQL.noop -> always"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.RunSQL(migrations.RunSQL.noop, migrations.RunSQL.noop),
    ]
