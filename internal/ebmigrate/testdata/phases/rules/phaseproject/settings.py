"""The apps come from PHASE_APPS (the marker apps need a django_safemigrate of
their own spelling on PYTHONPATH); the database from DATABASE_PATH."""
import os

SECRET_KEY = "test-only"
INSTALLED_APPS = os.environ.get("PHASE_APPS", "rules,tangle,marked_bool,marked_invalid").split(",")
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DATABASE_PATH"]}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
