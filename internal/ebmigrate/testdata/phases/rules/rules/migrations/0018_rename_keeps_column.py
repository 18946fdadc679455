"""RenameField of a field with db_column: the column stays -> always"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        migrations.RenameField(model_name="product", old_name="fixed_column", new_name="fixed_renamed"),
    ]
