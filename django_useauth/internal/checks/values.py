"""What the check modules share: the shapes a setting may have, the cache backends.

No check of its own, and no message id but through its callers:
``positive_duration_errors()`` builds E019, E028 and E033. The checks read
each ``USEAUTH_*`` setting into ``object``: the conf properties are typed for
valid settings, and the checks exist for the invalid ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from typing import TypeGuard
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error
from django.utils.module_loading import import_string

from django_useauth.conf import UNSET
from django_useauth.conf import conf

POSITIVE_DURATION = "a positive timedelta or number of seconds"

_FIELD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"
DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"
# Caches that each process has to itself.
LOCAL_CACHES = (LOCMEM_CACHE, DUMMY_CACHE)
# Caches that cull when full, and that several processes share (a local
# memory one draws W011 instead).
CULLING_CACHES = ("django.core.cache.backends.db.DatabaseCache", FILE_CACHE)


def invalid(name: str, value: object, constraint: str, hint: str, id: str) -> Error:
    """The error for setting `name`, whose `value` is not `constraint`."""
    return Error(f"{name} should be {constraint}; got {value!r}.", hint=hint, id=id)


def is_sequence(
    value: object, item: Callable[[object], bool]
) -> TypeGuard[Sequence[object]]:
    """Whether `value` is a sequence, not a string, whose every item passes `item`."""
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and all(item(element) for element in value)
    )


def is_field_name(value: object) -> bool:
    """Whether `value` is a string that is an identifier (a form field's name)."""
    return isinstance(value, str) and _FIELD_RE.fullmatch(value) is not None


def is_int(value: object, low: int, high: int | None = None) -> bool:
    """Whether `value` is a whole number (not a bool) from `low` to `high` (no cap if None)."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and low <= value
        and (high is None or value <= high)
    )


def is_absolute(value: str) -> bool:
    """Whether `value` is an http(s) URL with a host."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_origin(value: object) -> bool:
    """Whether `value` is an http(s) origin: scheme, host and port, no user, path, query or fragment."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
        and "@" not in parts.netloc
    )


def is_callable_path(value: object) -> bool:
    """Whether `value` is the dotted path of something that imports and is callable."""
    if not isinstance(value, str):
        return False
    try:
        return callable(import_string(value))
    except ImportError:
        return False


def is_duration(value: object) -> bool:
    """Whether `value` is a timedelta or number of seconds (not a bool), 0 or more."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        # A number of seconds that a timedelta can hold: not inf, nan or
        # beyond 999999999 days (conf would fail to convert it).
        try:
            timedelta(seconds=value)
        except (OverflowError, ValueError):
            return False
        return value >= 0
    return isinstance(value, timedelta) and value >= timedelta(0)


def is_positive_duration(written: object, value: Callable[[], timedelta]) -> bool:
    """Whether the setting, as `written`, is unset (its default) or a duration whose `value()` is positive."""
    # `value` (the conf property, in a timedelta) is read only once `written`
    # is known to be a duration.
    return written is UNSET or (is_duration(written) and timedelta(0) < value())


def positive_duration_errors(name: str, example: str, id: str) -> list[Error]:
    """No error if ``USEAUTH_<name>`` is unset or a positive duration, else error `id` suggesting `example`."""
    written = conf.configured(name)
    if is_positive_duration(written, lambda: getattr(conf, name)):
        return []
    return [
        invalid(
            f"USEAUTH_{name}",
            written,
            POSITIVE_DURATION,
            f"Set USEAUTH_{name} = {example}.",
            id,
        )
    ]


def cache_backend(alias: str) -> str:
    """The BACKEND of the cache `alias` names in CACHES, or "" if there is none."""
    caches_setting: dict[str, dict[str, Any]] = settings.CACHES
    backend: str = caches_setting.get(alias, {}).get("BACKEND", "")
    return backend


def throttle_cache_backend() -> str:
    """The BACKEND of the cache ``USEAUTH_THROTTLE_CACHE`` names, or "" if there is none."""
    alias: object = conf.THROTTLE_CACHE
    return cache_backend(alias) if isinstance(alias, str) else ""
