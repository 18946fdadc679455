#!/usr/bin/env python3
"""v1's traffic, for localaws's web workload: what v1's code does on each
request (write a product with its sku, read the latest ones' skus), one line
per request: "WORKLOAD OK ..." or "WORKLOAD FAILED <why>"."""
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")
import django  # noqa: E402

django.setup()
from shop.models import Product  # noqa: E402

n = 0
while True:
    n += 1
    try:
        Product.objects.create(name="v1-%d" % n, sku="SKU-%d" % n)
        skus = [p.sku for p in Product.objects.order_by("-id")[:5]]
        print("WORKLOAD OK v1 request %d read %d skus" % (n, len(skus)), flush=True)
    except Exception as e:
        print("WORKLOAD FAILED v1 %s: %s" % (type(e).__name__, e), flush=True)
    time.sleep(0.1)
