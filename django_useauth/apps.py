from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class UseAuthConfig(AppConfig):
    name = "django_useauth"
    verbose_name = "django-useauth"

    def ready(self) -> None:
        _connect_receivers()
        _register_checks()


def _connect_receivers() -> None:
    from django.contrib.auth.signals import user_logged_in
    from django.contrib.auth.signals import user_logged_out
    from django.contrib.auth.signals import user_login_failed
    from django.core.signals import setting_changed
    from django.db.models.signals import class_prepared

    from django_useauth.internal import throttle
    from django_useauth.internal import usercache
    from django_useauth.internal.lifetime import stamp_sign_in
    from django_useauth.internal.user_guard import guard_settings_changed
    from django_useauth.middleware import _forget_loaded_session

    # request.auth loads the session once per request: it reloads after any
    # login() or logout(), ours or another's.
    user_logged_in.connect(_forget_loaded_session, dispatch_uid="useauth-login")
    user_logged_out.connect(_forget_loaded_session, dispatch_uid="useauth-logout")
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
    # Every sign-in attempt held on a request (ThrottleBackend, the
    # credentials provider) is settled by its outcome, whoever called
    # authenticate() and login().
    user_login_failed.connect(
        throttle.settle_failed, dispatch_uid="useauth-throttle-failed"
    )
    user_logged_in.connect(
        throttle.settle_signed_in, dispatch_uid="useauth-throttle-signed-in"
    )


def _register_checks() -> None:
    from django_useauth import checks as useauth_checks

    compatibility = checks.Tags.compatibility
    security = checks.Tags.security
    for check in (
        useauth_checks.check_middleware,
        useauth_checks.check_urls,
        useauth_checks.check_credentials,
        useauth_checks.check_backends,
        useauth_checks.check_pages,
        useauth_checks.check_site,
        useauth_checks.check_callbacks,
        useauth_checks.check_lifetimes,
        useauth_checks.check_session_cache,
        useauth_checks.check_throttle_settings,
        useauth_checks.check_openapi,
        useauth_checks.check_providers,
        useauth_checks.check_browser_sessions,
        useauth_checks.check_tokens,
        useauth_checks.check_email,
        useauth_checks.check_outage_settings,
    ):
        checks.register(check, compatibility)
    checks.register(useauth_checks.check_templates, checks.Tags.templates)
    checks.register(useauth_checks.check_endpoints, checks.Tags.urls)
    checks.register(useauth_checks.check_session_engine, security)
    checks.register(useauth_checks.check_throttle, security)
    checks.register(useauth_checks.check_deploy, security, deploy=True)
    checks.register(useauth_checks.check_proxy, security, deploy=True)
    checks.register(useauth_checks.check_outages, security, deploy=True)
