"""The OAuth providers: the social-core backends in ``AUTHENTICATION_BACKENDS`` (E007–E009),
the providers ``django_useauth.env.oauth_settings()`` left out (W020, W021), and
that some provider signs anyone in (E021).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Warning
from django.utils.module_loading import import_string
from social_core.backends.oauth import BaseOAuth1
from social_core.backends.oauth import BaseOAuth2
from social_core.backends.open_id_connect import OpenIdConnectAuth
from social_core.utils import setting_name

from django_useauth.conf import conf
from django_useauth.env import RECORD
from django_useauth.internal.providers import CREDENTIALS_ID
from django_useauth.internal.providers import EMAIL_ID
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


# What oauth_settings() fills each social-auth setting from: AUTH_<PREFIX>_<variable>.
_ENV_VARIABLES = {"KEY": "ID", "SECRET": "SECRET", "OIDC_ENDPOINT": "ISSUER"}


def _env_providers() -> list[tuple[str, str, SocialBackend, list[str]]]:
    # What django_useauth.env.oauth_settings() found (prefix, backend path and
    # class, missing variables), when the settings took its `settings` in.
    # Read here, not through `conf`: USEAUTH_OAUTH_ENV is a record that
    # oauth_settings() writes, not a setting a project chooses, and `conf`
    # has one property per documented setting (docs/configuration.md).
    record: dict[str, dict[str, Any]] = getattr(settings, RECORD, None) or {}
    return [
        (prefix, entry["backend"], import_string(entry["backend"]), entry["missing"])
        for prefix, entry in record.items()
    ]


def _missing_hint(name: str, missing: list[str]) -> str:
    # E009's fix; for a provider from oauth_settings(), its variables.
    for prefix, _, backend, _ in _env_providers():
        if backend.name == name:
            *others, last = [
                f"AUTH_{prefix}_{_ENV_VARIABLES[setting]}" for setting in missing
            ]
            variables = f"{', '.join(others)} and {last}" if others else last
            return (
                f"Set {variables} in the environment, which "
                "django_useauth.env.oauth_settings() reads."
            )
    return (
        "Set them in settings, e.g. from AUTH_<PROVIDER>_ID and "
        "AUTH_<PROVIDER>_SECRET with django_useauth.env.oauth_settings()."
    )


def _check_provider(name: str, backend: SocialBackend) -> list[CheckMessage]:
    # E008, E009: the backend's name is a provider id, and an OAuth one has its keys.
    path = f"{backend.__module__}.{backend.__qualname__}"
    if name in (CREDENTIALS_ID, EMAIL_ID) or not PROVIDER_ID_RE.fullmatch(name):
        return [
            Error(
                f"The social-core backend {path!r} should have a name usable as a provider "
                f"id (lower-case letters, digits, '-' and '_', not 'credentials' or 'email'); got {name!r}.",
                hint="Subclass it and set `name` to a provider id such as 'github'.",
                id="useauth.E008",
            )
        ]
    if not issubclass(backend, (BaseOAuth1, BaseOAuth2)):
        return []
    required = ["KEY", "SECRET"]
    if issubclass(backend, OpenIdConnectAuth) and not backend.OIDC_ENDPOINT:
        required.append("OIDC_ENDPOINT")
    missing = [setting for setting in required if not _social_setting(name, setting)]
    if not missing:
        return []
    settings_missing = ", ".join(setting_name(name, setting) for setting in missing)
    return [
        Error(
            f"The provider {name!r} ({path}) should have {settings_missing} set.",
            hint=_missing_hint(name, missing),
            id="useauth.E009",
        )
    ]


def _check_env_providers(backends: dict[str, SocialBackend]) -> list[CheckMessage]:
    # W020, W021: a provider oauth_settings() was given an ID for is on.
    messages: list[CheckMessage] = []
    for prefix, path, backend, missing in _env_providers():
        name = backend.name
        secret = f"AUTH_{prefix}_SECRET"
        # The ID is the switch: `AUTH_<PREFIX>_ID=` (empty) turns a provider
        # off whatever its secret, so a provider without one is not reported.
        if missing == [secret]:
            messages.append(
                Warning(
                    f"AUTH_{prefix}_ID is set but {secret} is unset or empty, so "
                    f"django_useauth.env.oauth_settings() left {path!r} out: there "
                    f"is no {name!r} provider ({setting_name(name, 'SECRET')} is "
                    "not set).",
                    hint=f"Set {secret} to the OAuth app's client secret, or unset "
                    f"AUTH_{prefix}_ID to switch the provider off.",
                    id="useauth.W020",
                )
            )
        elif not missing and name not in backends:
            messages.append(
                Warning(
                    f"django_useauth.env.oauth_settings() set {name!r} up from "
                    f"AUTH_{prefix}_ID and {secret}, but {path!r} is not in "
                    f"AUTHENTICATION_BACKENDS: there is no {name!r} provider.",
                    hint="Add the backends it enabled: AUTHENTICATION_BACKENDS = "
                    "['django_useauth.backends.ThrottleBackend', *oauth.backends, "
                    "'django.contrib.auth.backends.ModelBackend'].",
                    id="useauth.W021",
                )
            )
    return messages


def check_providers(**kwargs: Any) -> list[CheckMessage]:
    """E007–E009, W020, W021, E021: the OAuth providers can work, and someone can sign in at all."""
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
    errors += _check_env_providers(backends)
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
