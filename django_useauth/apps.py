from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class UseAuthConfig(AppConfig):
    name = "django_useauth"
    verbose_name = "django-useauth"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete
        from django.db.models.signals import post_save

        from django_useauth import checks as useauth_checks
        from django_useauth.middleware import forget_loaded_session
        from django_useauth.usercache import forget_user

        user_logged_in.connect(forget_loaded_session, dispatch_uid="useauth-login")
        # A saved or deleted user (new password, deactivated, renamed) loses
        # its cached session payload.
        user_model = get_user_model()
        post_save.connect(
            forget_user, sender=user_model, dispatch_uid="useauth-user-saved"
        )
        post_delete.connect(
            forget_user, sender=user_model, dispatch_uid="useauth-user-deleted"
        )
        user_logged_out.connect(forget_loaded_session, dispatch_uid="useauth-logout")

        checks.register(useauth_checks.check_middleware, checks.Tags.compatibility)
        checks.register(useauth_checks.check_session_engine, checks.Tags.security)
        checks.register(useauth_checks.check_templates, checks.Tags.templates)
        checks.register(useauth_checks.check_settings, checks.Tags.compatibility)
        checks.register(useauth_checks.check_providers, checks.Tags.compatibility)
        checks.register(useauth_checks.check_deploy, checks.Tags.security, deploy=True)
