from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo pages of the django-useauth demo project."""

    name = "testproject.demo"
    label = "demo"
    verbose_name = "django-useauth demo"
