"""What the outage tests (issue 16) share: a Redis that cannot be reached, a cache that goes down and comes back.

:func:`unreachable_redis` is real: Django's ``RedisCache`` (the ``redis``
client library) pointed at a loopback port nothing listens on, refused at
once. :class:`FlakyCache` is a simulation, for what a unit test cannot do
with a real server: a cache that stops answering and then comes back with
the data it had (Redis with ``appendonly``). tests/test_faults.py stops and
restarts real Redis and PostgreSQL servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import override_settings

from django_useauth.internal import outages
from tests.live import free_port

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}

#: The test settings' session cache (tests/settings.py).
SESSIONS = {**LOCMEM, "LOCATION": "sessions"}

#: The session cache as a :class:`FlakyCache` (sharing the data of :data:`SESSIONS`).
FLAKY_SESSIONS = {"BACKEND": "tests.outage_utils.FlakyCache", "LOCATION": "sessions"}

#: The headers of every 503 of an outage.
RETRY_AFTER = "5"


def unreachable_redis() -> dict[str, Any]:
    """A ``CACHES`` entry: Django's ``RedisCache`` on a loopback port that nothing listens on."""
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


def caches_with(*down: str, **others: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The test settings' ``CACHES``, the aliases ``down`` on an unreachable Redis, ``others`` replaced."""
    configured: dict[str, dict[str, Any]] = {
        "default": LOCMEM,
        "sessions": SESSIONS,
        **others,
    }
    for alias in down:
        configured[alias] = unreachable_redis()
    return configured


def stores_down(*aliases: str, **settings: Any) -> override_settings:
    """``override_settings`` with the cache ``aliases`` unreachable, plus ``settings``.

    Use it on a test method or as a context manager, never on a class:
    tests/conftest.py clears every cache before each test, after a class's
    settings are in place.
    """
    return override_settings(CACHES=caches_with(*aliases), **settings)


class FlakyCache(LocMemCache):
    """Local memory that raises the Redis client's ``ConnectionError`` while :func:`cache_down` is on.

    Its data survives the outage, as Redis's does with persistence.
    """

    down = False

    def _check(self) -> None:
        if FlakyCache.down:
            raise redis.exceptions.ConnectionError(
                "Error 111 connecting to 127.0.0.1:6379. Connection refused."
            )

    def add(self, *args: Any, **kwargs: Any) -> bool:
        self._check()
        return super().add(*args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self._check()
        return super().get(*args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._check()
        super().set(*args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        self._check()
        return super().has_key(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        self._check()
        return super().delete(*args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        self._check()
        super().delete_many(*args, **kwargs)


@contextmanager
def cache_down() -> Iterator[None]:
    """Every :class:`FlakyCache` fails until the block ends (with :func:`no_cool_down` to use it again at once)."""
    FlakyCache.down = True
    try:
        yield
    finally:
        FlakyCache.down = False


def no_cool_down() -> Any:
    """Every call asks its store, even just after a failure (to see each failure counted)."""
    return mock.patch.object(outages, "COOL_DOWN", 0.0)


@contextmanager
def database_down() -> Iterator[None]:
    """Every SQL statement fails as with a PostgreSQL that stopped.

    Simulated (SQLite cannot be stopped under a running test); the real
    PostgreSQL stop is in tests/test_faults.py.
    """
    error = OperationalError("server closed the connection unexpectedly")
    with (
        mock.patch.object(CursorWrapper, "execute", side_effect=error),
        mock.patch.object(CursorWrapper, "executemany", side_effect=error),
    ):
        yield
