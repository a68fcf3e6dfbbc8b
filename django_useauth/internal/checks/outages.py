"""When Redis, Memcached or the database cannot be reached: ``USEAUTH_THROTTLE_FAIL_OPEN`` (E100) and W100–W103 (``--deploy``).

django-useauth answers an unreachable store with a ``503`` (docs/failures.md).
These checks find the settings that undo it: a cache that swallows its errors
and so reads as empty (W100), a Redis without short timeouts that holds every
worker while it stalls (W101), sign-in limits that open while their cache is
down (W102), and Django's ``SessionMiddleware``, whose failed save is a ``500``
(W103).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Warning
from django.utils.module_loading import import_string

from django_useauth.conf import conf
from django_useauth.internal.checks.installation import _middleware_index
from django_useauth.internal.checks.tokens import _token_mode_used
from django_useauth.internal.checks.values import invalid

_REDIS = "django.core.cache.backends.redis.RedisCache"
_DJANGO_REDIS = "django_redis.cache.RedisCache"
_PYMEMCACHE = "django.core.cache.backends.memcached.PyMemcacheCache"

_DJANGO_SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
_SESSION_MIDDLEWARE = "django_useauth.sessions.middleware.SessionMiddleware"
# The session engines that keep sessions in SESSION_CACHE_ALIAS (Django's,
# and so ours and any other that subclasses them).
_CACHE_STORE = "django.contrib.sessions.backends.cache.SessionStore"
_CACHED_DB_STORE = "django.contrib.sessions.backends.cached_db.SessionStore"
# Ours, which raise StoreUnavailable while their store is down.
_OUR_STORES = (
    "django_useauth.sessions.cache.SessionStore",
    "django_useauth.sessions.cached_db.SessionStore",
    "django_useauth.sessions.db.SessionStore",
)

#: The longest socket timeout, in seconds, that W101 lets pass: a request to
#: a Redis that stalls waits that long (each retry as long) before its 503.
_MAX_TIMEOUT = 2
#: redis-py's keyword arguments, and django-redis's OPTIONS for them.
_TIMEOUTS = {
    "socket_connect_timeout": "SOCKET_CONNECT_TIMEOUT",
    "socket_timeout": "SOCKET_TIMEOUT",
}

# What a cache that swallows its errors (reads as empty, writes nothing)
# does to each use, while it cannot be reached.
_LOST_CACHE_SESSIONS = (
    "every session reads as missing, so its user is signed out and the cookie deleted"
)
_LOST_CACHED_DB_SESSIONS = (
    "a sign-out or session change misses the cache, whose old copy is read again "
    "once it is back (a signed-out cookie works again)"
)
_LOST_THROTTLE = "no failed sign-in is counted, so the sign-in limits are off"
_LOST_USER_COPIES = (
    "a password change or deactivation can leave the user's cached copy, which "
    "keeps their sessions valid once the cache is back"
)
_LOST_REVOCATIONS = (
    "a revoked token reads as not revoked, so its access tokens are accepted"
)


def check_outage_settings(**kwargs: Any) -> list[CheckMessage]:
    """E100: ``USEAUTH_THROTTLE_FAIL_OPEN`` is a bool."""
    fail_open: object = conf.THROTTLE_FAIL_OPEN
    if isinstance(fail_open, bool):
        return []
    return [
        invalid(
            "USEAUTH_THROTTLE_FAIL_OPEN",
            fail_open,
            "True or False",
            "Set USEAUTH_THROTTLE_FAIL_OPEN = False (sign-ins are refused with a 503 "
            "while the limits' cache is down) or True.",
            "useauth.E100",
        )
    ]


def _is_backend(backend: str, target: str) -> bool:
    # `backend` is `target` or a subclass of it. The path alone suffices, so
    # that django-redis's settings are read without django-redis installed.
    if backend == target:
        return True
    try:
        found, wanted = import_string(backend), import_string(target)
    except ImportError:
        return False
    return isinstance(found, type) and issubclass(found, wanted)


def _engine_is(*stores: str) -> bool:
    # Whether SESSION_ENGINE's SessionStore is one of `stores` or a subclass.
    try:
        store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
        return issubclass(store, tuple(import_string(path) for path in stores))
    except (ImportError, TypeError):
        # An engine that does not load is Django's to report.
        return False


def _uses() -> Iterator[tuple[object, str, str]]:
    # (alias, the setting that names it, what swallowed errors lose) for each
    # cache that django-useauth reads and whose errors must reach it.
    if _engine_is(_CACHED_DB_STORE):
        yield (
            settings.SESSION_CACHE_ALIAS,
            "SESSION_CACHE_ALIAS",
            _LOST_CACHED_DB_SESSIONS,
        )
    elif _engine_is(_CACHE_STORE):
        yield settings.SESSION_CACHE_ALIAS, "SESSION_CACHE_ALIAS", _LOST_CACHE_SESSIONS
    if conf.THROTTLE_ENABLED is True:
        yield conf.THROTTLE_CACHE, "USEAUTH_THROTTLE_CACHE", _LOST_THROTTLE
    yield conf.SESSION_CACHE, "USEAUTH_SESSION_CACHE", _LOST_USER_COPIES
    if _token_mode_used():
        yield (
            conf.TOKEN_REVOCATION_CACHE,
            "USEAUTH_TOKEN_REVOCATION_CACHE",
            _LOST_REVOCATIONS,
        )


def _caches_used() -> dict[str, list[tuple[str, str]]]:
    # Each alias of CACHES that is used, with its (setting, loss) pairs. An
    # alias missing from CACHES is reported by E029, E032, E067 or Django.
    used: dict[str, list[tuple[str, str]]] = {}
    for alias, setting, lost in _uses():
        if isinstance(alias, str) and alias in settings.CACHES:
            used.setdefault(alias, []).append((setting, lost))
    return used


def _swallowed(backend: str, options: dict[str, Any]) -> tuple[str, str] | None:
    # (what makes the cache swallow its errors, the fix), or None.
    if _is_backend(backend, _DJANGO_REDIS):
        if "IGNORE_EXCEPTIONS" in options:
            # Its own OPTIONS win over the global setting, either way.
            if not options["IGNORE_EXCEPTIONS"]:
                return None
            return (
                "its OPTIONS['IGNORE_EXCEPTIONS'] is True",
                "Remove 'IGNORE_EXCEPTIONS' from its OPTIONS",
            )
        if getattr(settings, "DJANGO_REDIS_IGNORE_EXCEPTIONS", False):
            return (
                "DJANGO_REDIS_IGNORE_EXCEPTIONS is True",
                "Remove DJANGO_REDIS_IGNORE_EXCEPTIONS from the settings",
            )
    if _is_backend(backend, _PYMEMCACHE) and options.get("ignore_exc"):
        return (
            "its OPTIONS['ignore_exc'] is True",
            "Remove 'ignore_exc' from its OPTIONS",
        )
    return None


def _check_swallowed(alias: str, uses: list[tuple[str, str]]) -> list[CheckMessage]:
    # W100: an unreachable cache must raise, not read as empty.
    params: dict[str, Any] = settings.CACHES[alias]
    swallowed = _swallowed(params.get("BACKEND", ""), params.get("OPTIONS", {}))
    if swallowed is None:
        return []
    how, fix = swallowed
    names = ", ".join(setting for setting, _ in uses)
    lost = "; ".join(loss for _, loss in uses)
    return [
        Warning(
            f"CACHES[{alias!r}] ({names}) should raise its errors, but {how}: while "
            f"it cannot be reached, {lost}.",
            hint=f"{fix}. django-useauth answers an unreachable cache with a 503 "
            "and Retry-After, and logs it (docs/failures.md).",
            id="useauth.W100",
        )
    ]


def _timeouts(
    backend: str, options: dict[str, Any]
) -> tuple[list[str], list[tuple[str, str, object]]] | None:
    # For a Redis cache: the OPTIONS that set its timeouts, and (where each
    # timeout is set, redis-py's name for it, its value). None for another.
    if _is_backend(backend, _REDIS):
        return list(_TIMEOUTS), [(name, name, options.get(name)) for name in _TIMEOUTS]
    if not _is_backend(backend, _DJANGO_REDIS):
        return None
    # django-redis passes SOCKET_*_TIMEOUT when true; CONNECTION_POOL_KWARGS
    # reach redis-py after them, and win.
    pool: dict[str, object] = options.get("CONNECTION_POOL_KWARGS", {})
    return list(_TIMEOUTS.values()), [
        (f"CONNECTION_POOL_KWARGS[{name!r}]", name, pool[name])
        if name in pool
        else (option, name, options.get(option) or None)
        for name, option in _TIMEOUTS.items()
    ]


def _slow(value: object) -> bool:
    return (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= _MAX_TIMEOUT
    )


def _timeout_problems(
    location: object, timeouts: list[tuple[str, str, object]]
) -> list[str]:
    # What is wrong with each timeout, on every server of LOCATION: redis-py
    # takes a timeout in the query string of a server's URL over OPTIONS.
    servers = (
        location
        if isinstance(location, (list, tuple))
        else re.split("[;,]", str(location or ""))
    )
    problems: list[str] = []
    for server in servers:
        query = parse_qs(urlsplit(str(server)).query)
        for where, name, value in timeouts:
            if name in query:
                where, value = f"{name} in LOCATION", query[name][0]
                with suppress(ValueError):
                    value = float(str(value))
            if value is None:
                problem = f"{where} is not set"
            elif _slow(value):
                problem = f"{where} is {value!r}"
            else:
                continue
            if problem not in problems:
                problems.append(problem)
    return problems


def _check_timeouts(alias: str, uses: list[tuple[str, str]]) -> list[CheckMessage]:
    # W101: a Redis that stalls costs a quick 503, not a hung worker.
    params: dict[str, Any] = settings.CACHES[alias]
    found = _timeouts(params.get("BACKEND", ""), params.get("OPTIONS", {}))
    if found is None:
        return []
    (connect, read), timeouts = found
    problems = _timeout_problems(params.get("LOCATION"), timeouts)
    if not problems:
        return []
    names = ", ".join(setting for setting, _ in uses)
    return [
        Warning(
            f"CACHES[{alias!r}] ({names}) should give Redis a connect and a read "
            f"timeout of at most {_MAX_TIMEOUT} seconds; {' and '.join(problems)} "
            "(unset, redis-py waits 5 seconds and retries since version 8, and "
            "without limit before): a Redis that stalls holds every worker that "
            "waits on it, and the site stops answering.",
            hint=f"Add {{{connect!r}: 0.5, {read!r}: 0.5}} to the OPTIONS of "
            f"CACHES[{alias!r}] (docs/failures.md).",
            id="useauth.W101",
        )
    ]


def _check_fail_open() -> list[CheckMessage]:
    # W102: the sign-in limits hold while their cache is down.
    if conf.THROTTLE_ENABLED is not True or conf.THROTTLE_FAIL_OPEN is not True:
        return []
    return [
        Warning(
            "USEAUTH_THROTTLE_FAIL_OPEN should be False in production: while "
            f"USEAUTH_THROTTLE_CACHE {conf.THROTTLE_CACHE!r} cannot be reached, "
            "sign-ins go on without limits, and an attacker can wait for such an "
            "outage, or cause one, to guess passwords unhindered.",
            hint="Set USEAUTH_THROTTLE_FAIL_OPEN = False (the default): sign-ins "
            "are then refused with a 503 until the cache is back.",
            id="useauth.W102",
        )
    ]


def _check_session_middleware() -> list[CheckMessage]:
    # W103: with our engines, a save that fails because the store is down
    # raises StoreUnavailable, which only our SessionMiddleware answers.
    index = _middleware_index(_DJANGO_SESSION_MIDDLEWARE)
    if index is None or not _engine_is(*_OUR_STORES):
        # No session middleware at all is E003's to report.
        return []
    entry: str = settings.MIDDLEWARE[index]
    if issubclass(import_string(entry), import_string(_SESSION_MIDDLEWARE)):
        return []
    return [
        Warning(
            f"MIDDLEWARE should have {_SESSION_MIDDLEWARE!r} rather than "
            f"{entry!r} with SESSION_ENGINE {settings.SESSION_ENGINE!r}: a session "
            "that cannot be saved because its store is down is then answered with "
            "a 500 (and an error mailed to ADMINS), not a 503 with Retry-After.",
            hint=f"Replace {entry!r} with {_SESSION_MIDDLEWARE!r} in MIDDLEWARE.",
            id="useauth.W103",
        )
    ]


def check_outages(**kwargs: Any) -> list[CheckMessage]:
    """W100–W103 (``--deploy``): a cache or database that cannot be reached is a quick 503, never a signed-out user, open limits or a hung worker."""
    messages: list[CheckMessage] = []
    for alias, uses in _caches_used().items():
        messages += _check_swallowed(alias, uses)
        messages += _check_timeouts(alias, uses)
    return [*messages, *_check_fail_open(), *_check_session_middleware()]
