"""RemoveConstraint -> before_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.RemoveConstraint(model_name="constrained", name="constrained_n_gte_0"),
    ]
