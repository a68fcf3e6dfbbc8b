"""OAuth providers from the environment, in the style of Auth.js (``AUTH_GITHUB_ID``…).

For use in a project's ``settings.py`` with django-environ; nothing here reads
the environment by itself::

    import environ
    from django_useauth.env import oauth_settings

    env = environ.Env()
    oauth = oauth_settings(env, {
        "GITHUB": "social_core.backends.github.GithubOAuth2",
        "GOOGLE": "social_core.backends.google.GoogleOAuth2",
    })
    AUTHENTICATION_BACKENDS = [
        "django_useauth.backends.ThrottleBackend",
        *oauth.backends,
        "django.contrib.auth.backends.ModelBackend",
    ]
    globals().update(oauth.settings)

For each ``<PREFIX>`` the variables are ``AUTH_<PREFIX>_ID`` and
``AUTH_<PREFIX>_SECRET`` (both required to enable the provider), and, optional,
``AUTH_<PREFIX>_ISSUER`` (an OpenID Connect issuer: social-auth's
``OIDC_ENDPOINT``) and ``AUTH_<PREFIX>_SCOPE`` (extra scopes, comma-separated).
They fill social-auth's ``SOCIAL_AUTH_<BACKEND NAME>_KEY``, ``_SECRET``,
``_OIDC_ENDPOINT`` and ``_SCOPE``.

The settings also hold ``USEAUTH_OAUTH_ENV``, a record of what was found for
each provider: its backend and the variables that were missing. It is what the
system checks read to name the variable a half set-up provider lacks
(``useauth.W020``) or a backend left out of ``AUTHENTICATION_BACKENDS``
(``useauth.W021``): a provider left out is otherwise simply absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from social_core.backends.base import BaseAuth
from social_core.utils import setting_name

if TYPE_CHECKING:
    # django-environ, a dependency of the package for this module alone.
    from environ import Env

__all__ = ["OAuthSettings", "oauth_settings"]

#: The setting that records, per prefix, ``{"backend": <dotted path>,
#: "missing": [<variable>, …]}``; read by ``internal.checks.social``.
RECORD = "USEAUTH_OAUTH_ENV"


@dataclass(frozen=True)
class OAuthSettings:
    """What :func:`oauth_settings` found: backends to enable and settings to define."""

    backends: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


def _read(env: Env, name: str) -> str | None:
    try:
        value = env.str(name)
    except ImproperlyConfigured:
        return None
    return value.strip() or None


def oauth_settings(env: Env, providers: Mapping[str, str]) -> OAuthSettings:
    """Return the backends and social-auth settings for the providers configured in ``env`` (an ``environ.Env``).

    ``providers`` maps a variable prefix (``"GITHUB"``) to the dotted path of a
    social-core backend. A provider whose ``AUTH_<PREFIX>_ID`` or
    ``AUTH_<PREFIX>_SECRET`` is unset or empty is left out. ``settings`` also
    holds ``USEAUTH_OAUTH_ENV``, which records every provider's backend and
    missing variables for the system checks. Raise ``ImproperlyConfigured``
    for a path that is not a social-core backend.
    """
    result = OAuthSettings()
    record: dict[str, dict[str, Any]] = {}
    result.settings[RECORD] = record
    for prefix, path in providers.items():
        backend = import_string(path)
        if not (isinstance(backend, type) and issubclass(backend, BaseAuth)):
            raise ImproperlyConfigured(
                f"{path!r} (for AUTH_{prefix}_ID) is not a social-core backend; "
                "use a class from social_core.backends or a subclass of one."
            )
        key = _read(env, f"AUTH_{prefix}_ID")
        secret = _read(env, f"AUTH_{prefix}_SECRET")
        missing = [
            f"AUTH_{prefix}_{name}"
            for name, value in (("ID", key), ("SECRET", secret))
            if value is None
        ]
        record[prefix] = {"backend": path, "missing": missing}
        if key is None or secret is None:
            continue
        result.backends.append(path)
        result.settings[setting_name(backend.name, "KEY")] = key
        result.settings[setting_name(backend.name, "SECRET")] = secret
        issuer = _read(env, f"AUTH_{prefix}_ISSUER")
        if issuer is not None:
            result.settings[setting_name(backend.name, "OIDC_ENDPOINT")] = (
                issuer.rstrip("/")
            )
        scope = _read(env, f"AUTH_{prefix}_SCOPE")
        if scope is not None:
            result.settings[setting_name(backend.name, "SCOPE")] = [
                item.strip() for item in scope.split(",") if item.strip()
            ]
    return result
