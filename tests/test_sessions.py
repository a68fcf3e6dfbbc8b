"""The session engines of ``django_useauth.sessions``: no session comes back after its deletion.

Each race of ATTACKS.md N2 is replayed deterministically: the deletion of a
concurrent sign-out is made to land at the worst moment of the other
request's load or save, by running it from inside that request's own cache
write. ``make test`` runs these on local memory and SQLite; CI again on Redis
and PostgreSQL (``--ds=tests.settings_services``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.backends import cache as django_cache
from django.contrib.sessions.backends import cached_db as django_cached_db
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.base import UpdateError
from django.core.cache import caches
from django.test import TestCase

from django_useauth.internal.tombstones import TOMBSTONE_TIMEOUT
from django_useauth.internal.tombstones import TombstoneMixin
from django_useauth.sessions import cache
from django_useauth.sessions import cached_db

_Store = type[SessionBase]


def saved(engine: _Store) -> SessionBase:
    """A new session holding a signed-in user's id, saved in ``engine``."""
    session = engine()
    session["_auth_user_id"] = "1"
    session.save()
    return session


def saved_key(engine: _Store) -> str:
    """The key of a new session holding a signed-in user's id, saved in ``engine``."""
    key = saved(engine).session_key
    assert key is not None
    return key


@contextmanager
def deleted_during_cache_write(
    session: SessionBase, engine: _Store, key: str
) -> Iterator[None]:
    """Delete session ``key`` (as a sign-out in another request would) just before ``session`` writes it to the cache."""
    shared = caches["sessions"]
    real_set = shared.set
    done: list[str] = []

    def set_after_deletion(name: str, *args: Any, **kwargs: Any) -> Any:
        if not done and name.endswith(key) and "deleted" not in name:
            done.append(name)
            engine(key).flush()
        return real_set(name, *args, **kwargs)

    with mock.patch.object(shared, "set", set_after_deletion):
        yield
    assert done, "the deletion never ran"


@contextmanager
def deleted_during_async_cache_write(engine: _Store, key: str) -> Iterator[None]:
    """Async twin of :func:`deleted_during_cache_write`: the deletion lands just before the ``aset``."""
    shared = caches["sessions"]
    real_aset = shared.aset
    done: list[str] = []

    async def aset_after_deletion(name: str, *args: Any, **kwargs: Any) -> Any:
        if not done and name.endswith(key) and "deleted" not in name:
            done.append(name)
            await engine(key).aflush()
        return await real_aset(name, *args, **kwargs)

    with mock.patch.object(shared, "aset", aset_after_deletion):
        yield
    assert done, "the deletion never ran"


async def asaved_key(engine: _Store) -> str:
    """Async twin of :func:`saved`: the key of a new saved session holding a user's id."""
    session = engine()
    await session.aset("_auth_user_id", "1")
    await session.asave()
    key = session.session_key
    assert key is not None
    return key


def alive(engine: _Store, key: str) -> bool:
    """Whether a fresh store for ``key`` still finds a signed-in session."""
    return bool(engine().exists(key)) or "_auth_user_id" in engine(key).load()


class CacheEngineTests(TestCase):
    engine: type[TombstoneMixin] = cache.SessionStore
    django_engine: _Store = django_cache.SessionStore

    def test_a_save_after_a_deletion_is_refused(self):
        key = saved_key(self.engine)
        loaded = self.engine(key)
        loaded["x"] = 1  # loads, then changes
        self.engine(key).flush()  # a sign-out elsewhere
        with pytest.raises(UpdateError):
            loaded.save()
        assert not alive(self.engine, key)

    def test_a_deletion_between_the_check_and_the_write_is_not_undone(self):
        # The race Django's engine loses: it finds the session, the sign-out
        # deletes it, then it writes it back.
        key = saved_key(self.engine)
        loaded = self.engine(key)
        loaded["x"] = 1
        with (
            deleted_during_cache_write(loaded, self.engine, key),
            pytest.raises(UpdateError),
        ):
            loaded.save()
        assert not alive(self.engine, key)

    def test_djangos_engine_loses_that_race(self):
        # Why these engines exist: the same interleaving brings the session
        # back with Django's own engine (cached_db: the row is updated, the
        # sign-out deletes row and cache entry, then the session is cached
        # again, alive until the entry expires).
        django_engine = self.django_engine
        key = saved_key(django_engine)
        loaded = django_engine(key)
        loaded["x"] = 1
        with deleted_during_cache_write(loaded, django_engine, key):
            loaded.save()
        assert alive(django_engine, key)

    def test_sessions_work_as_djangos(self):
        key = saved_key(self.engine)
        again = self.engine(key)
        assert again["_auth_user_id"] == "1"
        again["x"] = 2
        again.save()
        assert self.engine(key)["x"] == 2
        # Django's engine reads what ours writes, and the other way round.
        assert self.django_engine(key)["x"] == 2

    def test_cycle_key_kills_the_old_key(self):
        session = saved(self.engine)
        old = session.session_key
        assert old is not None
        stale = self.engine(old)
        stale["x"] = 1
        session.cycle_key()
        assert session.session_key != old
        assert self.engine(session.session_key)["_auth_user_id"] == "1"
        with pytest.raises(UpdateError):
            stale.save()
        assert not alive(self.engine, old)

    def test_a_new_session_is_not_checked_against_marks(self):
        shared = caches["sessions"]
        with mock.patch.object(shared, "get", wraps=shared.get) as get:
            saved(self.engine)
        get.assert_not_called()

    def test_the_mark_expires(self):
        session = saved(self.engine)
        shared = caches["sessions"]
        with mock.patch.object(shared, "set", wraps=shared.set) as write:
            session.flush()
        [mark] = [call for call in write.call_args_list if "deleted" in call.args[0]]
        assert mark.args[2] == TOMBSTONE_TIMEOUT == 3600

    def test_flushing_an_empty_session_marks_nothing(self):
        shared = caches["sessions"]
        with mock.patch.object(shared, "set", wraps=shared.set) as write:
            self.engine().flush()
        write.assert_not_called()

    async def test_async_a_save_after_a_deletion_is_refused(self):
        key = await asaved_key(self.engine)
        loaded = self.engine(key)
        await loaded.aset("x", 1)
        await self.engine(key).aflush()
        with pytest.raises(UpdateError):
            await loaded.asave()
        assert not await self.engine().aexists(key)

    async def test_async_a_deletion_between_the_check_and_the_write(self):
        key = await asaved_key(self.engine)
        loaded = self.engine(key)
        await loaded.aset("x", 1)
        with (
            deleted_during_async_cache_write(self.engine, key),
            pytest.raises(UpdateError),
        ):
            await loaded.asave()
        assert not await self.engine().aexists(key)

    async def test_async_saves_and_flushes_as_djangos(self):
        key = await asaved_key(self.engine)
        again = self.engine(key)
        await again.aset("x", 2)
        await again.asave()
        assert await self.engine(key).aget("x") == 2
        await self.engine().adelete()  # no key: nothing to delete
        await again.aflush()
        assert not await self.engine().aexists(key)


class CachedDbEngineTests(CacheEngineTests):
    engine: type[TombstoneMixin] = cached_db.SessionStore
    django_engine: _Store = django_cached_db.SessionStore

    def test_a_read_from_the_database_is_not_cached_after_a_deletion(self):
        # A cache miss: the row is read, the sign-out deletes it, then the
        # read copies it into the cache.
        key = saved_key(self.engine)
        caches["sessions"].delete(self.engine.cache_key_prefix + key)
        reader = self.engine(key)
        with deleted_during_cache_write(reader, self.engine, key):
            assert reader.load() == {}
        assert reader.session_key is None
        assert not alive(self.engine, key)

    def test_a_read_from_the_database_is_cached(self):
        key = saved_key(self.engine)
        caches["sessions"].delete(self.engine.cache_key_prefix + key)
        assert self.engine(key).load() == {"_auth_user_id": "1"}
        with self.assertNumQueries(0):
            assert self.engine(key).load() == {"_auth_user_id": "1"}

    async def test_async_a_read_from_the_database_after_a_deletion(self):
        key = await asaved_key(self.engine)
        reader = self.engine(key)
        await caches["sessions"].adelete(self.engine.cache_key_prefix + key)
        with deleted_during_async_cache_write(self.engine, key):
            assert await reader.aload() == {}
        assert not await self.engine().aexists(key)

    async def test_async_a_read_from_the_database_is_cached(self):
        key = await asaved_key(self.engine)
        await caches["sessions"].adelete(self.engine.cache_key_prefix + key)
        assert await self.engine(key).aload() == {"_auth_user_id": "1"}
