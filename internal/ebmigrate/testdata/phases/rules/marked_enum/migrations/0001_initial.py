"""No marker: classified by its operations (CreateModel)."""
from django.db import migrations, models
from django_safemigrate import Safe


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Thing",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("a", models.CharField(max_length=20, null=True)),
                ("b", models.CharField(max_length=20, null=True)),
                ("d", models.CharField(max_length=20, null=True)),
            ],
        ),
    ]
