"""Marked after_deploy with django-safemigrate 5's delay."""
from datetime import timedelta

from django.db import migrations
from django_safemigrate import Safe


class Migration(migrations.Migration):
    safe = Safe.after_deploy(delay=timedelta(days=1))
    dependencies = [("marked_dataclass", "0005_always_delayed")]
    operations = []
