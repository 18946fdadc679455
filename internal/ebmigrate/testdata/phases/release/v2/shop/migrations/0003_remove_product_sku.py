"""Drops the column v1's code reads: only once v1 no longer serves (after_deploy)."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_product_price_cents")]
    operations = [migrations.RemoveField(model_name="product", name="sku")]
