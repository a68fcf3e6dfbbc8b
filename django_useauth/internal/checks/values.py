"""The shapes a ``USEAUTH_*`` setting may have, and the error for one that has another.

The checks read each setting into ``object``: the conf properties are typed
for valid settings, and the checks exist for the invalid ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Sequence
from datetime import timedelta
from typing import TypeGuard
from urllib.parse import urlsplit

from django.core.checks import Error
from django.utils.module_loading import import_string

from django_useauth.conf import UNSET

POSITIVE_DURATION = "a positive timedelta or number of seconds"

_FIELD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def invalid(name: str, value: object, constraint: str, hint: str, id: str) -> Error:
    # The error for a setting of the wrong type or shape.
    return Error(f"{name} should be {constraint}; got {value!r}.", hint=hint, id=id)


def is_sequence(
    value: object, item: Callable[[object], bool]
) -> TypeGuard[Sequence[object]]:
    # A sequence, not a string, whose every item passes `item`.
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and all(item(element) for element in value)
    )


def is_field_name(value: object) -> bool:
    return isinstance(value, str) and _FIELD_RE.fullmatch(value) is not None


def is_int(value: object, low: int, high: int | None = None) -> bool:
    # A whole number (not a bool) from `low` to `high`.
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and low <= value
        and (high is None or value <= high)
    )


def is_absolute(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_origin(value: object) -> bool:
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
    if not isinstance(value, str):
        return False
    try:
        return callable(import_string(value))
    except ImportError:
        return False


def is_duration(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value >= 0
    return isinstance(value, timedelta) and value >= timedelta(0)


def is_positive_duration(written: object, value: Callable[[], timedelta]) -> bool:
    # Unset means the default. `value` (the conf property, in a timedelta)
    # is read only once `written` is known to be a duration.
    return written is UNSET or (is_duration(written) and timedelta(0) < value())
