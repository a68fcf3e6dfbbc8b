"""``UseAuthAuthentication``: DRF requests authenticated from the session as ``request.auth`` reads it.

Signed in, the view's ``request.auth`` is the request's ``AuthDetails``
(``.status``, ``.data``, ``.last_refreshed_at``) and ``request.user`` is
Django's; a session that ``GET /api/auth/session`` would not answer (past
its end, past ``USEAUTH_ABSOLUTE_MAX_AGE``, a deactivated user) does not
authenticate, and DRF answers ``401`` with ``WWW-Authenticate: Session
realm="api"``. A due session is extended as ``GET /api/auth/session``
extends it. Unsafe methods need Django's CSRF token (tests/test_drf_csrf.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta
from unittest import mock

from django.contrib.auth.models import User
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone
from rest_framework.request import Request

from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from django_useauth.internal.lifetime import format_expires
from django_useauth.middleware import AuthDetails
from django_useauth.middleware import get_auth
from django_useauth.rest_framework import UseAuthAuthentication
from tests.drf_utils import CHALLENGE
from tests.drf_utils import DRF_URLS
from tests.drf_utils import SIGNED_OUT_GET_AUTH
from tests.drf_utils import assert_challenged
from tests.drf_utils import http_request
from tests.utils import MODEL_BACKEND
from tests.utils import csrf_client
from tests.utils import csrf_headers
from tests.utils import make_user
from tests.utils import past_its_end
from tests.utils import read_session
from tests.utils import refreshed_at
from tests.utils import session_exists
from tests.utils import session_key
from tests.utils import signed_in_ago
from tests.utils import signed_in_client
from tests.utils import stored


@override_settings(**DRF_URLS)
class SignedInTests(TestCase):
    def setUp(self):
        self.user = make_user()
        self.client = signed_in_client()

    def test_request_auth_is_the_auth_details(self):
        session = read_session(self.client)
        body = self.client.get("/drf/me/").json()
        assert body["requestAuth"] == "AuthDetails"
        assert body["sameAsGetAuth"] is True
        assert body["status"] == "authenticated"
        # The same session object GET /api/auth/session answers.
        assert body["data"] == session
        assert body["data"]["user"] == {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "image": None,
        }
        assert body["lastRefreshedAt"] == stored(self.client)[REFRESHED_AT_KEY]

    def test_function_view(self):
        body = self.client.get("/drf/fn/me/").json()
        assert body["requestAuth"] == "AuthDetails"
        assert body["status"] == "authenticated"
        assert body["data"] == read_session(self.client)

    def test_request_user_is_django_s(self):
        assert self.client.get("/drf/username/").json() == {"username": "ada"}

    def test_drf_is_authenticated_accepts_it(self):
        response = self.client.get("/drf/is-authenticated/")
        assert response.status_code == 200
        assert response.json()["requestAuth"] == "AuthDetails"

    def test_open_view_sees_the_session(self):
        body = self.client.get("/drf/optional/").json()
        assert body == {
            "requestAuth": "AuthDetails",
            "status": "authenticated",
            "data": read_session(self.client),
            "signedIn": True,
            "user": "ada",
        }

    def test_subclass(self):
        body = self.client.get("/drf/team/").json()
        assert body["requestAuth"] == "AuthDetails"
        assert body["status"] == "authenticated"

    def test_sign_out_from_the_view(self):
        key = session_key(self.client)
        response = self.client.post("/drf/sign-out/", headers=csrf_headers(self.client))
        assert response.status_code == 200
        # request.auth follows the sign-out it made.
        assert response.json() == {
            "url": "http://testserver/bye/",
            "status": "unauthenticated",
        }
        assert not session_exists(key)
        assert_challenged(self.client.get("/drf/me/"))


@override_settings(**DRF_URLS)
class SignedOutTests(TestCase):
    def test_no_cookie(self):
        assert_challenged(self.client.get("/drf/me/"))
        assert_challenged(self.client.get("/drf/fn/me/"))
        assert_challenged(self.client.get("/drf/is-authenticated/"))

    def test_unknown_session(self):
        self.client.cookies["sessionid"] = "x" * 32
        assert_challenged(self.client.get("/drf/me/"))

    def test_subclass_realm(self):
        assert_challenged(self.client.get("/drf/team/"), realm="team")

    def test_open_view(self):
        # Nobody authenticated: DRF leaves its own defaults in request.auth
        # and request.user; the details still say signed out.
        assert self.client.get("/drf/optional/").json() == SIGNED_OUT_GET_AUTH

    def test_authenticate_answers_none(self):
        request = Request(http_request(path="/drf/me/"))
        assert UseAuthAuthentication().authenticate(request) is None
        assert UseAuthAuthentication().authenticate_header(request) == CHALLENGE

    def test_authenticate_answers_the_user_and_the_details(self):
        user = make_user()
        signed_in = http_request(user, "/drf/me/")
        request = Request(signed_in)
        answer = UseAuthAuthentication().authenticate(request)
        assert answer is not None
        answered_user, details = answer
        assert answered_user == user
        assert isinstance(details, AuthDetails)
        assert details is get_auth(signed_in)
        assert details.status == "authenticated"


@override_settings(**DRF_URLS)
class EndedSessionTests(TestCase):
    """A session that GET /api/auth/session would not answer does not authenticate either."""

    def setUp(self):
        self.user = make_user()
        self.client = signed_in_client()
        self.key = session_key(self.client)

    def test_expired_in_the_store(self):
        session = stored(self.client)
        session.set_expiry(timezone.now() - timedelta(seconds=1))
        session.save()
        assert_challenged(self.client.get("/drf/me/"))
        assert read_session(self.client) == {}

    def test_past_its_end(self):
        # A browser-session cookie's session, which the store keeps after its
        # end: only the session's lifetime rules end it, and they flush it.
        past_its_end(self.client)
        assert session_exists(self.key)
        assert_challenged(self.client.get("/drf/me/"))
        assert not session_exists(self.key)
        assert read_session(self.client) == {}

    def test_past_its_end_in_an_open_view(self):
        past_its_end(self.client)
        body = self.client.get("/drf/optional/").json()
        assert (body["status"], body["user"], body["requestAuth"]) == (
            "unauthenticated",
            "",
            "NoneType",
        )
        assert not session_exists(self.key)

    def test_signed_in_before_the_absolute_max_age(self):
        # Signed in two days ago; the project then set the absolute lifetime
        # to one day: the session's own expiry is still weeks ahead.
        signed_in_ago(self.client, timedelta(days=2))
        assert stored(self.client).get_expiry_date() > timezone.now() + timedelta(
            days=29
        )
        with self.settings(USEAUTH_ABSOLUTE_MAX_AGE=timedelta(days=1)):
            assert_challenged(self.client.get("/drf/me/"))
            assert not session_exists(self.key)
            assert read_session(self.client) == {}

    def test_within_the_absolute_max_age(self):
        signed_in_ago(self.client, timedelta(hours=12))
        with self.settings(USEAUTH_ABSOLUTE_MAX_AGE=timedelta(days=1)):
            body = self.client.get("/drf/me/").json()
        assert body["status"] == "authenticated"
        assert session_exists(self.key)

    def test_deactivated_user(self):
        self.user.is_active = False
        self.user.save()
        assert_challenged(self.client.get("/drf/me/"))
        # Flushed, as request.auth flushes it: a reactivation does not bring it back.
        assert not session_exists(self.key)
        self.user.is_active = True
        self.user.save()
        assert_challenged(self.client.get("/drf/me/"))

    def test_deleted_user(self):
        User.objects.filter(pk=self.user.pk).delete()
        assert_challenged(self.client.get("/drf/me/"))
        assert not session_exists(self.key)

    def test_unreadable_store_reads_signed_out(self):
        with (
            mock.patch(
                "django.contrib.sessions.backends.db.SessionStore.load",
                side_effect=RuntimeError("store down"),
            ),
            self.assertLogs("django_useauth.middleware", logging.ERROR) as logs,
        ):
            response = self.client.get("/drf/me/")
        assert_challenged(response)
        assert "treating the request as signed out" in logs.output[0]
        # Back up, the session is still there.
        assert self.client.get("/drf/me/").json()["status"] == "authenticated"

    def test_password_changed_elsewhere(self):
        self.user.set_password("a brand new password")
        self.user.save()
        assert_challenged(self.client.get("/drf/me/"))


@override_settings(**DRF_URLS)
class SlidingRefreshTests(TestCase):
    """A due session is extended on a DRF request exactly as on GET /api/auth/session."""

    def setUp(self):
        make_user()
        self.api = signed_in_client()
        self.endpoint = signed_in_client()

    def test_same_extension_as_the_session_endpoint(self):
        old = timezone.now() - timedelta(days=3, hours=2)
        # The same age for both sessions, from the same instant.
        refreshed_at(self.api, old)
        refreshed_at(self.endpoint, old)

        body = self.api.get("/drf/me/").json()
        answered = self.endpoint.get("/api/auth/session").json()

        by_api, by_endpoint = stored(self.api), stored(self.endpoint)
        # A whole number of update ages (one day) after the old refresh.
        refreshed = old + timedelta(days=3)
        assert by_api[REFRESHED_AT_KEY] == refreshed.isoformat()
        assert by_api[REFRESHED_AT_KEY] == by_endpoint[REFRESHED_AT_KEY]
        assert by_api.get_expiry_date() == refreshed + timedelta(days=30)
        assert by_api.get_expiry_date() == by_endpoint.get_expiry_date()
        # The view saw the extended session.
        assert body["data"]["expires"] == answered["expires"]
        assert body["data"]["expires"] == format_expires(by_api.get_expiry_date())
        assert body["lastRefreshedAt"] == refreshed.isoformat()

    def test_not_due_writes_nothing(self):
        before = stored(self.api)
        body = self.api.get("/drf/me/").json()
        after = stored(self.api)
        assert after[REFRESHED_AT_KEY] == before[REFRESHED_AT_KEY]
        assert after.get_expiry_date() == before.get_expiry_date()
        assert body["data"]["expires"] == format_expires(before.get_expiry_date())

    def test_refresh_in_a_viewset(self):
        old = timezone.now() - timedelta(days=1, minutes=1)
        refreshed_at(self.api, old)
        assert self.api.get("/drf/notes/").status_code == 200
        refreshed = old + timedelta(days=1)
        assert stored(self.api)[REFRESHED_AT_KEY] == refreshed.isoformat()

    def test_refresh_of_a_session_signed_in_elsewhere(self):
        # A session from Django's login() has no refresh time: its first DRF
        # read gives it the lifetime, as its first GET /api/auth/session would.
        user = User.objects.get(username="ada")
        client = csrf_client()
        client.force_login(user, backend=MODEL_BACKEND)
        before = timezone.now()
        body = client.get("/drf/me/").json()
        assert body["status"] == "authenticated"
        refreshed = datetime.fromisoformat(body["lastRefreshedAt"])
        assert before <= refreshed <= timezone.now()
        assert stored(client).get_expiry_date() == refreshed + timedelta(days=30)
