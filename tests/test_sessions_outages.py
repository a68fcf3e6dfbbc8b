"""The session engines of ``django_useauth.sessions`` while their store is down (issue 16).

A store that cannot be reached is never "no session": ``cache`` and ``db``
raise ``StoreUnavailable`` from every read and write; ``cached_db`` falls back
to its database while its cache is down and never serves a copy older than
its row. Django's own engines are shown beside them where they differ.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
import redis
from asgiref.sync import async_to_sync
from asgiref.sync import sync_to_async
from django.contrib.sessions.backends import cache as django_cache
from django.contrib.sessions.backends import cached_db as django_cached_db
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import TestCase
from django.test import override_settings

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import outages
from django_useauth.internal import stale_copies
from django_useauth.sessions import cache
from django_useauth.sessions import cached_db
from tests.outage_utils import FLAKY_SESSIONS
from tests.outage_utils import cache_down
from tests.outage_utils import caches_with
from tests.outage_utils import database_down
from tests.outage_utils import no_cool_down
from tests.outage_utils import stores_down
from tests.test_sessions import asaved_key
from tests.test_sessions import saved_key
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import read_session
from tests.utils import session_key
from tests.utils import signed_in_client

#: A session key that no store holds.
KEY = "k" * 32

PREFIX = cached_db.SessionStore.cache_key_prefix


def row_exists(key: str) -> bool:
    return Session.objects.filter(session_key=key).exists()


def engine_row(key: str) -> Any:
    """The session ``key`` as its database row holds it."""
    return Session.objects.get(session_key=key).get_decoded()


def copy(key: str) -> Any:
    """The cache's copy of session ``key`` (``cached_db``), read around the engine."""
    return caches["sessions"].get(PREFIX + key)


class CacheEngineTests(TestCase):
    """``django_useauth.sessions.cache`` on a real Redis client, at a closed port."""

    def setUp(self):
        self.enterContext(stores_down("sessions"))
        # Each call reaches the (refused) server, not the cool-down.
        self.enterContext(no_cool_down())

    def test_every_read_and_write_raises(self):
        with pytest.raises(StoreUnavailable):
            cache.SessionStore(KEY).load()
        with pytest.raises(StoreUnavailable):
            cache.SessionStore().exists(KEY)
        existing = cache.SessionStore(KEY)
        existing._session_cache = {"x": 1}  # type: ignore[attr-defined]
        with pytest.raises(StoreUnavailable):
            existing.save()
        fresh = cache.SessionStore()
        fresh["x"] = 1
        with pytest.raises(StoreUnavailable):
            fresh.save()
        with pytest.raises(StoreUnavailable):
            cache.SessionStore(KEY).delete()

    def test_djangos_engine_reads_an_outage_as_no_session(self):
        session = django_cache.SessionStore(KEY)
        assert session.load() == {}
        # A new key: SessionMiddleware then deletes the cookie.
        assert session.session_key is None

    async def test_async_every_read_and_write_raises(self):
        with pytest.raises(StoreUnavailable):
            await cache.SessionStore(KEY).aload()
        with pytest.raises(StoreUnavailable):
            await cache.SessionStore().aexists(KEY)
        existing = cache.SessionStore(KEY)
        existing._session_cache = {"x": 1}  # type: ignore[attr-defined]
        with pytest.raises(StoreUnavailable):
            await existing.asave()
        with pytest.raises(StoreUnavailable):
            await cache.SessionStore(KEY).adelete()

    def test_an_entry_it_cannot_decode_is_no_session(self):
        # Not an outage: as in Django's engine (ticket #17810), a new session.
        with override_settings(CACHES=caches_with()):
            shared = caches["sessions"]
            with mock.patch.object(shared, "get", side_effect=ValueError("pickle")):
                session = cache.SessionStore(KEY)
                assert session.load() == {}
            assert session.session_key is None
            with mock.patch.object(shared, "aget", side_effect=ValueError("pickle")):
                assert cache.SessionStore(KEY).load() == {}

    async def test_async_an_entry_it_cannot_decode_is_no_session(self):
        with override_settings(CACHES=caches_with()):
            shared = caches["sessions"]
            with mock.patch.object(shared, "aget", side_effect=ValueError("pickle")):
                session = cache.SessionStore(KEY)
                assert await session.aload() == {}
            assert session.session_key is None


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache")
class CookieTests(TestCase):
    """A read during an outage leaves the session cookie alone (through the test client)."""

    def test_the_cookie_survives_an_outage(self):
        self.client.cookies["sessionid"] = KEY
        with stores_down("sessions"):
            response = self.client.get("/api/auth/session")
        assert response.status_code == 503
        assert response.json() == {}
        assert "sessionid" not in response.cookies

    @override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache")
    def test_djangos_engine_deletes_it(self):
        self.client.cookies["sessionid"] = KEY
        with stores_down("sessions"):
            response = self.client.get("/api/auth/session")
        assert response.status_code == 200
        assert response.json() == {}
        deleted = response.cookies["sessionid"]
        assert deleted.value == ""
        assert deleted["max-age"] == 0


class CachedDbCacheOutageTests(TestCase):
    """``django_useauth.sessions.cached_db`` while its cache is down (and keeps its data)."""

    engine = cached_db.SessionStore

    def setUp(self):
        self.enterContext(
            override_settings(CACHES=caches_with(sessions=FLAKY_SESSIONS))
        )
        self.enterContext(no_cool_down())

    def test_reads_fall_back_to_the_database(self):
        key = saved_key(self.engine)
        with cache_down():
            with self.assertNumQueries(1):
                assert self.engine(key).load() == {"_auth_user_id": "1"}
            assert self.engine().exists(key)

    def test_djangos_engine_fails_every_read(self):
        key = saved_key(django_cached_db.SessionStore)
        with cache_down(), pytest.raises(redis.exceptions.ConnectionError):
            django_cached_db.SessionStore(key).load()

    def test_a_write_goes_to_the_database_and_its_old_copy_is_never_served(self):
        key = saved_key(self.engine)
        with cache_down():
            session = self.engine(key)
            session["x"] = 2
            session.save()  # no error: the row is written
            assert self.engine(key).load()["x"] == 2
        # The cache came back with the copy from before the write...
        assert "x" not in copy(key)
        # ...which is deleted before the cache is read again.
        assert self.engine(key).load()["x"] == 2
        assert list(stale_copies.keys()) == []
        assert copy(key)["x"] == 2  # copied again from the row

    def test_djangos_engine_serves_the_old_copy(self):
        engine = django_cached_db.SessionStore
        key = saved_key(engine)
        session = engine(key)
        session["x"] = 2  # loaded before the outage: Django's fails every read
        with cache_down(), self.assertLogs("django.contrib.sessions", "ERROR"):
            session.save()
        assert "x" not in engine(key).load()

    def test_stale_copies_wait_while_the_cache_stays_down(self):
        key = saved_key(self.engine)
        with cache_down():
            session = self.engine(key)
            session["x"] = 2
            session.save()
            assert list(stale_copies.keys()) == [PREFIX + key]
            # The cache is asked to delete the copy and still cannot.
            assert self.engine(key).load()["x"] == 2
            assert list(stale_copies.keys()) == [PREFIX + key]

    def test_during_the_cool_down_the_cache_is_not_asked(self):
        key = saved_key(self.engine)
        with mock.patch.object(outages, "COOL_DOWN", 60.0), cache_down():
            with pytest.raises(StoreUnavailable):
                outages.call(
                    self.engine().cache_store, lambda: caches["sessions"].get("x")
                )
            shared = caches["sessions"]
            with (
                mock.patch.object(shared, "get") as get,
                mock.patch.object(shared, "set") as write,
            ):
                session = self.engine(key)
                assert session.load() == {"_auth_user_id": "1"}
                session["x"] = 2
                session.save()
            get.assert_not_called()
            write.assert_not_called()
            assert list(stale_copies.keys()) == [PREFIX + key]

    def test_a_sign_out_without_the_cache_deletes_nothing(self):
        key = saved_key(self.engine)
        with cache_down(), pytest.raises(StoreUnavailable):
            self.engine(key).flush()
        assert row_exists(key)
        assert copy(key) == {"_auth_user_id": "1"}
        # Once the cache is back, it signs out.
        self.engine(key).flush()
        assert not row_exists(key)
        assert copy(key) is None

    def test_a_copy_that_could_not_be_deleted_is_deleted_before_the_next_read(self):
        key = saved_key(self.engine)
        failing = redis.exceptions.ConnectionError("connection reset")
        with (
            mock.patch.object(caches["sessions"], "delete", side_effect=failing),
            pytest.raises(StoreUnavailable),
        ):
            self.engine(key).flush()
        assert not row_exists(key)
        assert copy(key) == {"_auth_user_id": "1"}
        assert self.engine(key).load() == {}
        assert copy(key) is None

    async def test_async_reads_and_writes_fall_back_to_the_database(self):
        key = await asaved_key(self.engine)
        with cache_down():
            session = self.engine(key)
            assert await session.aload() == {"_auth_user_id": "1"}
            assert await self.engine().aexists(key)
            await session.aset("x", 2)
            await session.asave()
            # Still down, the stale copy waits; the row answers.
            assert await self.engine(key).aget("x") == 2
        assert "x" not in copy(key)
        assert await self.engine(key).aget("x") == 2
        assert list(stale_copies.keys()) == []

    async def test_async_during_the_cool_down_nothing_asks_the_cache(self):
        key = await asaved_key(self.engine)
        with mock.patch.object(outages, "COOL_DOWN", 60.0), cache_down():
            session = self.engine(key)
            assert await session.aload() == {"_auth_user_id": "1"}
            await session.aset("x", 2)
            await session.asave()
        assert list(stale_copies.keys()) == [PREFIX + key]

    async def test_async_a_sign_out_without_the_cache_deletes_nothing(self):
        key = await asaved_key(self.engine)
        with cache_down(), pytest.raises(StoreUnavailable):
            await self.engine(key).aflush()
        assert await Session.objects.filter(session_key=key).aexists()
        failing = redis.exceptions.ConnectionError("connection reset")
        with (
            mock.patch.object(caches["sessions"], "delete", side_effect=failing),
            pytest.raises(StoreUnavailable),
        ):
            await self.engine(key).aflush()
        assert not await Session.objects.filter(session_key=key).aexists()
        assert list(stale_copies.keys()) == [PREFIX + key]
        # (Read in a thread: coverage loses the lines of an async test after
        # an aload() that finds no row.)
        assert await sync_to_async(self.engine(key).load)() == {}
        assert copy(key) is None

    def test_an_empty_session_deletes_nothing(self):
        self.engine().delete()
        with cache_down():
            self.engine().delete()

    async def test_async_an_empty_session_deletes_nothing(self):
        with cache_down():
            await self.engine().adelete()


class CachedDbDatabaseOutageTests(TestCase):
    """``cached_db`` while its database is down: what the cache can answer is answered."""

    engine = cached_db.SessionStore

    def test_a_cached_session_is_read(self):
        key = saved_key(self.engine)
        with database_down():
            assert self.engine(key).load() == {"_auth_user_id": "1"}
            session = self.engine(key)
            session["x"] = 2
            with pytest.raises(StoreUnavailable):
                session.save()

    def test_an_uncached_session_cannot_be_read(self):
        key = saved_key(self.engine)
        caches["sessions"].delete(PREFIX + key)
        with database_down(), pytest.raises(StoreUnavailable):
            self.engine(key).load()

    async def test_async_an_uncached_session_cannot_be_read(self):
        key = await asaved_key(self.engine)
        await caches["sessions"].adelete(PREFIX + key)
        with database_down():
            with pytest.raises(StoreUnavailable):
                await self.engine(key).aload()
            with pytest.raises(StoreUnavailable):
                await self.engine().aexists(key)


@override_settings(SESSION_ENGINE="django_useauth.sessions.cached_db")
class CachedDbSignOutTests(TestCase):
    """``POST /api/auth/signout`` on ``cached_db`` while its cache is down."""

    def setUp(self):
        self.enterContext(
            override_settings(CACHES=caches_with(sessions=FLAKY_SESSIONS))
        )
        self.enterContext(no_cool_down())
        make_user()
        self.client = signed_in_client()
        self.key = session_key(self.client)

    def sign_out(self, **fields):
        data = {"csrfToken": csrf_token(self.client), **fields}
        return self.client.post("/api/auth/signout", data)

    def test_it_answers_503_having_deleted_nothing_then_signs_out(self):
        with cache_down():
            response = self.sign_out(json="true")
            assert response.status_code == 503
            assert "sessionid" not in response.cookies
            # Signed in still, from the database, row and copy untouched.
            assert read_session(self.client)["user"]["name"] == "Ada Lovelace"
        assert engine_row(self.key) == copy(self.key)
        assert read_session(self.client)["user"]["name"] == "Ada Lovelace"
        assert self.sign_out(json="true").status_code == 200
        assert not row_exists(self.key)
        assert copy(self.key) is None
        assert read_session(self.client) == {}

    def test_a_form_post_leaves_no_emptied_session(self):
        with cache_down():
            response = self.sign_out()
        # The error page with its 503: SessionMiddleware saves nothing of a
        # 5xx, so the session logout() emptied is not written back.
        assert response.status_code == 503
        assert engine_row(self.key) == copy(self.key)


class CachedDbUpdateFailureTests(TestCase):
    """The cache fails during the update itself (it answered the read)."""

    engine = cached_db.SessionStore

    def setUp(self):
        self.enterContext(
            override_settings(CACHES=caches_with(sessions=FLAKY_SESSIONS))
        )
        self.enterContext(no_cool_down())

    def test_the_old_copy_is_never_served(self):
        key = saved_key(self.engine)
        session = self.engine(key)
        session["x"] = 2  # read from the cache, which then goes down
        with cache_down():
            session.save()
        assert "x" not in copy(key)
        assert self.engine(key).load()["x"] == 2

    def test_async_the_old_copy_is_never_served(self):
        # asave() driven from a sync test: coverage loses the lines of an
        # async test after an error crossed a thread (sync_to_async).
        key = saved_key(self.engine)
        session = self.engine(key)
        async_to_sync(session.aset)("x", 2)
        with cache_down():
            async_to_sync(session.asave)()
        assert "x" not in copy(key)
        assert self.engine(key).load()["x"] == 2

    def test_the_oldest_keys_are_forgotten_first(self):
        with mock.patch.object(stale_copies, "MAX_KEYS", 2):
            for key in ("a", "b", "c"):
                stale_copies.remember(key)
        assert list(stale_copies.keys()) == ["b", "c"]
