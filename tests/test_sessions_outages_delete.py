"""Deleting ``cached_db`` sessions around an outage (issue 16): a failed sign-out leaves the session as it was.

``cached_db`` marks a session's key in its cache before it deletes the row
(tests/test_sessions.py). When the database then fails, the row is still
there: the mark is removed again, so the session is neither half signed out
(read as empty once its copy is gone, refused as "deleted" at its next save)
nor stuck (the sign-out can be asked again). And the copies this process owes
a deletion (``stale_copies``) stay owed when a key is remembered again while
they are being deleted.
"""

from __future__ import annotations

from unittest import mock

import pytest
import redis
from django.core.cache import caches
from django.test import TestCase
from django.test import override_settings

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import stale_copies
from django_useauth.sessions import cached_db
from tests.outage_utils import database_down
from tests.outage_utils import no_cool_down
from tests.test_sessions import asaved_key
from tests.test_sessions import saved_key
from tests.test_sessions_outages import PREFIX
from tests.test_sessions_outages import copy
from tests.test_sessions_outages import row_exists
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import read_session
from tests.utils import session_key
from tests.utils import signed_in_client

SIGNED_IN = {"_auth_user_id": "1"}


class DatabaseDownDuringDeleteTests(TestCase):
    """The mark is written, then the database fails to delete the row (simulated: tests/outage_utils.py)."""

    engine = cached_db.SessionStore

    def setUp(self):
        self.enterContext(no_cool_down())

    def assert_as_before(self, key: str) -> None:
        assert row_exists(key)
        # Saved again: a mark left behind would take the write back
        # (UpdateError, a 400 "SessionInterrupted").
        session = self.engine(key)
        session["x"] = 2
        session.save()
        # Read from its row once its copy is gone: a mark left behind would
        # read it as deleted.
        caches["sessions"].delete(PREFIX + key)
        assert self.engine(key).load() == {**SIGNED_IN, "x": 2}

    def test_the_session_is_as_it_was(self):
        key = saved_key(self.engine)
        with database_down(), pytest.raises(StoreUnavailable) as raised:
            self.engine(key).delete()
        assert raised.value.store == "database"
        assert copy(key) == SIGNED_IN
        self.assert_as_before(key)
        # The sign-out, asked again, signs out.
        self.engine(key).delete()
        assert not row_exists(key)
        assert copy(key) is None
        assert self.engine(key).load() == {}

    async def test_async_the_session_is_as_it_was(self):
        key = await asaved_key(self.engine)
        with database_down(), pytest.raises(StoreUnavailable) as raised:
            await self.engine(key).adelete()
        assert raised.value.store == "database"
        session = self.engine(key)
        await session.aset("x", 2)
        await session.asave()
        await caches["sessions"].adelete(PREFIX + key)
        assert await self.engine(key).aload() == {**SIGNED_IN, "x": 2}
        await self.engine(key).adelete()
        assert await self.engine(key).aload() == {}

    def test_a_mark_that_cannot_be_removed_still_raises_the_databases_outage(self):
        # Best effort: the cache fails too, after the mark.
        key = saved_key(self.engine)
        failing = redis.exceptions.ConnectionError("connection reset")
        with (
            database_down(),
            mock.patch.object(caches["sessions"], "delete", side_effect=failing),
            pytest.raises(StoreUnavailable) as raised,
        ):
            self.engine(key).delete()
        assert raised.value.store == "database"
        assert row_exists(key)

    async def test_async_a_mark_that_cannot_be_removed_still_raises(self):
        key = await asaved_key(self.engine)
        failing = redis.exceptions.ConnectionError("connection reset")
        with (
            database_down(),
            mock.patch.object(caches["sessions"], "adelete", side_effect=failing),
            pytest.raises(StoreUnavailable) as raised,
        ):
            await self.engine(key).adelete()
        assert raised.value.store == "database"


@override_settings(SESSION_ENGINE="django_useauth.sessions.cached_db")
class SignOutWhileTheDatabaseIsDownTests(TestCase):
    """``POST /api/auth/signout`` whose deletion of the row fails, then again once the database is back."""

    def setUp(self):
        make_user()
        self.client = signed_in_client()
        self.key = session_key(self.client)

    def sign_out(self):
        data = {"csrfToken": csrf_token(self.client), "json": "true"}
        return self.client.post("/api/auth/signout", data)

    def test_503_then_signed_in_still_then_signed_out(self):
        # Only the row's deletion fails (simulated): the requests' other
        # queries (the user's) must work for the sign-out to get that far.
        down = StoreUnavailable("database")
        with mock.patch.object(cached_db.SessionStore, "_db_delete", side_effect=down):
            assert self.sign_out().status_code == 503
        # Its copy evicted (an LRU, a restarted Redis): read from the row.
        caches["sessions"].delete(PREFIX + self.key)
        assert read_session(self.client)["user"]["name"] == "Ada Lovelace"
        assert self.sign_out().status_code == 200
        assert not row_exists(self.key)
        assert read_session(self.client) == {}


class StaleCopiesTests(TestCase):
    """A key remembered again while its copy is being deleted stays remembered."""

    def test_forget_keeps_a_key_remembered_again(self):
        stale_copies.remember("a")
        stale_copies.remember("b")
        snapshot = stale_copies.keys()
        stale_copies.remember("a")
        stale_copies.forget(snapshot)
        assert list(stale_copies.keys()) == ["a"]
        stale_copies.forget(stale_copies.keys())
        assert stale_copies.keys() == {}

    def test_a_key_remembered_again_during_the_deletion_of_its_copy(self):
        # Another thread of this process fails to write the copy while this
        # one deletes the stale copies: that newer copy is stale too.
        engine = cached_db.SessionStore
        key = saved_key(engine)
        stale_copies.remember(PREFIX + key)
        shared = caches["sessions"]
        delete_many = shared.delete_many

        def remembered_again_meanwhile(keys):
            delete_many(keys)
            stale_copies.remember(PREFIX + key)

        with mock.patch.object(
            shared, "delete_many", side_effect=remembered_again_meanwhile
        ):
            assert engine(key).load() == SIGNED_IN
        assert list(stale_copies.keys()) == [PREFIX + key]
