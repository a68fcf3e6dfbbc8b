"""Where sessions are kept: ``SESSION_ENGINE`` (E006, W003, W005), ``USEAUTH_SESSION_CACHE``
and ``USEAUTH_SESSION_CACHE_TIMEOUT`` (E032, W004, E033), and how long the store keeps a
browser-session cookie's session (``SESSION_COOKIE_AGE``: W013).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Warning

from django_useauth.conf import conf
from django_useauth.internal.checks.values import LOCAL_CACHES
from django_useauth.internal.checks.values import LOCMEM_CACHE
from django_useauth.internal.checks.values import cache_backend
from django_useauth.internal.checks.values import invalid
from django_useauth.internal.checks.values import positive_duration_errors

# Django's engines whose writes can bring back a session that a concurrent
# sign-out deleted, and our drop-in replacements.
_RACY_ENGINES = {
    "django.contrib.sessions.backends.cache": "django_useauth.sessions.cache",
    "django.contrib.sessions.backends.cached_db": "django_useauth.sessions.cached_db",
}
_CACHE_ENGINES = {
    "django.contrib.sessions.backends.cache",
    "django_useauth.sessions.cache",
}


def _check_session_engine_cache(engine: str) -> list[CheckMessage]:
    # W003: a cache engine on a local-memory cache.
    alias = settings.SESSION_CACHE_ALIAS
    if engine not in _CACHE_ENGINES or cache_backend(alias) != LOCMEM_CACHE:
        return []
    return [
        Warning(
            f"SESSION_ENGINE {engine!r} should not use the local-memory cache "
            f"{alias!r}: each process has its own sessions, and a restart signs "
            "everyone out.",
            hint="Point SESSION_CACHE_ALIAS at a Redis (or Memcached) cache, or use "
            "the 'django_useauth.sessions.cached_db' engine.",
            id="useauth.W003",
        )
    ]


def check_session_engine(**kwargs: Any) -> list[CheckMessage]:
    """E006: the session engine must keep sessions on the server, so sign-out can end them.

    W003: cache sessions in a local-memory cache are neither shared between
    processes nor kept across restarts. W005: Django's ``cache`` and
    ``cached_db`` engines can write a session back after a concurrent
    sign-out deleted it; ``django_useauth.sessions`` has drop-in replacements.
    """
    engine = settings.SESSION_ENGINE
    if engine == "django.contrib.sessions.backends.signed_cookies":
        return [
            Error(
                "SESSION_ENGINE should not be 'django.contrib.sessions.backends.signed_cookies': "
                "a copied cookie would stay valid after sign-out.",
                hint="Use 'django.contrib.sessions.backends.db', "
                "'django_useauth.sessions.cache' or 'django_useauth.sessions.cached_db'.",
                id="useauth.E006",
            )
        ]
    messages = _check_session_engine_cache(engine)
    if engine in _RACY_ENGINES:
        messages.append(
            Warning(
                f"SESSION_ENGINE should not be {engine!r}: a request that saves the session "
                "while a sign-out deletes it can write it back, and the signed-out cookie "
                "works again.",
                hint=f"Use the drop-in replacement {_RACY_ENGINES[engine]!r}.",
                id="useauth.W005",
            )
        )
    return messages


def check_session_cache(**kwargs: Any) -> list[CheckMessage]:
    """E032, W004, E033: the cache of session payloads is a shared cache of CACHES."""
    errors: list[CheckMessage] = []
    alias: object = conf.SESSION_CACHE
    if alias is not None and (
        not isinstance(alias, str) or alias not in settings.CACHES
    ):
        errors.append(
            invalid(
                "USEAUTH_SESSION_CACHE",
                alias,
                "None or the alias of a cache in CACHES",
                "Set USEAUTH_SESSION_CACHE = 'default' (a Redis cache) or None.",
                "useauth.E032",
            )
        )
    elif isinstance(alias, str) and cache_backend(alias) in LOCAL_CACHES:
        errors.append(
            Warning(
                f"USEAUTH_SESSION_CACHE should name a cache shared by every process; "
                f"{alias!r} is local to each one, so a password change or "
                "deactivation seen by one process stays unseen by the others until "
                "USEAUTH_SESSION_CACHE_TIMEOUT.",
                hint="Point USEAUTH_SESSION_CACHE at a Redis or Memcached cache, or set it to None.",
                id="useauth.W004",
            )
        )
    errors += positive_duration_errors(
        "SESSION_CACHE_TIMEOUT", "timedelta(minutes=5)", "useauth.E033"
    )
    return errors


def check_browser_sessions(**kwargs: Any) -> list[CheckMessage]:
    """W013: a browser-session cookie's session must stay in the store for ``USEAUTH_MAX_AGE``.

    With ``SESSION_EXPIRE_AT_BROWSER_CLOSE`` the session keeps its end in the
    session itself (Django's expiry date would make the cookie persistent), and
    Django's stores keep it only ``SESSION_COOKIE_AGE`` after its last write.
    """
    max_age: object = conf.MAX_AGE
    cookie_age: object = settings.SESSION_COOKIE_AGE
    if (
        not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        or not isinstance(max_age, timedelta)
        or not isinstance(cookie_age, int)
        or timedelta(seconds=cookie_age) >= max_age
    ):
        # Valid settings that agree, or invalid ones other checks report.
        return []
    seconds = int(max_age.total_seconds())
    return [
        Warning(
            f"SESSION_COOKIE_AGE should be at least USEAUTH_MAX_AGE ({seconds} seconds) "
            "when SESSION_EXPIRE_AT_BROWSER_CLOSE is True: the session store drops a "
            f"browser-session cookie's session {cookie_age} seconds after its last "
            "write, so a session left unused ends before the 'expires' it was given.",
            hint=f"Set SESSION_COOKIE_AGE = {seconds}, or lower USEAUTH_MAX_AGE to "
            "SESSION_COOKIE_AGE or less.",
            id="useauth.W013",
        )
    ]
