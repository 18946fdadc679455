#!/usr/bin/env python3
"""v2's traffic, for localaws's web workload: what v2's code does on each
request (write a product with its price, read the latest ones' prices), one
line per request: "WORKLOAD OK ..." or "WORKLOAD FAILED <why>"."""
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
        Product.objects.create(name="v2-%d" % n, price_cents=100 * n)
        prices = [p.price_cents for p in Product.objects.order_by("-id")[:5]]
        print("WORKLOAD OK v2 request %d read %d prices" % (n, len(prices)), flush=True)
    except Exception as e:
        print("WORKLOAD FAILED v2 %s: %s" % (type(e).__name__, e), flush=True)
    time.sleep(0.1)
