"""A nullable column v2's code writes: safe while v1 serves (before_deploy)."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.AddField(model_name="product", name="price_cents", field=models.IntegerField(null=True))]
