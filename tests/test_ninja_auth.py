"""``auth=useauth`` in sync django-ninja operations: who is let in, and what ``request.auth`` is.

On an operation, on a ``Router`` and on the ``NinjaAPI``; signed in, signed
out, past the session's end, past ``USEAUTH_ABSOLUTE_MAX_AGE``, deactivated;
the sliding refresh; the roles pattern (a ``UseAuth`` subclass). CSRF is in
tests/test_ninja_csrf.py, async operations in tests/test_ninja_async.py.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from unittest import mock

from asgiref.sync import iscoroutinefunction
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone
from ninja.security import APIKeyCookie

from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from django_useauth.internal.lifetime import format_expires
from django_useauth.ninja import UseAuth
from django_useauth.ninja import useauth
from tests.ninja_utils import BEARER
from tests.ninja_utils import NINJA_URLS
from tests.ninja_utils import UNAUTHORIZED
from tests.ninja_utils import VIA_BEARER
from tests.ninja_utils import VIA_SESSION
from tests.ninja_utils import described
from tests.ninja_utils import first_name
from tests.utils import JSON
from tests.utils import ROLES_CALLBACK
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import past_its_end
from tests.utils import post_with_csrf
from tests.utils import read_session
from tests.utils import refreshed_at
from tests.utils import session_exists
from tests.utils import session_key
from tests.utils import sign_in
from tests.utils import signed_in_ago
from tests.utils import signed_in_client
from tests.utils import stored

#: The same operation with ``auth=useauth`` on the operation, its Router, the NinjaAPI.
ME = {
    "operation": "/ninja/ops/me",
    "router": "/ninja/router/session/me",
    "api": "/ninja/api/me",
}

#: A POST that renames the user, per place of ``auth=useauth``.
RENAME = {
    "operation": "/ninja/ops/rename",
    "router": "/ninja/router/session/rename",
    "api": "/ninja/api/rename",
}


class UseAuthObjectTests(TestCase):
    def test_is_a_sync_cookie_scheme(self):
        assert isinstance(useauth, UseAuth)
        assert isinstance(useauth, APIKeyCookie)
        # Ninja awaits callbacks it finds async and runs the others through
        # sync_to_async in async operations.
        assert useauth.is_async is False
        assert not iscoroutinefunction(useauth)
        assert not iscoroutinefunction(useauth.authenticate)
        assert useauth.csrf is True
        assert UseAuth(csrf=False).csrf is False
        assert useauth.param_name == "sessionid"


@NINJA_URLS
class SignedOutTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_ninjas_own_401(self):
        # Ninja's own answer, byte for byte: the same as its django_auth's.
        reference = self.client.get("/ninja/ops/django-auth")
        assert reference.status_code == 401
        for place, url in ME.items():
            with self.subTest(place):
                response = self.client.get(url)
                assert response.status_code == 401
                assert response.json() == UNAUTHORIZED
                assert response.content == reference.content
                assert response["Content-Type"] == reference["Content-Type"]

    def test_post_signed_out_is_401_not_403(self):
        # A signed-out request is not CSRF-checked: it is simply not accepted.
        for place, url in RENAME.items():
            with self.subTest(place):
                response = self.client.post(url, {"name": "Mallory"}, content_type=JSON)
                assert response.status_code == 401
                assert response.json() == UNAUTHORIZED
        assert first_name() == "Ada"

    def test_unknown_session_cookie(self):
        self.client.cookies["sessionid"] = "x" * 32
        response = self.client.get("/ninja/ops/me")
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
        assert not session_exists("x" * 32)

    def test_signed_out_again(self):
        sign_in(self.client)
        assert self.client.get("/ninja/ops/me").status_code == 200
        self.client.post("/api/auth/signout", {"csrfToken": csrf_token(self.client)})
        response = self.client.get("/ninja/ops/me")
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)

    def test_router_auth_leaves_other_routers_and_operations_open(self):
        for url in ("/ninja/router/public/hello", "/ninja/ops/public"):
            with self.subTest(url):
                response = self.client.get(url)
                assert response.status_code == 200
                assert response.json() == {
                    "status": "unauthenticated",
                    "isRequestAuth": True,
                }
        sign_in(self.client)
        assert self.client.get("/ninja/router/public/hello").json() == {
            "status": "authenticated",
            "isRequestAuth": True,
        }


@NINJA_URLS
class SignedInTests(TestCase):
    def setUp(self):
        self.user = make_user()
        self.client = signed_in_client()

    def test_request_auth_is_the_auth_details(self):
        session = read_session(self.client)
        stamp = stored(self.client)[REFRESHED_AT_KEY]
        for place, url in ME.items():
            with self.subTest(place):
                response = self.client.get(url)
                assert response.status_code == 200
                assert response.json() == described(session, stamp)

    def test_data_is_the_session_object(self):
        data = self.client.get("/ninja/api/me").json()["data"]
        assert data["user"] == {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "image": None,
        }
        expiry = stored(self.client).get_expiry_date()
        assert data["expires"] == format_expires(expiry)

    def test_post_with_csrf_token(self):
        for place, url in RENAME.items():
            with self.subTest(place):
                response = post_with_csrf(self.client, url, {"name": place})
                assert response.status_code == 200
                assert response.json() == {"renamed": place}
                assert first_name() == place

    def test_cookie_key_is_the_session_cookie(self):
        response = self.client.get("/ninja/ops/cookie-key")
        assert response.json() == {
            "key": session_key(self.client),
            "status": "authenticated",
        }

    @override_settings(SESSION_COOKIE_NAME="custom_session")
    def test_renamed_session_cookie(self):
        # The session is read from request.session, whatever the cookie's
        # name was when useauth was made.
        client = csrf_client()
        sign_in(client)
        assert "custom_session" in client.cookies
        body = client.get("/ninja/ops/me").json()
        assert body["status"] == "authenticated"
        assert body["data"] == read_session(client)


@NINJA_URLS
class SessionEndTests(TestCase):
    def setUp(self):
        self.user = make_user()
        self.client = signed_in_client()
        self.key = session_key(self.client)

    def assert_ended(self, url="/ninja/ops/me"):
        response = self.client.get(url)
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
        # Ended as request.auth ends it: the server-side session is deleted.
        assert not session_exists(self.key)
        assert read_session(self.client) == {}

    def test_past_its_end(self):
        # A store that still returns the session (a clock or timeout that
        # disagrees) is not believed.
        later = timezone.now() + timedelta(days=31)
        for place, url in ME.items():
            with self.subTest(place):
                client = signed_in_client()
                with mock.patch(
                    "django_useauth.middleware.timezone.now", return_value=later
                ):
                    response = client.get(url)
                assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
                assert not session_exists(session_key(client))

    def test_browser_session_past_its_end(self):
        past_its_end(self.client)
        assert session_exists(self.key)
        self.assert_ended()

    @override_settings(USEAUTH_ABSOLUTE_MAX_AGE=timedelta(days=1))
    def test_signed_in_before_the_absolute_max_age(self):
        signed_in_ago(self.client, timedelta(days=2))
        self.assert_ended("/ninja/api/me")

    @override_settings(USEAUTH_ABSOLUTE_MAX_AGE=timedelta(days=3))
    def test_within_the_absolute_max_age(self):
        signed_in_ago(self.client, timedelta(days=2))
        response = self.client.get("/ninja/router/session/me")
        assert response.status_code == 200
        assert session_exists(self.key)

    def test_deactivated_user(self):
        self.user.is_active = False
        self.user.save()
        self.assert_ended("/ninja/router/session/me")
        # Reactivation does not bring the session back.
        self.user.is_active = True
        self.user.save()
        assert self.client.get("/ninja/ops/me").status_code == 401

    def test_deactivated_user_cannot_post(self):
        self.user.is_active = False
        self.user.save()
        response = post_with_csrf(self.client, "/ninja/ops/rename", {"name": "Eve"})
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
        assert first_name() == "Ada"


@NINJA_URLS
class SlidingRefreshTests(TestCase):
    """A Ninja request extends a due session exactly as ``GET /api/auth/session`` does."""

    def setUp(self):
        make_user()
        self.old = timezone.now() - timedelta(days=2, minutes=1)

    def due_client(self):
        client = signed_in_client()
        refreshed_at(client, self.old)
        return client

    def test_same_refresh_as_the_session_endpoint(self):
        reference = self.due_client()
        read_session(reference)
        expected = stored(reference)
        # Whole multiples of USEAUTH_UPDATE_AGE after the old stamp.
        assert expected[REFRESHED_AT_KEY] == (self.old + timedelta(days=2)).isoformat()
        for place, url in ME.items():
            with self.subTest(place):
                client = self.due_client()
                body = client.get(url).json()
                session = stored(client)
                assert session[REFRESHED_AT_KEY] == expected[REFRESHED_AT_KEY]
                assert session.get_expiry_date() == expected.get_expiry_date()
                assert body["lastRefreshedAt"] == expected[REFRESHED_AT_KEY]
                assert body["data"]["expires"] == format_expires(
                    session.get_expiry_date()
                )
                assert session.get_expiry_date() > timezone.now() + timedelta(
                    days=29, hours=23
                )

    def test_not_due_writes_nothing(self):
        client = signed_in_client()
        before = stored(client)
        body = client.get("/ninja/ops/me").json()
        after = stored(client)
        assert after[REFRESHED_AT_KEY] == before[REFRESHED_AT_KEY]
        assert after.get_expiry_date() == before.get_expiry_date()
        assert datetime.fromisoformat(
            body["lastRefreshedAt"]
        ) == datetime.fromisoformat(before[REFRESHED_AT_KEY])


@NINJA_URLS
@override_settings(USEAUTH_SESSION_CALLBACK=ROLES_CALLBACK)
class RolesTests(TestCase):
    """The documented pattern: a ``UseAuth`` subclass checking the session callback's roles."""

    def test_signed_out_is_401(self):
        response = self.client.get("/ninja/ops/editor")
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)

    def test_without_the_role_is_403(self):
        make_user()
        sign_in(self.client)
        response = self.client.get("/ninja/ops/editor")
        assert response.status_code == 403
        assert response.json() == {"detail": "Forbidden"}
        # Signed in all the same: the roles are in the session object.
        assert read_session(self.client)["user"]["roles"] == []

    def test_with_the_role(self):
        make_user(is_staff=True)
        sign_in(self.client)
        response = self.client.get("/ninja/ops/editor")
        assert response.status_code == 200
        assert response.json() == {"roles": ["editor"]}

    @override_settings(USEAUTH_SESSION_CALLBACK=None)
    def test_without_the_callback_no_roles(self):
        make_user(is_staff=True)
        sign_in(self.client)
        response = self.client.get("/ninja/ops/editor")
        assert (response.status_code, response.json()) == (
            403,
            {"detail": "Forbidden"},
        )

    def test_returning_none_is_401_or_the_next_callback(self):
        # authenticate() returning None refuses as a signed-out request is.
        make_user()
        sign_in(self.client)
        response = self.client.get("/ninja/ops/editor-or-next")
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
        bearer = self.client.get("/ninja/ops/editor-or-next", headers=BEARER)
        assert bearer.json() == VIA_BEARER

    def test_returning_none_lets_an_editor_in(self):
        make_user(is_staff=True)
        sign_in(self.client)
        assert self.client.get("/ninja/ops/editor-or-next").json() == VIA_SESSION
