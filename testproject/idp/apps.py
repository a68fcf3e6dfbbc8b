from __future__ import annotations

from django.apps import AppConfig


class IdpConfig(AppConfig):
    """The demo OpenID Connect identity provider (a separate project; see settings.py)."""

    name = "testproject.idp"
    label = "idp"
    verbose_name = "django-useauth demo identity provider"
