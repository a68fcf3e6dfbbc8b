from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class UseAuthConfig(AppConfig):
    name = "django_useauth"
    verbose_name = "django-useauth"

    def ready(self) -> None:
        from django_useauth import checks as useauth_checks

        checks.register(useauth_checks.check_middleware, checks.Tags.compatibility)
        checks.register(useauth_checks.check_session_engine, checks.Tags.security)
        checks.register(useauth_checks.check_templates, checks.Tags.templates)
        checks.register(useauth_checks.check_settings, checks.Tags.compatibility)
        checks.register(useauth_checks.check_deploy, checks.Tags.security, deploy=True)
