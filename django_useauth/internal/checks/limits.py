"""The sign-in limits: their settings (E025–E030), and whether they hold (E035–E038, W014, W015).

``USEAUTH_THROTTLE_*`` and ``USEAUTH_TRUSTED_PROXY_COUNT``; ``deploy`` has the
checks that only production settings answer (W011, W016–W018).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Warning

from django_useauth.conf import conf
from django_useauth.internal.checks.values import DUMMY_CACHE
from django_useauth.internal.checks.values import FILE_CACHE
from django_useauth.internal.checks.values import invalid
from django_useauth.internal.checks.values import is_field_name
from django_useauth.internal.checks.values import is_int
from django_useauth.internal.checks.values import is_sequence
from django_useauth.internal.checks.values import positive_duration_errors
from django_useauth.internal.checks.values import throttle_cache_backend

_THROTTLE_BACKEND = "django_useauth.backends.ThrottleBackend"


def _check_throttle_counts() -> list[CheckMessage]:
    # E026, E027, E030: the limits and the number of proxies are whole numbers.
    counts: tuple[tuple[str, object, int, str, str, str], ...] = (
        (
            "USEAUTH_THROTTLE_ACCOUNT_FAILURES",
            conf.THROTTLE_ACCOUNT_FAILURES,
            1,
            "a positive integer",
            "Set USEAUTH_THROTTLE_ACCOUNT_FAILURES = 10.",
            "useauth.E026",
        ),
        (
            "USEAUTH_THROTTLE_IP_FAILURES",
            conf.THROTTLE_IP_FAILURES,
            1,
            "a positive integer",
            "Set USEAUTH_THROTTLE_IP_FAILURES = 50.",
            "useauth.E027",
        ),
        (
            "USEAUTH_TRUSTED_PROXY_COUNT",
            conf.TRUSTED_PROXY_COUNT,
            0,
            "a whole number of proxies, 0 or more",
            "Set USEAUTH_TRUSTED_PROXY_COUNT = 1 behind one proxy that appends "
            "to X-Forwarded-For, or leave it at 0.",
            "useauth.E030",
        ),
    )
    return [
        invalid(name, value, constraint, hint, id)
        for name, value, low, constraint, hint, id in counts
        if not is_int(value, low)
    ]


def check_throttle_settings(**kwargs: Any) -> list[CheckMessage]:
    """E025–E030: the sign-in limits' switch, counts, window, cache and proxies."""
    errors: list[CheckMessage] = []
    enabled: object = conf.THROTTLE_ENABLED
    if not isinstance(enabled, bool):
        errors.append(
            invalid(
                "USEAUTH_THROTTLE_ENABLED",
                enabled,
                "True or False",
                "Set USEAUTH_THROTTLE_ENABLED = True or False.",
                "useauth.E025",
            )
        )
    errors += _check_throttle_counts()
    errors += positive_duration_errors(
        "THROTTLE_WINDOW", "timedelta(minutes=15)", "useauth.E028"
    )
    alias: object = conf.THROTTLE_CACHE
    if not isinstance(alias, str) or alias not in settings.CACHES:
        errors.append(
            invalid(
                "USEAUTH_THROTTLE_CACHE",
                alias,
                "the alias of a cache in CACHES",
                "Set USEAUTH_THROTTLE_CACHE = 'default' or another alias of CACHES.",
                "useauth.E029",
            )
        )
    return errors


def _account_fields() -> list[str]:
    # Imported here: the user model is not ready when this module is imported.
    from django_useauth.internal.throttle import account_fields

    return account_fields()


def _check_throttle_shapes() -> list[CheckMessage]:
    # E036, E037: the settings that say what one count covers.
    errors: list[CheckMessage] = []
    fields: object = conf.THROTTLE_ACCOUNT_FIELDS
    if fields is not None and not (
        is_sequence(fields, is_field_name) and len(fields) > 0
    ):
        errors.append(
            invalid(
                "USEAUTH_THROTTLE_ACCOUNT_FIELDS",
                fields,
                "None or a non-empty list of the credential names that name the account",
                "Set USEAUTH_THROTTLE_ACCOUNT_FIELDS = ['login'] (the field your "
                "authentication backend looks the user up by), or None.",
                "useauth.E036",
            )
        )
    prefix: object = conf.THROTTLE_IPV6_PREFIX
    if not is_int(prefix, 1, 128):
        errors.append(
            invalid(
                "USEAUTH_THROTTLE_IPV6_PREFIX",
                prefix,
                "a number of bits from 1 to 128",
                "Set USEAUTH_THROTTLE_IPV6_PREFIX = 64 (one customer's network).",
                "useauth.E037",
            )
        )
    return errors


def _check_throttle_store() -> list[CheckMessage]:
    # E035, W014: the cache keeps the counts, and adds to them in one step.
    backend = throttle_cache_backend()
    if backend == DUMMY_CACHE:
        return [
            Error(
                f"USEAUTH_THROTTLE_CACHE should name a cache that stores; "
                f"{conf.THROTTLE_CACHE!r} is DummyCache, which keeps nothing, so no "
                "sign-in would ever be limited.",
                hint="Point USEAUTH_THROTTLE_CACHE at a Redis, Memcached or database "
                "cache, or set USEAUTH_THROTTLE_ENABLED = False to switch the limits off.",
                id="useauth.E035",
            )
        ]
    if backend == FILE_CACHE:
        return [
            Warning(
                f"USEAUTH_THROTTLE_CACHE {conf.THROTTLE_CACHE!r} is FileBasedCache, "
                "whose add() is a check and a write, not one atomic step: sign-ins "
                "sent at the same moment can pass the limits.",
                hint="Point USEAUTH_THROTTLE_CACHE at a Redis, Memcached or database cache.",
                id="useauth.W014",
            )
        ]
    return []


def _check_account_named() -> list[CheckMessage]:
    # E038: a credentials sign-in names the account whose failures it counts.
    fields: object = conf.CREDENTIALS_FIELDS
    if (
        conf.CREDENTIALS_ENABLED is not True
        or not isinstance(fields, (list, tuple))
        or set(_account_fields()).intersection(fields)
    ):
        return []
    return [
        Error(
            f"USEAUTH_CREDENTIALS_FIELDS {list(fields)!r} has no field "
            "that names the account, so failed sign-ins could not be limited per "
            "account.",
            hint="Set USEAUTH_THROTTLE_ACCOUNT_FIELDS to the field(s) your "
            "authentication backend looks the user up by, e.g. ['login'].",
            id="useauth.E038",
        )
    ]


def _check_throttle_backend() -> list[CheckMessage]:
    # W015: every authenticate() call goes through the limits first.
    backends: list[str] = list(settings.AUTHENTICATION_BACKENDS)
    if backends and backends[0] == _THROTTLE_BACKEND:
        return []
    where = (
        "is not first in AUTHENTICATION_BACKENDS, so the backends before it check "
        "passwords without limits"
        if _THROTTLE_BACKEND in backends
        else "is not in AUTHENTICATION_BACKENDS, so only /api/auth sign-ins are "
        "limited: the admin login and any other view that calls authenticate() "
        "let attackers guess without limits"
    )
    return [
        Warning(
            f"{_THROTTLE_BACKEND!r} {where}.",
            hint=f"Put {_THROTTLE_BACKEND!r} first in AUTHENTICATION_BACKENDS.",
            id="useauth.W015",
        )
    ]


def check_throttle(**kwargs: Any) -> list[CheckMessage]:
    """E035–E038, W014, W015: the sign-in limits can hold, on every door."""
    messages = _check_throttle_shapes()
    if conf.THROTTLE_ENABLED is not True:
        return messages
    return [
        *messages,
        *_check_throttle_store(),
        *_check_account_named(),
        *_check_throttle_backend(),
    ]
