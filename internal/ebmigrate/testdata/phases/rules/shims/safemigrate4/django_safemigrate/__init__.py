"""Stands for django-safemigrate 2.0 to 4.x in tests: its public API then was
an Enum Safe with the members before_deploy, after_deploy and always."""
from enum import Enum


class Safe(Enum):
    always = "always"
    before_deploy = "before_deploy"
    after_deploy = "after_deploy"
