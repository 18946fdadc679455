"""v4 drops the sku column: the demo shows the plan flagging it as destructive,
and destructive_changes = "deny" stopping it until allow_destructive lists it."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_product_price_cents")]
    operations = [migrations.RemoveField(model_name="product", name="sku")]
