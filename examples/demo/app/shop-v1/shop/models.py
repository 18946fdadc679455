from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
    # Dropped by v2: nullable, so that v2's code, which does not set it,
    # can insert rows until the column is gone.
    sku = models.CharField(max_length=20, null=True)
