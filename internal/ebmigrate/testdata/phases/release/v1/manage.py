#!/usr/bin/env python3
"""A shop whose release v2 adds a column its code writes and drops one v1's
code reads (phase_release_test.go): run by localaws as the app container."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
