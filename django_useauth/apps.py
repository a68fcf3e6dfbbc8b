from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class UseAuthConfig(AppConfig):
    name = "django_useauth"
    verbose_name = "django-useauth"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.contrib.auth.signals import user_logged_out
        from django.contrib.auth.signals import user_login_failed
        from django.core.signals import setting_changed
        from django.db.models.signals import class_prepared

        from django_useauth import checks as useauth_checks
        from django_useauth import throttle
        from django_useauth import usercache
        from django_useauth.middleware import forget_loaded_session
        from django_useauth.middleware import guard_settings_changed
        from django_useauth.session import stamp_sign_in

        user_logged_in.connect(forget_loaded_session, dispatch_uid="useauth-login")
        # USEAUTH_ABSOLUTE_MAX_AGE counts from the sign-in, whoever called
        # login() (the admin, a project's own view).
        user_logged_in.connect(stamp_sign_in, dispatch_uid="useauth-signed-in-at")
        # A saved or deleted user row (new password, deactivated, renamed)
        # loses its cached session payload, through whichever model class it
        # is saved: the user model, proxies and children of it (also those
        # declared after startup), a concrete parent sharing its primary key.
        usercache.watch_user_models()
        class_prepared.connect(usercache.watch_model, dispatch_uid="useauth-models")
        setting_changed.connect(
            usercache.user_model_changed, dispatch_uid="useauth-user-model"
        )
        setting_changed.connect(
            guard_settings_changed, dispatch_uid="useauth-guard-settings"
        )
        user_logged_out.connect(forget_loaded_session, dispatch_uid="useauth-logout")
        # Every sign-in attempt held on a request (ThrottleBackend, the
        # credentials provider) is settled by its outcome, whoever called
        # authenticate() and login().
        user_login_failed.connect(
            throttle.settle_failed, dispatch_uid="useauth-throttle-failed"
        )
        user_logged_in.connect(
            throttle.settle_signed_in, dispatch_uid="useauth-throttle-signed-in"
        )

        checks.register(useauth_checks.check_middleware, checks.Tags.compatibility)
        checks.register(useauth_checks.check_session_engine, checks.Tags.security)
        checks.register(useauth_checks.check_templates, checks.Tags.templates)
        checks.register(useauth_checks.check_settings, checks.Tags.compatibility)
        checks.register(useauth_checks.check_providers, checks.Tags.compatibility)
        checks.register(useauth_checks.check_throttle, checks.Tags.security)
        checks.register(
            useauth_checks.check_browser_sessions, checks.Tags.compatibility
        )
        checks.register(useauth_checks.check_deploy, checks.Tags.security, deploy=True)
        checks.register(useauth_checks.check_proxy, checks.Tags.security, deploy=True)
