"""USEAUTH_SESSION_CACHE: session reads without SQL, and every way the cached payload goes away."""

from __future__ import annotations

import threading

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connections
from django.db import transaction
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import TransactionTestCase
from django.test import override_settings

from django_useauth.internal.usercache import forget_user
from django_useauth.usercache import forget_users
from tests.utils import CACHED_SESSIONS
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import read_session
from tests.utils import sign_in
from tests.utils import stolen_session
from tests.utils import user_cache_key


@override_settings(**CACHED_SESSIONS)
class ZeroQueryTests(TestCase):
    def setUp(self):
        self.user = make_user()
        self.client = csrf_client()
        sign_in(self.client)
        # The first read verifies the session the Django way and fills the cache.
        self.first = self.client.get("/api/auth/session").json()

    def session(self, client=None):
        return (client or self.client).get("/api/auth/session").json()

    def test_no_query(self):
        with self.assertNumQueries(0):
            assert self.session() == self.first
        assert self.first["user"] == {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "image": None,
        }

    async def test_no_user_load_async(self):
        from unittest import mock

        self.async_client.cookies = self.client.cookies
        # Loading the user would fail (and read as signed out): the payload
        # must come from the cache.
        with mock.patch(
            "django.contrib.auth.aget_user", side_effect=AssertionError("loaded")
        ):
            body = (await self.async_client.get("/astatus/")).json()
        assert body == {"status": "authenticated", "data": self.first}

    def test_user_edit(self):
        self.user.first_name = "Augusta"
        self.user.save()
        assert self.session()["user"]["name"] == "Augusta Lovelace"

    def test_password_change_ends_other_sessions(self):
        other = csrf_client()
        sign_in(other)
        self.session(other)
        self.user.set_password("a brand new password")
        self.user.save()
        assert self.session() == {}
        assert self.session(other) == {}

    def test_deactivation(self):
        self.user.is_active = False
        self.user.save()
        assert self.session() == {}

    def test_deletion(self):
        self.user.delete()
        assert self.session() == {}

    def test_sign_out(self):
        self.client.post("/api/auth/signout", {"csrfToken": csrf_token(self.client)})
        assert self.session() == {}

    def test_session_update(self):
        with self.settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session"):
            import json

            response = self.client.post(
                "/api/auth/session",
                json.dumps(
                    {"csrfToken": csrf_token(self.client), "data": {"theme": "dark"}}
                ),
                content_type="application/json",
            )
            assert response.json()["theme"] == "dark"
            # The callback still sees the user (loaded when it reads it).
            assert self.session()["user"]["id"] == self.user.pk

    def test_queryset_update_waits_for_the_timeout(self):
        # update() skips save() and its signal: documented to last until the
        # entry expires (USEAUTH_SESSION_CACHE_TIMEOUT).
        User.objects.filter(pk=self.user.pk).update(first_name="Changed")
        assert self.session()["user"]["name"] == "Ada Lovelace"
        caches["sessions"].delete(user_cache_key(self.user.pk))
        assert self.session()["user"]["name"] == "Changed Lovelace"

    def test_entry_needs_the_same_backend_and_hash(self):
        key = user_cache_key(self.user.pk)
        entry = caches["sessions"].get(key)
        caches["sessions"].set(key, {**entry, "hash": "forged"})
        with self.assertNumQueries(1):
            assert self.session()["user"]["name"] == "Ada Lovelace"
        caches["sessions"].set(key, {**entry, "backend": "some.other.Backend"})
        with self.assertNumQueries(1):
            assert self.session() != {}
        caches["sessions"].set(key, "junk")
        assert self.session() != {}

    def test_backend_no_longer_configured(self):
        with self.settings(
            AUTHENTICATION_BACKENDS=["django_useauth.backends.EmailBackend"]
        ):
            assert self.session() == {}


@override_settings(
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    USEAUTH_SESSION_CACHE="default",
)
class DatabaseStoreTests(TestCase):
    def test_one_query(self):
        make_user()
        client = csrf_client()
        sign_in(client)
        client.get("/api/auth/session")
        # Only the session row; the user comes from the cache.
        with self.assertNumQueries(1):
            assert (
                client.get("/api/auth/session").json()["user"]["name"] == "Ada Lovelace"
            )

    def test_signed_out(self):
        with self.assertNumQueries(0):
            assert self.client.get("/api/auth/session").json() == {}


class OffByDefaultTests(TestCase):
    def test_nothing_cached(self):
        user = make_user()
        client = csrf_client()
        sign_in(client)
        client.get("/api/auth/session")
        assert caches["default"].get(user_cache_key(user.pk)) is None
        assert caches["sessions"].get(user_cache_key(user.pk)) is None


@override_settings(**CACHED_SESSIONS)
class ForgetUsersTests(TestCase):
    def test_R3_queryset_update_then_forget_users(self):
        # update() sends no signal: forget_users() is the documented way to
        # end the cached payload after it.
        ada = make_user()
        grace = make_user("grace", first_name="Grace", last_name="Hopper")
        thieves = [stolen_session(), stolen_session("grace")]
        User.objects.filter(pk__in=[ada.pk, grace.pk]).update(is_active=False)
        assert all(read_session(thief) != {} for thief in thieves)
        forget_users(ada, grace.pk)
        assert all(read_session(thief) == {} for thief in thieves)

    def test_R3_forget_users_without_the_cache_does_nothing(self):
        caches["sessions"].set(user_cache_key(1), "entry")
        with self.settings(USEAUTH_SESSION_CACHE=None):
            forget_users(1)
        assert caches["sessions"].get(user_cache_key(1)) == "entry"

    def test_R3_receiver_ignores_other_rows(self):
        # A model that is not the user row shares no cache key with a user.
        caches["sessions"].set(user_cache_key(1), "entry")
        forget_user(sender=Session, instance=Session(session_key="1"))
        assert caches["sessions"].get(user_cache_key(1)) == "entry"


class UserModelChangedTests(SimpleTestCase):
    def test_R3_unknown_user_model_is_not_watched(self):
        from django.db.models.signals import post_save

        before = len(post_save.receivers)
        # override_settings must not fail on a model that does not exist.
        with self.settings(AUTH_USER_MODEL="tests.Nobody"):
            assert len(post_save.receivers) == before


def _read_in_another_thread(client):
    # A request served by another thread, on its own database connection:
    # it sees only what is committed.
    result = {}

    def read():
        try:
            result["body"] = client.get("/api/auth/session").json()
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return result["body"]


@override_settings(**CACHED_SESSIONS)
class CommitTests(TransactionTestCase):
    def test_R4_payload_cached_again_inside_the_transaction_is_cleared_after_commit(
        self,
    ):
        user = make_user()
        thief = csrf_client()
        sign_in(thief)
        assert thief.get("/api/auth/session").json() != {}
        with transaction.atomic():
            user.set_password("a brand new password")
            user.is_active = False
            user.save()
            assert caches["sessions"].get(user_cache_key(user.pk)) is None
            # Before the commit, a concurrent read still finds the old row
            # (active, old password hash) and caches its payload again.
            assert _read_in_another_thread(thief)["user"]["name"] == "Ada Lovelace"
            assert caches["sessions"].get(user_cache_key(user.pk)) is not None
        assert caches["sessions"].get(user_cache_key(user.pk)) is None
        assert thief.get("/api/auth/session").json() == {}

    def test_R4_forget_users_inside_a_transaction_clears_again_after_commit(self):
        user = make_user()
        thief = csrf_client()
        sign_in(thief)
        assert thief.get("/api/auth/session").json() != {}
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(is_active=False)
            forget_users(user)
            _read_in_another_thread(thief)
            assert caches["sessions"].get(user_cache_key(user.pk)) is not None
        assert caches["sessions"].get(user_cache_key(user.pk)) is None
        assert thief.get("/api/auth/session").json() == {}
