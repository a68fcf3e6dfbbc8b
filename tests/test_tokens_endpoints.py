"""Token mode's endpoints (``/api/token/``): what each answers, with which status, and that none sets a cookie."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.test import TestCase
from django.test import override_settings

from django_useauth.models import TokenFamily
from django_useauth.signals import signed_in
from django_useauth.signals import signed_out
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import make_user
from tests.utils import post_json
from tests.utils import sign_in

LOGIN = "/api/token/login"
SESSION = "/api/token/session"
REFRESH = "/api/token/refresh"
LOGOUT = "/api/token/logout"

ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "image": None}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class LoginTests(TestCase):
    def setUp(self) -> None:
        self.user = make_user()
        self.client = csrf_client()

    def login(self, **credentials: Any) -> Any:
        return post_json(self.client, LOGIN, credentials)

    def test_signs_in_with_json_credentials(self) -> None:
        response = self.login(username="ada", password=PASSWORD)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"token", "refreshToken", "expires"}
        assert body["token"].count(".") == 2
        assert len(body["refreshToken"]) >= 43
        family = TokenFamily.objects.get()
        assert family.user == self.user
        assert family.backend == "django.contrib.auth.backends.ModelBackend"

    def test_form_encoded_credentials_work_too(self) -> None:
        response = self.client.post(LOGIN, {"username": "ada", "password": PASSWORD})
        assert response.status_code == 200
        assert "token" in response.json()

    def test_sets_no_cookie_and_is_never_cached(self) -> None:
        # Not even with a session cookie already there (the request's own
        # session is left alone) and a receiver that writes to the session.
        sign_in(self.client)
        before = self.client.cookies["sessionid"].value

        def write_session(sender: object, request: Any, **kwargs: Any) -> None:
            request.session["written-by-a-receiver"] = True

        user_logged_in.connect(write_session)
        self.addCleanup(user_logged_in.disconnect, write_session)
        response = self.login(username="ada", password=PASSWORD)
        assert response.status_code == 200
        assert not response.cookies
        assert "no-store" in response["Cache-Control"]
        assert self.client.cookies["sessionid"].value == before

    def test_wrong_password_and_unknown_user_answer_alike(self) -> None:
        wrong = self.login(username="ada", password="wrong")
        unknown = self.login(username="nobody", password="wrong")
        for response in (wrong, unknown):
            assert response.status_code == 401
            assert response.json() == {"error": "CredentialsSignin"}
        assert not TokenFamily.objects.exists()

    def test_inactive_user_is_refused(self) -> None:
        self.user.is_active = False
        self.user.save()
        assert self.login(username="ada", password=PASSWORD).status_code == 401

    def test_non_string_fields_are_refused_not_coerced(self) -> None:
        response = post_json(
            self.client, LOGIN, {"username": ["ada"], "password": PASSWORD}
        )
        assert response.status_code == 401

    def test_malformed_body(self) -> None:
        response = self.client.post(LOGIN, "{not json", content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"error": "MalformedBody"}

    def test_only_post(self) -> None:
        assert self.client.get(LOGIN).status_code == 405

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_off_with_the_credentials_provider(self) -> None:
        response = self.login(username="ada", password=PASSWORD)
        assert response.status_code == 404
        assert response.json() == {"error": "NotFound"}

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse")
    def test_the_sign_in_callback_can_refuse(self) -> None:
        response = self.login(username="ada", password=PASSWORD)
        assert response.status_code == 403
        assert response.json()["error"] == "AccessDenied"
        assert not TokenFamily.objects.exists()

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=2)
    def test_throttled_with_retry_after(self) -> None:
        for _ in range(2):
            assert self.login(username="ada", password="wrong").status_code == 401
        response = self.login(username="ada", password=PASSWORD)
        assert response.status_code == 429
        assert response.json() == {"error": "TooManyAttempts"}
        assert int(response["Retry-After"]) > 0

    def test_sends_django_s_and_our_signals_and_updates_last_login(self) -> None:
        received: list[tuple[str, Any]] = []

        def on_logged_in(sender: object, user: Any, **kwargs: Any) -> None:
            received.append(("user_logged_in", user))

        def on_signed_in(
            sender: object, user: Any, provider: str, **kwargs: Any
        ) -> None:
            received.append((f"signed_in:{provider}", user))

        user_logged_in.connect(on_logged_in)
        signed_in.connect(on_signed_in)
        self.addCleanup(user_logged_in.disconnect, on_logged_in)
        self.addCleanup(signed_in.disconnect, on_signed_in)
        assert self.user.last_login is None
        self.login(username="ada", password=PASSWORD)
        assert [name for name, _ in received] == [
            "user_logged_in",
            "signed_in:credentials",
        ]
        assert all(user == self.user for _, user in received)
        self.user.refresh_from_db()
        assert self.user.last_login is not None


class SessionTests(TestCase):
    def setUp(self) -> None:
        make_user()
        self.tokens = post_json(
            self.client, LOGIN, {"username": "ada", "password": PASSWORD}
        ).json()

    def test_answers_the_session_object(self) -> None:
        response = self.client.get(SESSION, headers=bearer(self.tokens["token"]))
        assert response.status_code == 200
        assert response.json() == {"user": ADA, "expires": self.tokens["expires"]}
        assert not response.cookies
        assert "no-store" in response["Cache-Control"]

    def test_same_shape_as_the_cookie_session(self) -> None:
        cookie = csrf_client()
        sign_in(cookie)
        by_cookie = cookie.get("/api/auth/session").json()
        by_token = self.client.get(SESSION, headers=bearer(self.tokens["token"])).json()
        assert by_token["user"] == by_cookie["user"]
        assert set(by_token) == set(by_cookie)

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session")
    def test_shaped_by_the_session_callback(self) -> None:
        response = self.client.get(SESSION, headers=bearer(self.tokens["token"]))
        assert response.json()["user"]["id"] == User.objects.get().pk

    def test_without_a_token(self) -> None:
        response = self.client.get(SESSION)
        assert response.status_code == 401
        assert response.json() == {"error": "SessionRequired"}
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_with_a_refused_token(self) -> None:
        for token in (
            "not-a-jwt",
            self.tokens["token"] + "x",
            self.tokens["refreshToken"],
        ):
            with self.subTest(token=token[:20]):
                response = self.client.get(SESSION, headers=bearer(token))
                assert response.status_code == 401
                assert response.json() == {"error": "InvalidToken"}
                assert response["WWW-Authenticate"] == (
                    'Bearer realm="api", error="invalid_token"'
                )

    def test_a_session_cookie_is_not_a_token(self) -> None:
        cookie = csrf_client()
        sign_in(cookie)
        assert cookie.get(SESSION).status_code == 401

    def test_head_and_no_post(self) -> None:
        headers = bearer(self.tokens["token"])
        assert self.client.head(SESSION, headers=headers).status_code == 200
        assert self.client.post(SESSION, headers=headers).status_code == 405


class LogoutTests(TestCase):
    def setUp(self) -> None:
        make_user()
        self.tokens = post_json(
            self.client, LOGIN, {"username": "ada", "password": PASSWORD}
        ).json()

    def assert_revoked(self) -> None:
        family = TokenFamily.objects.get()
        assert family.revoked_at is not None
        assert family.revoked_reason == TokenFamily.Reason.SIGN_OUT
        assert (
            self.client.get(SESSION, headers=bearer(self.tokens["token"])).status_code
            == 401
        )
        refreshed = post_json(
            self.client, REFRESH, {"refreshToken": self.tokens["refreshToken"]}
        )
        assert refreshed.status_code == 401

    def test_as_nuxt_auth_sends_it(self) -> None:
        # The Bearer header and the refresh token in the body.
        response = post_json(
            self.client,
            LOGOUT,
            {"refreshToken": self.tokens["refreshToken"]},
            headers=bearer(self.tokens["token"]),
        )
        assert response.status_code == 200
        assert response.json() == {}
        self.assert_revoked()

    def test_with_the_refresh_token_only(self) -> None:
        response = post_json(
            self.client, LOGOUT, {"refreshToken": self.tokens["refreshToken"]}
        )
        assert response.status_code == 200
        self.assert_revoked()

    def test_with_the_access_token_only(self) -> None:
        response = self.client.post(LOGOUT, headers=bearer(self.tokens["token"]))
        assert response.status_code == 200
        self.assert_revoked()

    def test_sends_signed_out(self) -> None:
        received: list[Any] = []

        def on_signed_out(sender: object, user: Any, **kwargs: Any) -> None:
            received.append(user.get_username())

        signed_out.connect(on_signed_out)
        self.addCleanup(signed_out.disconnect, on_signed_out)
        self.client.post(LOGOUT, headers=bearer(self.tokens["token"]))
        assert received == ["ada"]

    def test_twice_is_fine(self) -> None:
        body = {"refreshToken": self.tokens["refreshToken"]}
        assert post_json(self.client, LOGOUT, body).status_code == 200
        assert post_json(self.client, LOGOUT, body).status_code == 200

    def test_without_any_token(self) -> None:
        for body in ({}, {"refreshToken": "unknown"}, {"refreshToken": 7}):
            with self.subTest(body=body):
                response = post_json(self.client, LOGOUT, body)
                assert response.status_code == 401
                assert response.json() == {"error": "InvalidToken"}
        assert TokenFamily.objects.get().revoked_at is None
