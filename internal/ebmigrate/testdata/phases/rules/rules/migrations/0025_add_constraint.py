"""AddConstraint -> after_deploy"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.AddConstraint(model_name="checked", constraint=models.CheckConstraint(check=models.Q(n__gte=0), name="checked_n_gte_0")),
    ]
