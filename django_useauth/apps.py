from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class UseAuthConfig(AppConfig):
    name = "django_useauth"
    verbose_name = "django-useauth"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.contrib.auth.signals import user_logged_out

        from django_useauth import checks as useauth_checks
        from django_useauth.middleware import forget_loaded_session

        user_logged_in.connect(forget_loaded_session, dispatch_uid="useauth-login")
        user_logged_out.connect(forget_loaded_session, dispatch_uid="useauth-logout")

        checks.register(useauth_checks.check_middleware, checks.Tags.compatibility)
        checks.register(useauth_checks.check_session_engine, checks.Tags.security)
        checks.register(useauth_checks.check_templates, checks.Tags.templates)
        checks.register(useauth_checks.check_settings, checks.Tags.compatibility)
        checks.register(useauth_checks.check_providers, checks.Tags.compatibility)
        checks.register(useauth_checks.check_deploy, checks.Tags.security, deploy=True)
