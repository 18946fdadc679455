"""The schema the old code runs on: one field or model per rule that a
pending migration of this app changes."""
from django.db import migrations, models


def name():
    return models.CharField(max_length=20)


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("drop_nullable", models.CharField(max_length=20, null=True)),
                ("drop_required", models.CharField(max_length=20)),
                ("rename_me", models.IntegerField(default=0)),
                ("to_required", models.CharField(max_length=20, null=True)),
                ("to_optional", models.CharField(max_length=20)),
                ("widen", models.CharField(max_length=20)),
                ("narrow", models.CharField(max_length=50)),
                ("retype", models.CharField(max_length=20)),
                ("make_unique", models.CharField(max_length=20)),
                ("help", models.CharField(max_length=20)),
                ("indexed", models.CharField(max_length=20)),
                ("fixed_column", models.CharField(max_length=20, db_column="fixed_col")),
                ("mixed_old", models.CharField(max_length=20, null=True)),
                ("state_only", models.CharField(max_length=20, null=True)),
            ],
        ),
        migrations.CreateModel(name="Category", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", name())]),
        migrations.CreateModel(name="Doomed", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", name())]),
        migrations.CreateModel(name="OldName", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", name())]),
        migrations.CreateModel(name="Tabled", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", name())]),
        migrations.CreateModel(name="Optioned", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("name", name())]),
        migrations.CreateModel(
            name="Paired",
            fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("a", name()), ("b", name())],
        ),
        migrations.CreateModel(
            name="Loose",
            fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("a", name()), ("b", name())],
            options={"unique_together": {("a", "b")}},
        ),
        migrations.CreateModel(name="Checked", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("n", models.IntegerField())]),
        migrations.CreateModel(
            name="Constrained",
            fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("n", models.IntegerField())],
            options={"constraints": [models.CheckConstraint(check=models.Q(n__gte=0), name="constrained_n_gte_0")]},
        ),
        migrations.CreateModel(name="Indexed", fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("n", models.IntegerField())]),
        migrations.CreateModel(
            name="Unindexed",
            fields=[("id", models.AutoField(primary_key=True, serialize=False)), ("n", models.IntegerField())],
            options={"indexes": [models.Index(fields=["n"], name="unindexed_n_idx")]},
        ),
    ]
