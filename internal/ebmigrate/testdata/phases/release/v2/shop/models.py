from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
    # New in v2, written by its code: nullable, so that v1's code, which does
    # not set it, can insert rows while it still serves.
    price_cents = models.IntegerField(null=True)
