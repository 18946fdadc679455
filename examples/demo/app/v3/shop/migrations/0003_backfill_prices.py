"""v3's migration fails, as a real one might: the demo shows the apply failing
with Django's traceback, and the state staying at v2."""
from django.db import migrations


def backfill_prices(apps, schema_editor):
    raise RuntimeError("price backfill failed: the prices feed returned no data")


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_product_price_cents")]
    operations = [migrations.RunPython(backfill_prices, migrations.RunPython.noop)]
