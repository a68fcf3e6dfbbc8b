"""Every server-side session engine: db, cache and cached_db, Django's and ours.

``make test`` runs them on SQLite and local memory; CI runs them again with
``--ds=tests.settings_services``, on PostgreSQL and Redis.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from unittest import mock

from django.core.cache import caches
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from django_useauth.internal.lifetime import format_expires
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import sign_in
from tests.utils import store

if TYPE_CHECKING:
    _Base = TestCase
else:
    _Base = object


class StoreTests(_Base):
    """The tests every engine must pass; mixed into a TestCase per engine."""

    # Queries of a signed-in GET /api/auth/session on this engine.
    signed_in_queries: int

    def setUp(self):
        caches["sessions"].clear()
        self.user = make_user()
        self.client = csrf_client()

    def key(self, client=None):
        return (client or self.client).cookies["sessionid"].value

    def test_sign_in_and_read(self):
        sign_in(self.client)
        assert store().exists(self.key())
        body = self.client.get("/api/auth/session").json()
        assert body["user"]["email"] == "ada@example.com"
        stored = store(self.key())
        assert body["expires"] == format_expires(stored.get_expiry_date())

    def test_query_counts(self):
        with self.assertNumQueries(0):
            assert self.client.get("/api/auth/session").json() == {}
        sign_in(self.client)
        with self.assertNumQueries(self.signed_in_queries):
            assert self.client.get("/api/auth/session").json() != {}

    def test_sign_out_deletes_the_server_side_session(self):
        sign_in(self.client)
        key = self.key()
        self.client.post("/api/auth/signout", {"csrfToken": csrf_token(self.client)})
        assert not store().exists(key)
        copied = csrf_client()
        copied.cookies["sessionid"] = key
        assert copied.get("/api/auth/session").json() == {}
        assert not store().exists(key)

    def test_password_change_ends_other_sessions(self):
        sign_in(self.client)
        other = csrf_client()
        sign_in(other)
        self.user.set_password("a new password")
        self.user.save()
        assert self.client.get("/api/auth/session").json() == {}
        assert other.get("/api/auth/session").json() == {}

    def test_deactivated_user(self):
        sign_in(self.client)
        self.user.is_active = False
        self.user.save()
        assert self.client.get("/api/auth/session").json() == {}

    def test_unknown_session(self):
        self.client.cookies["sessionid"] = "x" * 32
        assert self.client.get("/api/auth/session").json() == {}
        assert not store().exists("x" * 32)

    def test_expired_session(self):
        sign_in(self.client)
        session = store(self.key())
        session.set_expiry(timezone.now() - timedelta(seconds=1))
        session.save()
        assert self.client.get("/api/auth/session").json() == {}

    def test_expiry_checked_on_read(self):
        # A store that still returns a session past its expiry (a clock or
        # timeout that disagrees) is not believed.
        sign_in(self.client)
        later = timezone.now() + timedelta(days=31)
        with mock.patch("django_useauth.middleware.timezone.now", return_value=later):
            assert self.client.get("/api/auth/session").json() == {}

    def test_refresh_writes_once_per_update_age(self):
        sign_in(self.client)
        session = store(self.key())
        old = timezone.now() - timedelta(days=1, minutes=1)
        session.set_expiry(old + timedelta(days=30))
        session[REFRESHED_AT_KEY] = old.isoformat()
        session.save()
        first = self.client.get("/api/auth/session").json()["expires"]
        stored = store(self.key())
        assert stored.get_expiry_date() > timezone.now() + timedelta(days=29, hours=23)
        # The new refresh time is a whole update_age after the old one.
        assert stored[REFRESHED_AT_KEY] == (old + timedelta(days=1)).isoformat()
        assert self.client.get("/api/auth/session").json()["expires"] == first


class DbStoreTests(StoreTests, TestCase):
    # The session row, then the user.
    signed_in_queries = 2


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache")
class CacheStoreTests(StoreTests, TestCase):
    # The session comes from the cache; the user from the database.
    signed_in_queries = 1


@override_settings(SESSION_ENGINE="django_useauth.sessions.cached_db")
class CachedDbStoreTests(StoreTests, TestCase):
    # Read through the cache: only the user from the database.
    signed_in_queries = 1


# Django's own engines work too (with check useauth.W005's race).
@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache")
class DjangoCacheStoreTests(StoreTests, TestCase):
    signed_in_queries = 1


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
class DjangoCachedDbStoreTests(StoreTests, TestCase):
    signed_in_queries = 1


class SignedCookiesTests(TestCase):
    @override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
    def test_refused_by_the_checks(self):
        from django_useauth.checks import check_session_engine

        assert [message.id for message in check_session_engine()] == ["useauth.E006"]
