"""django_useauth.internal.outages: which errors are outages, and what a call through it does while a store is down."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.cache.backends.base import InvalidCacheKey
from django.db import InterfaceError
from django.db import OperationalError
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from django_redis.exceptions import ConnectionInterrupted  # type: ignore[import-untyped]

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import outages
from tests.live import free_port
from tests.outage_utils import caches_with
from tests.outage_utils import no_cool_down
from tests.outage_utils import stores_down

LOGGER = "django_useauth.outages"

#: pymemcache on a port nothing listens on (the keys it refuses never reach it).
MEMCACHED = {
    "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
    "LOCATION": "127.0.0.1:1",
}


def refused(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


async def arefused(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


async def answer():
    return "answer"


class IsOutageTests(SimpleTestCase):
    @stores_down("default")
    def test_an_unreachable_redis(self):
        # Django's RedisCache on a closed loopback port: the redis client's
        # own ConnectionError, which is no OSError.
        with pytest.raises(Exception) as raised:
            caches["default"].get("key")
        assert type(raised.value).__module__.startswith("redis")
        assert not isinstance(raised.value, OSError)
        assert outages.is_outage(raised.value)


class PostgresOutageTests(TestCase):
    # A TestCase: pytest-django lets only those open database connections.

    def test_an_unreachable_postgresql(self):
        # Django's PostgreSQL backend (psycopg) on a closed loopback port: the
        # error Django wraps psycopg's in.
        settings = {
            **connections["default"].settings_dict,
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "useauth",
            "USER": "useauth",
            "HOST": "127.0.0.1",
            "PORT": str(free_port()),
            "OPTIONS": {"connect_timeout": 2},
        }
        database = DatabaseWrapper(settings, alias="unreachable")
        with pytest.raises(OperationalError) as raised:
            database.ensure_connection()
        assert outages.is_outage(raised.value)


class OutageErrorTests(SimpleTestCase):
    def test_the_errors_of_a_store_that_does_not_answer(self):
        for error in [
            InterfaceError("connection already closed"),
            OperationalError("server closed the connection unexpectedly"),
            TimeoutError("timed out"),
            TimeoutError("timed out"),
            ConnectionInterrupted(connection=None),  # django-redis
            StoreUnavailable("session store"),
        ]:
            assert outages.is_outage(error), error

    @override_settings(CACHES=caches_with(memcached=MEMCACHED))
    def test_a_key_the_cache_refuses_is_no_outage(self):
        # A real one: memcached refuses a key with a space before any I/O.
        with pytest.raises(InvalidCacheKey) as raised:
            caches["memcached"].get("a key")
        assert not outages.is_outage(raised.value)

    def test_bugs_are_no_outages(self):
        for error in [ValueError("bad"), KeyError("x"), TypeError("y"), RuntimeError()]:
            assert not outages.is_outage(error), error


class CallTests(SimpleTestCase):
    def test_a_call_answers_what_the_store_answers(self):
        assert outages.call("store", lambda: 42) == 42
        assert not outages.cooling_down("store")

    def test_an_outage_becomes_store_unavailable(self):
        with (
            self.assertLogs(LOGGER, "WARNING"),
            pytest.raises(StoreUnavailable) as raised,
        ):
            outages.call("session store", refused)
        assert raised.value.store == "session store"
        assert str(raised.value) == "The session store cannot be reached."
        assert isinstance(raised.value.__cause__, ConnectionRefusedError)

    def test_other_errors_pass_unchanged_and_are_not_recorded(self):
        def broken():
            raise KeyError("bug")

        with self.assertNoLogs(LOGGER), pytest.raises(KeyError):
            outages.call("store", broken)
        assert not outages.cooling_down("store")

    def test_a_nested_outage_is_recorded_once_for_its_own_store(self):
        with (
            self.assertLogs(LOGGER, "WARNING") as logs,
            pytest.raises(StoreUnavailable) as raised,
        ):
            outages.call("outer", lambda: outages.call("inner", refused))
        assert raised.value.store == "inner"
        assert len(logs.records) == 1
        assert outages.cooling_down("inner")
        assert not outages.cooling_down("outer")

    def test_the_cool_down_refuses_without_calling(self):
        with self.assertLogs(LOGGER, "WARNING"), pytest.raises(StoreUnavailable):
            outages.call("store", refused)
        function = mock.Mock(return_value=1)
        with pytest.raises(StoreUnavailable):
            outages.call("store", function)
        function.assert_not_called()
        # Other stores are asked as usual.
        assert outages.call("other store", function) == 1
        assert outages.COOL_DOWN == 1.0

    def test_after_the_cool_down_the_store_is_asked_again(self):
        with self.assertLogs(LOGGER, "WARNING"), pytest.raises(StoreUnavailable):
            outages.call("store", refused)
        clock = time.monotonic() + outages.COOL_DOWN
        with mock.patch.object(time, "monotonic", return_value=clock):
            assert not outages.cooling_down("store")
            with self.assertLogs(LOGGER, "INFO"):
                assert outages.call("store", lambda: "back") == "back"

    def test_one_warning_per_outage_and_one_info_at_recovery(self):
        with no_cool_down(), self.assertLogs(LOGGER, "INFO") as logs:
            for _ in range(3):
                with pytest.raises(StoreUnavailable):
                    outages.call("session store", refused)
            assert outages.call("session store", lambda: None) is None
            assert outages.call("session store", lambda: None) is None
        warning, info = logs.records
        assert warning.levelname == "WARNING"
        assert warning.getMessage() == (
            "The session store cannot be reached (ConnectionRefusedError: "
            "[Errno 111] Connection refused); answering 503 until it is back."
        )
        # No traceback: one line per outage, not per request.
        assert warning.exc_info is None
        assert info.levelname == "INFO"
        assert info.getMessage().startswith("The session store answers again after ")
        assert info.getMessage().endswith(" s; 3 call(s) failed meanwhile.")

    def test_each_store_has_its_own_outage(self):
        with self.assertLogs(LOGGER, "WARNING") as logs:
            for store in ("session store", "sign-in limits cache"):
                with pytest.raises(StoreUnavailable):
                    outages.call(store, refused)
        assert [r.getMessage().split(" (")[0] for r in logs.records] == [
            "The session store cannot be reached",
            "The sign-in limits cache cannot be reached",
        ]

    def test_reset_forgets_every_outage(self):
        with self.assertLogs(LOGGER, "WARNING"), pytest.raises(StoreUnavailable):
            outages.call("store", refused)
        outages.reset()
        assert not outages.cooling_down("store")
        # Nothing to recover from: no INFO line.
        with self.assertNoLogs(LOGGER):
            assert outages.call("store", lambda: 1) == 1


class AsyncCallTests(SimpleTestCase):
    async def test_a_call_answers_what_the_store_answers(self):
        assert await outages.acall("store", answer) == "answer"

    async def test_an_outage_becomes_store_unavailable_then_recovers(self):
        with no_cool_down(), self.assertLogs(LOGGER, "INFO") as logs:
            with pytest.raises(StoreUnavailable) as raised:
                await outages.acall("session store", arefused)
            assert isinstance(raised.value.__cause__, ConnectionRefusedError)
            assert await outages.acall("session store", answer) == "answer"
        assert [r.levelname for r in logs.records] == ["WARNING", "INFO"]

    async def test_the_cool_down_refuses_without_calling(self):
        with self.assertLogs(LOGGER, "WARNING"), pytest.raises(StoreUnavailable):
            await outages.acall("store", arefused)
        function = mock.AsyncMock(return_value=1)
        with pytest.raises(StoreUnavailable):
            await outages.acall("store", function)
        function.assert_not_called()

    async def test_other_errors_and_nested_outages_pass_unchanged(self):
        async def broken():
            raise KeyError("bug")

        async def nested():
            return outages.call("inner", refused)

        with pytest.raises(KeyError):
            await outages.acall("store", broken)
        with (
            self.assertLogs(LOGGER, "WARNING"),
            pytest.raises(StoreUnavailable) as raised,
        ):
            await outages.acall("outer", nested)
        assert raised.value.store == "inner"
        assert not outages.cooling_down("store")
        assert not outages.cooling_down("outer")


class UnreachableRedisTests(SimpleTestCase):
    """A real Redis client through :func:`outages.call`, as the session engines and the throttle use it."""

    def test_a_real_redis_outage_and_its_cool_down(self):
        with stores_down("default"):
            cache = caches["default"]
            with (
                self.assertLogs(LOGGER, "WARNING") as logs,
                pytest.raises(StoreUnavailable) as raised,
            ):
                outages.call("session store", lambda: cache.get("key"))
            assert (
                "ConnectionError: Error 111 connecting to 127.0.0.1:"
                in logs.records[0].getMessage()
            )
            assert type(raised.value.__cause__).__module__.startswith("redis")
            with (
                mock.patch.object(cache, "get") as get,
                pytest.raises(StoreUnavailable),
            ):
                outages.call("session store", lambda: cache.get("key"))
            get.assert_not_called()


class UnavailableTests(SimpleTestCase):
    """:func:`outages.unavailable`: an outage error of code that names no store."""

    def test_the_database_or_the_cache(self):
        with no_cool_down(), self.assertLogs(LOGGER, "WARNING") as logs:
            database = outages.unavailable(OperationalError("gone"))
            cache = outages.unavailable(ConnectionRefusedError(111, "refused"))
        assert (database.store, cache.store) == ("database", "cache")
        assert len(logs.records) == 2

    def test_a_store_unavailable_is_recorded_already(self):
        error = StoreUnavailable("session store")
        with self.assertNoLogs(LOGGER):
            assert outages.unavailable(error) is error


class OutageGapTests(SimpleTestCase):
    """A store whose successes nothing records (``unavailable()``'s "database") still logs each outage."""

    def fail_at(self, clock: float) -> None:
        with (
            mock.patch.object(time, "monotonic", return_value=clock),
            pytest.raises(StoreUnavailable),
        ):
            outages.call("database", refused)

    def test_a_failure_long_after_the_last_one_is_a_new_outage(self):
        start = time.monotonic()
        with self.assertLogs(LOGGER, "WARNING") as logs:
            self.fail_at(start)
            # Within the gap (after the cool-down): the same outage, counted.
            self.fail_at(start + outages.OUTAGE_GAP)
            self.fail_at(start + 2 * outages.OUTAGE_GAP + 1)
        assert outages.OUTAGE_GAP == 60.0
        assert [r.levelname for r in logs.records] == ["WARNING", "WARNING"]
        # The new outage counts from its own first failure.
        back = start + 2 * outages.OUTAGE_GAP + 3
        with (
            mock.patch.object(time, "monotonic", return_value=back),
            self.assertLogs(LOGGER, "INFO") as logs,
        ):
            assert outages.call("database", lambda: None) is None
        assert logs.records[0].getMessage() == (
            "The database answers again after 2.0 s; 1 call(s) failed meanwhile."
        )
