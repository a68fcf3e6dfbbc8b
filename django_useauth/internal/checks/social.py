"""The OAuth providers: the social-core backends in ``AUTHENTICATION_BACKENDS`` (E007–E009),
and that some provider signs anyone in (E021).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Error
from social_core.backends.oauth import BaseOAuth1
from social_core.backends.oauth import BaseOAuth2
from social_core.backends.open_id_connect import OpenIdConnectAuth
from social_core.utils import setting_name

from django_useauth.conf import conf
from django_useauth.internal.providers import CREDENTIALS_ID
from django_useauth.internal.providers import PROVIDER_ID_RE
from django_useauth.internal.providers import SocialBackend
from django_useauth.internal.providers import social_backends


def _social_setting(backend_name: str, name: str) -> object:
    # social-core looks a setting up as SOCIAL_AUTH_<BACKEND>_<NAME>, then
    # SOCIAL_AUTH_<NAME>, then <NAME>.
    for candidate in (setting_name(backend_name, name), setting_name(name), name):
        value = getattr(settings, candidate, None)
        if value:
            return value
    return None


def _check_provider(name: str, backend: SocialBackend) -> list[CheckMessage]:
    # E008, E009: the backend's name is a provider id, and an OAuth one has its keys.
    path = f"{backend.__module__}.{backend.__qualname__}"
    if name == CREDENTIALS_ID or not PROVIDER_ID_RE.fullmatch(name):
        return [
            Error(
                f"The social-core backend {path!r} should have a name usable as a provider "
                f"id (lower-case letters, digits, '-' and '_', not 'credentials'); got {name!r}.",
                hint="Subclass it and set `name` to a provider id such as 'github'.",
                id="useauth.E008",
            )
        ]
    if not issubclass(backend, (BaseOAuth1, BaseOAuth2)):
        return []
    required = ["KEY", "SECRET"]
    if issubclass(backend, OpenIdConnectAuth) and not backend.OIDC_ENDPOINT:
        required.append("OIDC_ENDPOINT")
    missing = [
        setting_name(name, setting)
        for setting in required
        if not _social_setting(name, setting)
    ]
    if not missing:
        return []
    return [
        Error(
            f"The provider {name!r} ({path}) should have {', '.join(missing)} set.",
            hint="Set them in settings, e.g. from AUTH_<PROVIDER>_ID and "
            "AUTH_<PROVIDER>_SECRET with django_useauth.env.oauth_settings().",
            id="useauth.E009",
        )
    ]


def check_providers(**kwargs: Any) -> list[CheckMessage]:
    """E007–E009, E021: the OAuth providers can work, and someone can sign in at all."""
    errors: list[CheckMessage] = []
    backends = social_backends()
    if backends and not apps.is_installed("social_django"):
        errors.append(
            Error(
                "INSTALLED_APPS should contain 'social_django': AUTHENTICATION_BACKENDS "
                "has social-core backends, which store accounts in its models.",
                hint="Add 'social_django' to INSTALLED_APPS and run migrate.",
                id="useauth.E007",
            )
        )
    for name, backend in backends.items():
        errors += _check_provider(name, backend)
    if conf.CREDENTIALS_ENABLED is False and not backends:
        errors.append(
            Error(
                "USEAUTH_CREDENTIALS_ENABLED is False and AUTHENTICATION_BACKENDS has no "
                "social-core backend: there is no way to sign in.",
                hint="Enable the credentials provider or add an OAuth backend.",
                id="useauth.E021",
            )
        )
    return errors
