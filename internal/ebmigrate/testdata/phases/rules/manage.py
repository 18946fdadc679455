#!/usr/bin/env python3
"""A Django project whose migrations exercise each phase rule (phase_rules_test.go)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phaseproject.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
