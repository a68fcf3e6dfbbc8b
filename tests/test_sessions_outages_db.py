"""``django_useauth.sessions.db`` while its database is down (issue 16), beside Django's ``db`` engine.

The database is made to fail under the ORM (every SQL statement raises
Django's ``OperationalError``, as with a PostgreSQL that stopped): SQLite
cannot be stopped under a running test. tests/test_faults.py stops a real
PostgreSQL under load.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.test import TestCase
from django.test import override_settings

from django_useauth.exceptions import StoreUnavailable
from django_useauth.sessions import db
from tests.outage_utils import database_down
from tests.outage_utils import no_cool_down
from tests.test_sessions import asaved_key
from tests.test_sessions import saved_key
from tests.utils import make_user
from tests.utils import read_session
from tests.utils import signed_in_client

engine = db.SessionStore


def changed(key: str) -> db.SessionStore:
    """A loaded session ``key`` with one change, ready to be saved."""
    session = engine(key)
    session["x"] = 2
    return session


class DbEngineTests(TestCase):
    def setUp(self):
        # Each call reaches the (failing) database, not the cool-down.
        self.enterContext(no_cool_down())

    def test_every_read_and_write_raises(self):
        key = saved_key(engine)
        session = changed(key)
        with database_down():
            with pytest.raises(StoreUnavailable):
                engine(key).load()
            with pytest.raises(StoreUnavailable):
                engine().exists(key)
            # Not UpdateError: that is a 400 saying a concurrent request
            # signed the user out.
            with pytest.raises(StoreUnavailable) as raised:
                session.save()
            assert isinstance(raised.value.__cause__, OperationalError)
            fresh = engine()
            fresh["x"] = 1
            with pytest.raises(StoreUnavailable):
                fresh.save()
            with pytest.raises(StoreUnavailable):
                engine(key).delete()
        assert engine(key).load() == {"_auth_user_id": "1"}

    def test_djangos_engine(self):
        # A read is a 500; a save of an existing session says it was deleted.
        key = saved_key(django_db.SessionStore)
        session = django_db.SessionStore(key)
        session["x"] = 2
        with database_down():
            with pytest.raises(OperationalError):
                django_db.SessionStore(key).load()
            with pytest.raises(UpdateError):
                session.save()

    def test_a_session_deleted_meanwhile_is_still_an_update_error(self):
        key = saved_key(engine)
        session = changed(key)
        Session.objects.filter(session_key=key).delete()
        with pytest.raises(UpdateError):
            session.save()

    def test_sessions_work_as_djangos(self):
        key = saved_key(engine)
        session = changed(key)
        session.save()
        assert django_db.SessionStore(key)["x"] == 2
        assert engine().exists(key)
        engine(key).delete()
        engine().delete()  # no key: nothing to delete
        assert not engine().exists(key)

    async def test_async_every_read_and_write_raises(self):
        key = await asaved_key(engine)
        session = engine(key)
        await session.aset("x", 2)
        with database_down():
            with pytest.raises(StoreUnavailable):
                await engine(key).aload()
            with pytest.raises(StoreUnavailable):
                await engine().aexists(key)
            with pytest.raises(StoreUnavailable):
                await session.asave()
            fresh = engine()
            await fresh.aset("x", 1)
            with pytest.raises(StoreUnavailable):
                await fresh.asave()
            with pytest.raises(StoreUnavailable):
                await engine(key).adelete()
        assert await engine(key).aload() == {"_auth_user_id": "1"}

    async def test_async_a_session_deleted_meanwhile_is_still_an_update_error(self):
        key = await asaved_key(engine)
        session = engine(key)
        await session.aset("x", 2)
        await Session.objects.filter(session_key=key).adelete()
        with pytest.raises(UpdateError):
            await session.asave()
        await session.asave(must_create=True)
        await engine(key).adelete()
        assert not await engine().aexists(key)


@override_settings(SESSION_ENGINE="django_useauth.sessions.db")
class DbEngineRequestTests(TestCase):
    def setUp(self):
        self.enterContext(no_cool_down())

    def test_a_read_during_the_outage_keeps_the_cookie_and_answers_503(self):
        make_user()
        client = signed_in_client()
        with database_down():
            response = client.get("/api/auth/session")
        assert response.status_code == 503
        assert response.json() == {}
        assert "sessionid" not in response.cookies
        # Back: still signed in.
        assert read_session(client)["user"]["email"] == "ada@example.com"
