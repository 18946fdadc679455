"""A safe attribute django-safemigrate does not accept."""
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    safe = "before_deploy"
    dependencies = []
    operations = []
