"""Lazy access to the ``USEAUTH_*`` settings.

Every property reads ``django.conf.settings`` on each access, so
``override_settings`` works without any cache to clear. Validation lives in
``django_useauth.checks``; the properties return what the project configured,
and ``Settings.configured()`` returns it exactly as written, for the checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from typing import Final

from django.conf import settings

from django_useauth import defaults

__all__ = ["UNSET", "Settings", "conf"]

#: What ``Settings.configured()`` returns for a setting the project left out.
UNSET: Final = object()


def _seconds(value: Any) -> Any:
    # Durations may be given as a timedelta or as a number of seconds, like
    # SESSION_COOKIE_AGE; the properties always return a timedelta.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return timedelta(seconds=value)
        except (OverflowError, ValueError):
            # inf, nan, or more than a timedelta holds: returned as written,
            # for the checks to report as no duration.
            return value
    return value


class Settings:
    """Typed, uncached view of the ``USEAUTH_*`` settings."""

    @property
    def URL(self) -> str | None:
        """Canonical origin of the site (``https://example.com``), or ``None`` to use the request's host."""
        value: str | None = getattr(settings, "USEAUTH_URL", None)
        return value

    @property
    def DEFAULT_CALLBACK_URL(self) -> str:
        """Where to go after sign-in or sign-out when no acceptable callbackUrl was given."""
        value: str = getattr(settings, "USEAUTH_DEFAULT_CALLBACK_URL", "/")
        return value

    @property
    def ALLOWED_REDIRECT_ORIGINS(self) -> Sequence[str]:
        """Origins besides the site's own that a callbackUrl may point at."""
        value: Sequence[str] = getattr(
            settings,
            "USEAUTH_ALLOWED_REDIRECT_ORIGINS",
            defaults.ALLOWED_REDIRECT_ORIGINS,
        )
        return value

    @property
    def CREDENTIALS_ENABLED(self) -> bool:
        """Whether the credentials provider is offered."""
        value: bool = getattr(settings, "USEAUTH_CREDENTIALS_ENABLED", True)
        return value

    @property
    def CREDENTIALS_NAME(self) -> str:
        """Display name of the credentials provider (``GET providers`` and the sign-in page)."""
        value: str = getattr(
            settings, "USEAUTH_CREDENTIALS_NAME", defaults.CREDENTIALS_NAME
        )
        return value

    @property
    def CREDENTIALS_FIELDS(self) -> Sequence[str]:
        """Posted fields passed to ``authenticate()`` as keyword arguments."""
        value: Sequence[str] = getattr(
            settings, "USEAUTH_CREDENTIALS_FIELDS", defaults.CREDENTIALS_FIELDS
        )
        return value

    @property
    def PAGES_SIGN_IN(self) -> str | None:
        """URL or URL name of a custom sign-in page (NextAuth's ``pages.signIn``)."""
        value: str | None = getattr(settings, "USEAUTH_PAGES_SIGN_IN", None)
        return value

    @property
    def PAGES_SIGN_OUT(self) -> str | None:
        """URL or URL name of a custom sign-out page (NextAuth's ``pages.signOut``)."""
        value: str | None = getattr(settings, "USEAUTH_PAGES_SIGN_OUT", None)
        return value

    @property
    def PAGES_ERROR(self) -> str | None:
        """URL or URL name of a custom error page (NextAuth's ``pages.error``)."""
        value: str | None = getattr(settings, "USEAUTH_PAGES_ERROR", None)
        return value

    @property
    def SITE_NAME(self) -> str | None:
        """The site's name on the built-in pages (title, header, back link), or ``None`` to show none."""
        value: str | None = getattr(settings, "USEAUTH_SITE_NAME", None)
        return value

    @property
    def SITE_LOGO(self) -> str | None:
        """The logo on the built-in pages: a static file path or a URL, or ``None`` for no logo."""
        value: str | None = getattr(settings, "USEAUTH_SITE_LOGO", None)
        return value

    @property
    def SITE_URL(self) -> str | None:
        """URL or URL name the built-in pages link back to (``"/"``), or ``None`` for no link."""
        value: str | None = getattr(settings, "USEAUTH_SITE_URL", defaults.SITE_URL)
        return value

    @property
    def FAVICON(self) -> str | None:
        """The built-in pages' icon: a static file path or a URL; ``None``: the icon shipped with the app."""
        value: str | None = getattr(settings, "USEAUTH_FAVICON", None)
        return value

    @property
    def SESSION_CALLBACK(self) -> str | None:
        """Dotted path of a function that shapes the session object (NextAuth's ``callbacks.session``)."""
        value: str | None = getattr(settings, "USEAUTH_SESSION_CALLBACK", None)
        return value

    @property
    def SIGN_IN_CALLBACK(self) -> str | None:
        """Dotted path of a function that allows or refuses a sign-in (NextAuth's ``callbacks.signIn``)."""
        value: str | None = getattr(settings, "USEAUTH_SIGN_IN_CALLBACK", None)
        return value

    @property
    def REDIRECT_CALLBACK(self) -> str | None:
        """Dotted path of a function that replaces the redirect policy (NextAuth's ``callbacks.redirect``)."""
        value: str | None = getattr(settings, "USEAUTH_REDIRECT_CALLBACK", None)
        return value

    @property
    def THROTTLE_ENABLED(self) -> bool:
        """Whether failed credentials sign-ins are limited."""
        value: bool = getattr(settings, "USEAUTH_THROTTLE_ENABLED", True)
        return value

    @property
    def THROTTLE_ACCOUNT_FAILURES(self) -> int:
        """Failed sign-ins per account and window before the account is throttled."""
        value: int = getattr(settings, "USEAUTH_THROTTLE_ACCOUNT_FAILURES", 10)
        return value

    @property
    def THROTTLE_IP_FAILURES(self) -> int:
        """Failed sign-ins per client IP and window before the IP is throttled."""
        value: int = getattr(settings, "USEAUTH_THROTTLE_IP_FAILURES", 50)
        return value

    @property
    def THROTTLE_WINDOW(self) -> timedelta:
        """The fixed window the failures are counted in."""
        value: timedelta = _seconds(
            getattr(settings, "USEAUTH_THROTTLE_WINDOW", defaults.THROTTLE_WINDOW)
        )
        return value

    @property
    def THROTTLE_CACHE(self) -> str:
        """The cache alias holding the counts (shared by every app server)."""
        value: str = getattr(settings, "USEAUTH_THROTTLE_CACHE", "default")
        return value

    @property
    def THROTTLE_FAIL_OPEN(self) -> bool:
        """Whether sign-ins go on unlimited while the limits' cache cannot be reached (default: refused with a 503)."""
        value: bool = getattr(settings, "USEAUTH_THROTTLE_FAIL_OPEN", False)
        return value

    @property
    def THROTTLE_ACCOUNT_FIELDS(self) -> Sequence[str] | None:
        """Credentials that name the account for its limit; ``None``: the user model's username and email fields."""
        value: Sequence[str] | None = getattr(
            settings, "USEAUTH_THROTTLE_ACCOUNT_FIELDS", None
        )
        return value

    @property
    def THROTTLE_IPV6_PREFIX(self) -> int:
        """How many leading bits of an IPv6 address one client address count covers (64: a customer's network)."""
        value: int = getattr(settings, "USEAUTH_THROTTLE_IPV6_PREFIX", 64)
        return value

    @property
    def TRUSTED_PROXY_COUNT(self) -> int:
        """How many proxies in front of the site append to ``X-Forwarded-For`` (0: ignore the header)."""
        value: int = getattr(settings, "USEAUTH_TRUSTED_PROXY_COUNT", 0)
        return value

    @property
    def OPENAPI(self) -> bool:
        """Whether ``GET /api/auth/openapi.json`` serves the OpenAPI description (default: ``DEBUG``)."""
        value: bool = getattr(settings, "USEAUTH_OPENAPI", settings.DEBUG)
        return value

    @property
    def SESSION_CACHE(self) -> str | None:
        """Alias of a shared cache holding each user's session payload, or ``None`` (off)."""
        value: str | None = getattr(settings, "USEAUTH_SESSION_CACHE", None)
        return value

    @property
    def SESSION_CACHE_TIMEOUT(self) -> timedelta:
        """How long a cached session payload lives at most."""
        value: timedelta = _seconds(
            getattr(
                settings,
                "USEAUTH_SESSION_CACHE_TIMEOUT",
                defaults.SESSION_CACHE_TIMEOUT,
            )
        )
        return value

    @property
    def MAX_AGE(self) -> timedelta:
        """Lifetime of a signed-in session (NextAuth's ``session.maxAge``)."""
        value: timedelta = _seconds(
            getattr(settings, "USEAUTH_MAX_AGE", defaults.MAX_AGE)
        )
        return value

    @property
    def ABSOLUTE_MAX_AGE(self) -> timedelta | None:
        """The longest a session may last from sign-in, extensions included; ``None``: no cap."""
        value: timedelta | None = _seconds(
            getattr(settings, "USEAUTH_ABSOLUTE_MAX_AGE", None)
        )
        return value

    @property
    def UPDATE_AGE(self) -> timedelta:
        """How often reading a session may extend it (NextAuth's ``session.updateAge``)."""
        value: timedelta = _seconds(
            getattr(settings, "USEAUTH_UPDATE_AGE", defaults.UPDATE_AGE)
        )
        return value

    @property
    def TOKEN_ACCESS_LIFETIME(self) -> timedelta:
        """How long an access token (a signed JWT) is accepted after it was issued."""
        value: timedelta = _seconds(
            getattr(
                settings,
                "USEAUTH_TOKEN_ACCESS_LIFETIME",
                defaults.TOKEN_ACCESS_LIFETIME,
            )
        )
        return value

    @property
    def TOKEN_REFRESH_LIFETIME(self) -> timedelta:
        """How long a refresh token may be used after it was issued (each rotation issues a new one)."""
        value: timedelta = _seconds(
            getattr(
                settings,
                "USEAUTH_TOKEN_REFRESH_LIFETIME",
                defaults.TOKEN_REFRESH_LIFETIME,
            )
        )
        return value

    @property
    def TOKEN_ABSOLUTE_MAX_AGE(self) -> timedelta | None:
        """The longest a token sign-in (a token family) may be refreshed for; ``None``: no cap."""
        value: timedelta | None = _seconds(
            getattr(settings, "USEAUTH_TOKEN_ABSOLUTE_MAX_AGE", None)
        )
        return value

    @property
    def TOKEN_ROTATE_REFRESH(self) -> bool:
        """Whether ``POST refresh`` replaces the refresh token it was given (and treats its reuse as theft)."""
        value: bool = getattr(settings, "USEAUTH_TOKEN_ROTATE_REFRESH", True)
        return value

    @property
    def TOKEN_REUSE_INTERVAL(self) -> timedelta:
        """How long after its rotation a refresh token may be used again without revoking its family (0: never)."""
        value: timedelta = _seconds(
            getattr(settings, "USEAUTH_TOKEN_REUSE_INTERVAL", timedelta(0))
        )
        return value

    @property
    def TOKEN_SIGNING_KEYS(self) -> Sequence[dict[str, Any]] | None:
        """The access tokens' keys, the first signing; ``None``: HS256 keys derived from ``SECRET_KEY`` and its fallbacks."""
        value: Sequence[dict[str, Any]] | None = getattr(
            settings, "USEAUTH_TOKEN_SIGNING_KEYS", None
        )
        return value

    @property
    def TOKEN_ISSUER(self) -> str:
        """The access tokens' ``iss``: default ``USEAUTH_URL``, else ``"django-useauth"``."""
        value: str = getattr(
            settings, "USEAUTH_TOKEN_ISSUER", self.URL or defaults.TOKEN_ISSUER
        )
        return value

    @property
    def TOKEN_AUDIENCE(self) -> str:
        """The access tokens' ``aud``, which every verification requires: default the issuer."""
        value: str = getattr(settings, "USEAUTH_TOKEN_AUDIENCE", self.TOKEN_ISSUER)
        return value

    @property
    def TOKEN_REVOCATION_CACHE(self) -> str:
        """Alias of the shared cache that tells every server about revoked token families."""
        value: str = getattr(settings, "USEAUTH_TOKEN_REVOCATION_CACHE", "default")
        return value

    @property
    def TOKEN_REGISTER(self) -> bool:
        """Whether ``POST register`` (nuxt-auth's ``signUp``) creates accounts."""
        value: bool = getattr(settings, "USEAUTH_TOKEN_REGISTER", False)
        return value

    @property
    def TOKEN_REGISTER_FORM(self) -> str:
        """Dotted path of the form ``POST register`` validates and saves."""
        value: str = getattr(
            settings, "USEAUTH_TOKEN_REGISTER_FORM", defaults.TOKEN_REGISTER_FORM
        )
        return value

    @property
    def EMAIL_ENABLED(self) -> bool:
        """Whether the email provider (sign-in links and one-time codes sent by e-mail) is offered."""
        value: bool = getattr(settings, "USEAUTH_EMAIL_ENABLED", False)
        return value

    @property
    def EMAIL_NAME(self) -> str:
        """Display name of the email provider (``GET providers`` and the sign-in page)."""
        value: str = getattr(settings, "USEAUTH_EMAIL_NAME", defaults.EMAIL_NAME)
        return value

    @property
    def EMAIL_FROM(self) -> str | None:
        """The sign-in e-mails' sender; ``None``: ``DEFAULT_FROM_EMAIL``."""
        value: str | None = getattr(settings, "USEAUTH_EMAIL_FROM", None)
        return value

    @property
    def EMAIL_TOKEN_LIFETIME(self) -> timedelta:
        """How long a sign-in link and its code are good for after they were sent (seconds or a timedelta)."""
        value: timedelta = _seconds(
            getattr(
                settings, "USEAUTH_EMAIL_TOKEN_LIFETIME", defaults.EMAIL_TOKEN_LIFETIME
            )
        )
        return value

    @property
    def EMAIL_CODE_ATTEMPTS(self) -> int:
        """How many times a one-time code may be tried before it stops working."""
        value: int = getattr(settings, "USEAUTH_EMAIL_CODE_ATTEMPTS", 5)
        return value

    @property
    def EMAIL_CREATE_USERS(self) -> bool:
        """Whether following a link sent to an address with no account creates one."""
        value: bool = getattr(settings, "USEAUTH_EMAIL_CREATE_USERS", False)
        return value

    @property
    def EMAIL_CREATE_USER_CALLBACK(self) -> str:
        """Dotted path of the function that creates the account of a new address, or refuses to."""
        value: str = getattr(
            settings,
            "USEAUTH_EMAIL_CREATE_USER_CALLBACK",
            defaults.EMAIL_CREATE_USER_CALLBACK,
        )
        return value

    @property
    def EMAIL_NOTIFY_UNKNOWN(self) -> bool:
        """Whether an address with no account (and no account creation) gets an e-mail saying so."""
        value: bool = getattr(settings, "USEAUTH_EMAIL_NOTIFY_UNKNOWN", False)
        return value

    @property
    def THROTTLE_EMAIL_ADDRESS_SENDS(self) -> int:
        """Sign-in e-mails one address may be sent per ``USEAUTH_THROTTLE_WINDOW``."""
        value: int = getattr(settings, "USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS", 5)
        return value

    @property
    def THROTTLE_EMAIL_IP_SENDS(self) -> int:
        """Sign-in e-mails one client address may ask for per ``USEAUTH_THROTTLE_WINDOW``."""
        value: int = getattr(settings, "USEAUTH_THROTTLE_EMAIL_IP_SENDS", 20)
        return value

    @property
    def PAGES_VERIFY_REQUEST(self) -> str | None:
        """URL or URL name of a custom "check your e-mail" page (NextAuth's ``pages.verifyRequest``)."""
        value: str | None = getattr(settings, "USEAUTH_PAGES_VERIFY_REQUEST", None)
        return value

    def configured(self, name: str) -> object:
        """``USEAUTH_<name>`` as the project wrote it, or ``UNSET`` if it is not set.

        The properties turn seconds into a timedelta and fall back to the
        default; the system checks validate what was written. A method, not a
        property: it is not a setting.
        """
        if not isinstance(getattr(Settings, name, None), property):
            raise ValueError(f"{name!r} is not a USEAUTH_ setting of conf.")
        return getattr(settings, f"USEAUTH_{name}", UNSET)


conf = Settings()
