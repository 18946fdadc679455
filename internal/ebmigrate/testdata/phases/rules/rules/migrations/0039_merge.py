"""Merges the branches: no operations, after the after_deploy ones -> after_deploy (depends)"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0003_create_unmanaged"),
        ("rules", "0004_add_nullable"),
        ("rules", "0005_add_not_null_default"),
        ("rules", "0006_add_m2m"),
        ("rules", "0007_remove_nullable"),
        ("rules", "0008_remove_required"),
        ("rules", "0009_rename_field"),
        ("rules", "0010_alter_to_required"),
        ("rules", "0011_alter_to_optional"),
        ("rules", "0012_alter_widen"),
        ("rules", "0013_alter_narrow"),
        ("rules", "0014_alter_type"),
        ("rules", "0015_alter_unique"),
        ("rules", "0016_alter_help_text"),
        ("rules", "0017_alter_index"),
        ("rules", "0018_rename_keeps_column"),
        ("rules", "0019_delete_model"),
        ("rules", "0020_rename_model"),
        ("rules", "0021_alter_model_table"),
        ("rules", "0022_alter_model_options"),
        ("rules", "0023_unique_together_added"),
        ("rules", "0024_unique_together_removed"),
        ("rules", "0025_add_constraint"),
        ("rules", "0026_remove_constraint"),
        ("rules", "0027_add_index"),
        ("rules", "0028_remove_index"),
        ("rules", "0029_run_python"),
        ("rules", "0030_run_python_noop"),
        ("rules", "0031_run_sql"),
        ("rules", "0032_run_sql_noop"),
        ("rules", "0033_state_only_removal"),
        ("rules", "0034_separate_add_nullable"),
        ("rules", "0035_custom_operation"),
        ("rules", "0036_mixed"),
        ("rules", "0037_empty"),
        ("rules", "0038_add_to_new_table"),
    ]
    operations = []
