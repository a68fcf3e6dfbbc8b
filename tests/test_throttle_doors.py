"""R7: every door that checks a password shares the sign-in limits (ThrottleBackend).

The doors: /api/auth, Django's login view (the admin's form is the same
``authenticate()`` call), an API that authenticates on each request without
signing in, and a view that breaks after ``authenticate()``.
"""

from __future__ import annotations

from unittest import mock

from asgiref.sync import async_to_sync
from django.contrib.auth import aauthenticate
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import caches
from django.test import Client
from django.test import RequestFactory
from django.test import TestCase
from django.test import override_settings

from django_useauth.backends import ThrottleBackend
from django_useauth.internal.throttle import _digest
from django_useauth.internal.throttle import client_ip
from django_useauth.internal.throttle import held_attempt
from tests.utils import PASSWORD
from tests.utils import attempt_sign_in
from tests.utils import make_user


class DoorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_user()

    def login_view(self, password: str, ip: str = "10.9.0.1") -> Client:
        client = Client()
        client.post(
            "/login/",
            {"username": "ada", "password": password},
            REMOTE_ADDR=ip,
        )
        return client

    def signed_in(self, client: Client) -> bool:
        body: dict[str, object] = client.get("/api/auth/session").json()
        return body != {}

    def api(self, password: str, ip: str = "10.9.1.1") -> int:
        return attempt_sign_in("ada", password, ip=ip)

    def counting_hashes(self):
        return mock.patch.object(
            MD5PasswordHasher,
            "verify",
            autospec=True,
            side_effect=MD5PasswordHasher.verify,
        )

    def test_R7_login_view_is_limited(self):
        with self.counting_hashes() as verify:
            for n in range(15):
                assert not self.signed_in(self.login_view("wrong", f"10.9.0.{n}"))
        # Ten passwords were checked; the other five were refused unseen.
        assert verify.call_count == 10
        right = self.login_view(PASSWORD, "10.9.2.1")
        assert not self.signed_in(right)
        assert self.api(PASSWORD) == 429

    def test_R7_api_lock_holds_on_the_login_view(self):
        assert [self.api("wrong", f"10.9.3.{n}") for n in range(11)] == [401] * 10 + [
            429
        ]
        client = self.login_view(PASSWORD, "10.9.4.1")
        assert "sessionid" not in client.cookies
        assert not self.signed_in(client)

    def test_R7_login_view_sign_in_clears_the_account(self):
        for n in range(9):
            self.login_view("wrong", f"10.9.5.{n}")
        assert self.signed_in(self.login_view(PASSWORD, "10.9.5.100"))
        # The count starts again: ten more failures before the lock.
        assert [self.api("wrong", f"10.9.6.{n}") for n in range(11)] == [401] * 10 + [
            429
        ]

    def test_R7_failures_through_an_api_count(self):
        client = Client()
        for _ in range(10):
            assert (
                client.post("/basic/", {"username": "ada", "password": "x"}).status_code
                == 401
            )
        assert self.api(PASSWORD) == 429

    def test_R7_authenticate_without_login_gives_its_places_back(self):
        # An API that checks the password on every request (Basic
        # authentication) must not lock the account by succeeding.
        client = Client()
        for _ in range(30):
            response = client.post("/basic/", {"username": "ada", "password": PASSWORD})
            assert response.status_code == 200
        assert [self.api("wrong", f"10.9.7.{n}") for n in range(11)] == [401] * 10 + [
            429
        ]

    async def test_R7_async_view_gives_its_places_back(self):
        for _ in range(15):
            response = await self.async_client.post(
                "/abasic/", {"username": "ada", "password": PASSWORD}
            )
            assert response.status_code == 200
        for _ in range(10):
            response = await self.async_client.post(
                "/abasic/", {"username": "ada", "password": "wrong"}
            )
            assert response.status_code == 401
        response = await self.async_client.post(
            "/abasic/", {"username": "ada", "password": PASSWORD}
        )
        assert response.status_code == 401  # locked: refused unseen

    def test_force_login_with_the_backend_first(self):
        # Client.force_login() picks the first backend: the session still
        # finds its user (through the backends after ThrottleBackend).
        from django.contrib.auth.models import User

        client = Client()
        client.force_login(User.objects.get(username="ada"))
        assert self.signed_in(client)
        User.objects.filter(username="ada").update(is_active=False)
        assert not self.signed_in(client)

    def test_R7_an_exception_after_authenticate_gives_places_back(self):
        client = Client(raise_request_exception=False)
        for _ in range(15):
            response = client.post("/broken-auth/", {"password": PASSWORD})
            assert response.status_code == 500
        assert self.api(PASSWORD) == 200

    def test_R7_without_a_password_nothing_is_counted(self):
        # OAuth completions call authenticate() with the provider's response.
        request = RequestFactory().get("/")
        assert ThrottleBackend().authenticate(request, response={"id": 1}) is None
        assert held_attempt(request) is None
        ip_key = _digest("ip", client_ip(request))
        assert caches["default"].get(f"{ip_key}:start") is None

    def test_R7_credentials_naming_an_account_are_counted(self):
        # A one-time-code backend's call has no password, but names the
        # account: guessing the code is limited too.
        request = RequestFactory().post("/", REMOTE_ADDR="10.9.9.1")
        assert ThrottleBackend().authenticate(request, username="ada", otp="1") is None
        attempt = held_attempt(request)
        assert attempt is not None and len(attempt.places) == 2

    def test_R7_drf_request_wrapper(self):
        # DRF hands authenticate() its Request, which wraps the HttpRequest
        # the middleware sees: successes still give their places back.
        client = Client()
        for _ in range(15):
            response = client.post(
                "/wrapped-basic/", {"username": "ada", "password": PASSWORD}
            )
            assert response.status_code == 200
        assert self.api(PASSWORD) == 200

    def test_R7_two_authenticate_calls_in_one_request(self):
        # A success that is not followed by login(), then a failure for
        # another account in the same request: the failure counts.
        client = Client()
        for _ in range(10):
            response = client.post(
                "/basic-twice/", {"username": "ada", "password": PASSWORD}
            )
            assert response.content == b"200 401"
        assert attempt_sign_in("bob", PASSWORD, ip="10.9.10.1") == 429
        assert self.api(PASSWORD) == 200

    def test_R7_without_a_request_nothing_is_counted(self):
        # Scripts and Client.login() call authenticate() without a request.
        for _ in range(12):
            assert authenticate(username="ada", password="wrong") is None
        assert authenticate(username="ada", password=PASSWORD) is not None

    def test_R7_async_authenticate_is_limited(self):
        request = RequestFactory().post("/", REMOTE_ADDR="10.9.8.1")
        for _ in range(10):
            assert (
                async_to_sync(aauthenticate)(request, username="ada", password="x")
                is None
            )
        right = async_to_sync(aauthenticate)(request, username="ada", password=PASSWORD)
        assert right is None
        assert self.api(PASSWORD) == 429

    @override_settings(USEAUTH_THROTTLE_ENABLED=False)
    def test_disabled(self):
        for _ in range(12):
            self.login_view("wrong")
        assert self.signed_in(self.login_view(PASSWORD))


class ClaimFailureTests(TestCase):
    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=1)
    def test_a_failing_claim_gives_the_places_back(self):
        make_user()
        # A bug (raised as it is) and an outage (answered 503): either way
        # the attempt's places are given back.
        with (
            mock.patch(
                "django_useauth.internal.actions._claim",
                side_effect=RuntimeError("a bug"),
            ),
            self.assertRaises(RuntimeError),
        ):
            attempt_sign_in("ada", PASSWORD)
        with mock.patch(
            "django_useauth.internal.actions._claim",
            side_effect=ConnectionError("down"),
        ):
            assert attempt_sign_in("ada", PASSWORD) == 503
        assert attempt_sign_in("ada", PASSWORD) == 200
