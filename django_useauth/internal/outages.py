"""What a store that cannot be reached means: neither "signed out" nor a 500.

A session store, a cache or the database that does not answer is an outage,
not an answer: code that reads one through :func:`call` gets
:class:`~django_useauth.exceptions.StoreUnavailable`, which ``AuthMiddleware``
(and ``django_useauth.sessions.middleware.SessionMiddleware``) turn into a
``503`` with ``Retry-After``. Nothing here decides that a user is signed out.

Stores are named by what they are, not by what they are used for (``cache
'default'``, ``database``), so that one Redis behind the sessions, the
sign-in limits and the user cache has one outage and one cool-down. Each
store has, in each process:

- **one log line per outage**: the first failure logs a WARNING (the error's
  class and message, no traceback); later failures are counted, and the first
  success after them logs, at INFO, how long it lasted and how many calls
  failed;
- **a short cool-down** (:data:`COOL_DOWN`): after a failure, calls are
  refused at once for that long instead of each waiting for a timeout, so a
  stalled Redis costs one slow request per second and process, not every
  request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache.backends.base import InvalidCacheKey
from django.db import InterfaceError
from django.db import OperationalError

from django_useauth.exceptions import StoreUnavailable

_T = TypeVar("_T")

logger = logging.getLogger("django_useauth.outages")

#: Seconds a client is asked to wait (``Retry-After``) when a store is down.
RETRY_AFTER = 5
#: Seconds a store that just failed is not asked again (its calls fail at once).
COOL_DOWN = 1.0
#: Seconds without a failure after which the next failure starts a new outage (logged again).
OUTAGE_GAP = 60.0

# The libraries of the caches Django ships and of django-redis: an error of
# theirs is the cache server failing (connection, timeout, out of memory,
# read-only replica, loading), not the data.
_CACHE_CLIENT_ROOTS = frozenset(
    {"redis", "django_redis", "pymemcache", "pylibmc", "valkey"}
)
# The database drivers' own errors, for code that uses a raw connection.
_DRIVER_ROOTS = frozenset({"psycopg", "psycopg2", "MySQLdb", "sqlite3"})
_DRIVER_OUTAGES = frozenset({"OperationalError", "InterfaceError"})


def cache_store(alias: str) -> str:
    """Return the store name of the cache ``alias``: one cool-down for every use of one cache."""
    return f"cache {alias!r}"


def is_outage(error: BaseException) -> bool:
    """Return whether ``error`` says a store could not be reached (rather than a bug or bad data).

    That is :class:`StoreUnavailable`, Django's ``OperationalError`` and
    ``InterfaceError`` (a database that is down, or a connection it closed),
    the same errors of the database drivers themselves (psycopg, mysqlclient),
    ``OSError`` (sockets, timeouts) and the errors of the Redis and Memcached
    client libraries, but never ``InvalidCacheKey`` (a key the cache cannot
    store, which names nothing that exists).
    """
    if isinstance(error, InvalidCacheKey):
        return False
    if isinstance(error, (StoreUnavailable, OperationalError, InterfaceError, OSError)):
        return True
    return any(
        cls.__module__.partition(".")[0] in _CACHE_CLIENT_ROOTS
        or (
            cls.__module__.partition(".")[0] in _DRIVER_ROOTS
            and cls.__name__ in _DRIVER_OUTAGES
        )
        for cls in type(error).__mro__
    )


@dataclass
class _State:
    failed_at: float | None = None
    since: float | None = None
    failures: int = 0


_lock = threading.Lock()
_states: dict[str, _State] = {}


def _state(store: str) -> _State:
    state = _states.get(store)
    if state is None:
        state = _states.setdefault(store, _State())
    return state


def cooling_down(store: str) -> bool:
    """Return whether ``store`` failed less than :data:`COOL_DOWN` seconds ago (in this process)."""
    failed_at = _state(store).failed_at
    return failed_at is not None and time.monotonic() - failed_at < COOL_DOWN


def failed(store: str, error: BaseException) -> StoreUnavailable:
    """Record that ``store`` failed with ``error``; return the exception to raise.

    The first failure of an outage logs one WARNING; the others are counted.
    """
    now = time.monotonic()
    with _lock:
        state = _state(store)
        # A new outage, unless the last failure was recent: a store whose
        # successes nothing records (an error raised by code that names no
        # store) still logs each outage once.
        first = (
            state.since is None
            or state.failed_at is None
            or now - state.failed_at > OUTAGE_GAP
        )
        if first:
            state.since = now
            state.failures = 0
        state.failed_at = now
        state.failures += 1
    if first:
        logger.warning(
            "The %s cannot be reached (%s: %s); answering 503 until it is back.",
            store,
            type(error).__name__,
            error,
        )
    return StoreUnavailable(store)


def succeeded(store: str) -> None:
    """Record that ``store`` answered; the first success after failures logs the outage's end."""
    state = _states.get(store)
    if state is None or state.since is None:
        return
    with _lock:
        # Read again under the lock: another thread may have logged it.
        since, failures = _state(store).since, state.failures
        if since is None:  # pragma: no cover - a race between two threads
            return
        state.since = None
        state.failed_at = None
        state.failures = 0
    logger.info(
        "The %s answers again after %.1f s; %d call(s) failed meanwhile.",
        store,
        time.monotonic() - since,
        failures,
    )


def unavailable(error: BaseException) -> StoreUnavailable:
    """Return ``error`` as a :class:`StoreUnavailable`, recording the outage if it is not one already.

    For an outage error (:func:`is_outage`) raised by code that does not name
    its store (Django's user lookup, social-auth's queries): it is recorded as
    the database's or the cache's.
    """
    if isinstance(error, StoreUnavailable):
        return error
    store = (
        "database" if isinstance(error, (OperationalError, InterfaceError)) else "cache"
    )
    return failed(store, error)


def call(store: str, function: Callable[[], _T]) -> _T:
    """Return ``function()``; raise :class:`StoreUnavailable` if ``store`` is down.

    During the cool-down after a failure ``function`` is not called. An
    error that :func:`is_outage` does not recognise is raised unchanged.
    """
    if cooling_down(store):
        raise StoreUnavailable(store)
    try:
        result = function()
    except StoreUnavailable:
        # From a nested call, already recorded.
        raise
    except Exception as error:
        if is_outage(error):
            raise failed(store, error) from error
        raise
    succeeded(store)
    return result


async def acall(store: str, function: Callable[[], Awaitable[_T]]) -> _T:
    """Async twin of :func:`call`."""
    if cooling_down(store):
        raise StoreUnavailable(store)
    try:
        result = await function()
    except StoreUnavailable:
        # From a nested call, already recorded.
        raise
    except Exception as error:
        if is_outage(error):
            raise failed(store, error) from error
        raise
    succeeded(store)
    return result


def reset() -> None:
    """Forget every outage (for tests)."""
    with _lock:
        _states.clear()
