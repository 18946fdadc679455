"""The database is a SQLite file named by the Elastic Beanstalk environment
property DATABASE_PATH, shared by the web tasks and the migrations."""
import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "test-only")
INSTALLED_APPS = ["shop"]
DATABASES = {
    "default": {
        # SQLite with IMMEDIATE transactions (sqlite_immediate/base.py), and
        # a long busy timeout: the web tasks write while a migration runs.
        "ENGINE": "shopsite.sqlite_immediate",
        "NAME": os.environ["DATABASE_PATH"],
        "OPTIONS": {"timeout": 30},
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
