"""An operation the rules do not know -> after_deploy"""
from django.db import migrations, models


class Touch(migrations.operations.base.Operation):
    """A project's own operation."""

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [
        Touch(),
    ]
