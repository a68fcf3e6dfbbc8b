"""``request.auth``, ``request.user``, the guards and CSRF for requests with ``Authorization: Bearer``."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

import jwt
from asgiref.sync import async_to_sync
from django.http import HttpResponse
from django.test import TestCase
from django.test import override_settings

from django_useauth.decorators import auth_required
from django_useauth.middleware import get_auth
from django_useauth.models import TokenFamily
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import make_user
from tests.utils import post_json
from tests.utils import sign_in

ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "image": None}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def tampered(token: str) -> str:
    """``token`` with one character of its signature changed (it still parses)."""
    head, payload, signature = token.split(".")
    swapped = "A" if signature[10] != "A" else "B"
    return f"{head}.{payload}.{signature[:10]}{swapped}{signature[11:]}"


class BearerTestCase(TestCase):
    def setUp(self) -> None:
        self.user = make_user()
        self.client = csrf_client()
        response = post_json(
            self.client, "/api/token/login", {"username": "ada", "password": PASSWORD}
        )
        self.tokens = response.json()
        self.headers = bearer(self.tokens["token"])


class RequestAuthTests(BearerTestCase):
    def test_status_and_data(self) -> None:
        body = self.client.get("/status/", headers=self.headers).json()
        assert body["status"] == "authenticated"
        assert body["bool"] is True
        assert body["data"] == {"user": ADA, "expires": self.tokens["expires"]}
        # When the token was issued: its last refresh.
        claims = jwt.decode(self.tokens["token"], options={"verify_signature": False})
        issued = datetime.fromtimestamp(claims["iat"], UTC)
        assert body["lastRefreshedAt"] == issued.isoformat()

    def test_async_view(self) -> None:
        body = self.client.get("/astatus/", headers=self.headers).json()
        assert body == {
            "status": "authenticated",
            "data": {"user": ADA, "expires": self.tokens["expires"]},
        }

    def test_refused_token_reads_signed_out(self) -> None:
        for path in ("/status/", "/astatus/"):
            with self.subTest(path=path):
                body = self.client.get(
                    path, headers=bearer(self.tokens["token"] + "x")
                ).json()
                assert body["status"] == "unauthenticated"
                assert body["data"] is None

    def test_the_token_decides_alone(self) -> None:
        # A session cookie of another user does not count beside a token.
        make_user("bob")
        sign_in(self.client, "bob")
        assert self.client.get("/guarded-whoami/").content == b"bob"
        assert (
            self.client.get("/guarded-whoami/", headers=self.headers).content == b"ada"
        )
        assert (
            self.client.get("/aguarded-whoami/", headers=self.headers).content == b"ada"
        )
        refused = bearer(tampered(self.tokens["token"]))
        body = self.client.get("/status/", headers=refused).json()
        assert body["status"] == "unauthenticated"
        assert self.client.get("/guarded-whoami/", headers=refused).status_code == 401
        # And the session is left alone, neither read nor signed out.
        assert self.client.get("/guarded-whoami/").content == b"bob"

    def test_a_foreign_bearer_token_leaves_the_session_in_charge(self) -> None:
        # Another library's JWT, or an opaque API key: not ours.
        sign_in(self.client)
        foreign = jwt.encode(
            {"sub": "1"}, "another library's secret" * 2, algorithm="HS256"
        )
        for token in (foreign, "an-api-key"):
            with self.subTest(token=token[:12]):
                body = self.client.get("/status/", headers=bearer(token)).json()
                assert body["status"] == "authenticated"

    def test_request_user_is_the_token_s_only_where_tokens_are_accepted(self) -> None:
        # Behind a guard, request.user and request.auser() are the token's user.
        assert (
            self.client.get("/guarded-whoami/", headers=self.headers).content == b"ada"
        )
        assert (
            self.client.get("/aguarded-whoami/", headers=self.headers).content == b"ada"
        )
        # A view that knows only request.user (the admin, login_required)
        # does not take a token: it stays Django's, here anonymous.
        assert self.client.get("/whoami/", headers=self.headers).content == b"anonymous"
        assert (
            self.client.get("/awhoami/", headers=self.headers).content == b"anonymous"
        )
        revoked = self.client.post("/api/token/logout", headers=self.headers)
        assert revoked.status_code == 200
        assert (
            self.client.get("/guarded-whoami/", headers=self.headers).status_code == 401
        )

    def test_scheme(self) -> None:
        from django.test import RequestFactory

        from django_useauth.middleware import AuthMiddleware
        from django_useauth.middleware import get_auth

        seen: dict[str, Any] = {}

        def view(request: Any) -> Any:
            seen["scheme"] = get_auth(request).scheme
            return None

        middleware = AuthMiddleware(view)
        request = RequestFactory().get("/", headers=self.headers)
        request.session = self.client.session
        middleware(request)
        assert seen["scheme"] == "bearer"
        request = RequestFactory().get("/")
        request.session = self.client.session
        middleware(request)
        assert seen["scheme"] == "session"


class GuardTests(BearerTestCase):
    def test_auth_required_lets_a_token_through(self) -> None:
        for path in ("/protected/", "/aprotected/", "/cbv/", "/acbv/"):
            with self.subTest(path=path):
                assert self.client.get(path, headers=self.headers).status_code == 200

    def test_auth_required_answers_401_not_a_redirect(self) -> None:
        for headers in (bearer("junk"), bearer(self.tokens["refreshToken"])):
            for path in ("/protected/", "/aprotected/", "/cbv/", "/required/"):
                with self.subTest(path=path, headers=headers):
                    response = self.client.get(path, headers=headers)
                    assert response.status_code == 401
                    assert response.json() == {"error": "InvalidToken"}
                    assert response["WWW-Authenticate"] == (
                        'Bearer realm="api", error="invalid_token"'
                    )
                    assert "no-store" in response["Cache-Control"]

    def test_guest_only_views_send_a_token_away(self) -> None:
        assert self.client.get("/guest/", headers=self.headers).status_code == 302


class CsrfTests(BearerTestCase):
    def test_a_bearer_only_post_needs_no_csrf_token(self) -> None:
        response = self.client.post("/guarded-whoami/", headers=self.headers)
        assert response.status_code == 200
        assert response.content == b"ada"
        assert self.client.post("/protected/", headers=self.headers).status_code == 200
        # No cookie, no CSRF: but no user either where tokens are not taken.
        assert (
            self.client.post("/whoami/", headers=self.headers).content == b"anonymous"
        )

    def test_with_a_session_cookie_csrf_applies(self) -> None:
        sign_in(self.client)
        for path in ("/whoami/", "/guarded-whoami/", "/protected/"):
            with self.subTest(path=path):
                assert self.client.post(path, headers=self.headers).status_code == 403

    def test_no_token_no_exemption(self) -> None:
        assert self.client.post("/whoami/").status_code == 403
        assert (
            self.client.post("/whoami/", headers=bearer("an-api-key")).status_code
            == 403
        )


class SignOutTests(BearerTestCase):
    def run_view(self, view: Any) -> None:
        from django.test import RequestFactory

        from django_useauth.middleware import AuthMiddleware

        request = RequestFactory().post("/", headers=self.headers)
        request.session = self.client.session
        middleware = AuthMiddleware(auth_required(view))
        if middleware.async_mode:
            # In this thread, as the test client runs async views: the
            # thread-sensitive database work sees the test's transaction.
            async_to_sync(middleware)(request)  # type: ignore[arg-type]
        else:
            middleware(request)

    def assert_revoked(self) -> None:
        assert TokenFamily.objects.get().revoked_reason == TokenFamily.Reason.SIGN_OUT
        assert (
            self.client.get("/guarded-whoami/", headers=self.headers).status_code == 401
        )

    def test_request_auth_sign_out_revokes_the_family(self) -> None:
        seen: list[Any] = []

        def view(request: Any) -> HttpResponse:
            auth = get_auth(request)
            seen.append(request.user.get_username())
            seen.append(auth.sign_out(callback_url="/after").url)
            # request.user, lent by the guard, is taken back.
            seen.extend([auth.status, request.user.is_authenticated])
            return HttpResponse()

        self.run_view(view)
        assert seen == ["ada", "http://testserver/after", "unauthenticated", False]
        self.assert_revoked()

    def test_async_sign_out(self) -> None:
        seen: list[Any] = []

        async def view(request: Any) -> HttpResponse:
            auth = get_auth(request)
            seen.append((await auth.asign_out()).url)
            seen.append(auth.status)
            seen.append((await request.auser()).is_authenticated)
            return HttpResponse()

        self.run_view(view)
        assert seen == ["http://testserver/", "unauthenticated", False]
        self.assert_revoked()


@override_settings(USEAUTH_SESSION_CACHE="default")
class QueryTests(BearerTestCase):
    def test_no_sql_once_the_payload_is_cached(self) -> None:
        with self.assertNumQueries(1):
            # The user, from its backend; then its payload is cached.
            assert (
                self.client.get("/protected/", headers=self.headers).status_code == 200
            )
        with self.assertNumQueries(0):
            assert (
                self.client.get("/protected/", headers=self.headers).status_code == 200
            )
            assert (
                self.client.get("/api/token/session", headers=self.headers).status_code
                == 200
            )
            assert (
                self.client.get("/aprotected/", headers=self.headers).status_code == 200
            )

    def test_a_saved_user_is_read_again(self) -> None:
        self.client.get("/protected/", headers=self.headers)
        self.user.first_name = "Augusta"
        self.user.save()
        with self.assertNumQueries(1):
            body = self.client.get("/api/token/session", headers=self.headers).json()
        assert body["user"]["name"] == "Augusta Lovelace"

    def test_the_cached_payload_of_a_changed_password_is_refused(self) -> None:
        self.client.get("/protected/", headers=self.headers)
        # A password changed without post_save (QuerySet.update): the entry
        # still holds the old hash, which no longer matches the token's.
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import User

        User.objects.filter(pk=self.user.pk).update(password=make_password("new"))
        cookie = csrf_client()
        response = post_json(
            cookie, "/api/token/login", {"username": "ada", "password": "new"}
        )
        new = bearer(response.json()["token"])
        assert (
            self.client.get("/status/", headers=new).json()["status"] == "authenticated"
        )
        assert self.client.get("/status/", headers=self.headers).json()["status"] == (
            "unauthenticated"
        )

    def test_request_user_stays_lazy(self) -> None:
        self.client.get("/protected/", headers=self.headers)
        with self.assertNumQueries(1):
            # The payload is cached; only reading request.user loads the user.
            assert (
                self.client.get("/guarded-whoami/", headers=self.headers).content
                == b"ada"
            )
        with self.assertNumQueries(1):
            assert (
                self.client.get("/aguarded-whoami/", headers=self.headers).content
                == b"ada"
            )


class EdgeTests(BearerTestCase):
    def test_sign_out_with_a_refused_token_revokes_nothing(self) -> None:
        from django.test import RequestFactory

        from django_useauth.middleware import AuthMiddleware

        seen: list[Any] = []

        def view(request: Any) -> HttpResponse:
            seen.append(get_auth(request).sign_out().url)
            return HttpResponse()

        request = RequestFactory().post(
            "/", headers=bearer(tampered(self.tokens["token"]))
        )
        request.session = self.client.session
        AuthMiddleware(view)(request)
        assert seen == ["http://testserver/"]
        assert TokenFamily.objects.get().revoked_at is None

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session")
    def test_async_with_a_session_callback(self) -> None:
        body = self.client.get("/astatus/", headers=self.headers).json()
        assert body["data"]["user"]["id"] == self.user.pk

    def test_token_views_without_session_middleware(self) -> None:
        from django.test import RequestFactory

        from django_useauth import token_views

        request = RequestFactory().post(
            "/",
            {"refreshToken": self.tokens["refreshToken"]},
            content_type="application/json",
        )
        assert not hasattr(request, "session")
        response = token_views.refresh(request)
        assert response.status_code == 200
        assert not hasattr(request, "session")

    def test_a_failing_sign_in_gives_its_places_back(self) -> None:
        # Called without AuthMiddleware (which would release it at the end of
        # the request anyway), the attempt held for authenticate() is let go.
        from unittest import mock

        from django.test import RequestFactory

        from django_useauth.internal import token_sign_in
        from django_useauth.internal.throttle import held_attempt

        request = RequestFactory().post("/")
        with (
            mock.patch(
                "django_useauth.internal.token_families.start",
                side_effect=RuntimeError("db down"),
            ),
            self.assertRaisesMessage(RuntimeError, "db down"),
        ):
            token_sign_in.sign_in(request, {"username": "ada", "password": PASSWORD})
        assert held_attempt(request) is None
