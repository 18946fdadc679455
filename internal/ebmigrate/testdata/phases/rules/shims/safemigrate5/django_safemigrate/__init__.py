"""Stands for django-safemigrate 5.x in tests: its public API is a dataclass
Safe with a When and an optional delay, made by the classmethods
Safe.before_deploy(), Safe.after_deploy(delay=None) and Safe.always()."""
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Optional


class When(Enum):
    always = "always"
    before_deploy = "before_deploy"
    after_deploy = "after_deploy"


@dataclass
class Safe:
    when: When
    delay: Optional[timedelta] = None

    @classmethod
    def always(cls):
        return cls(when=When.always)

    @classmethod
    def before_deploy(cls):
        return cls(when=When.before_deploy)

    @classmethod
    def after_deploy(cls, *, delay=None):
        return cls(when=When.after_deploy, delay=delay)
