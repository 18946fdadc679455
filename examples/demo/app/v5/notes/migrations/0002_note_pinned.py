"""v5 adds a column: the demo's action step migrates it before Elastic Beanstalk
deploys v5 (before_update), while v4 still serves."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]
    operations = [migrations.AddField(model_name="note", name="pinned", field=models.BooleanField(default=False))]
