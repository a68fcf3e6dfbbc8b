"""Bearer access tokens in Django REST framework (``UseAuthAuthentication``) and django-ninja (``useauth``, ``useauth_bearer``)."""

from __future__ import annotations

from django.test import TestCase
from django.test import override_settings

from django_useauth.tokens import issue_tokens
from django_useauth.tokens import revoke_tokens
from tests.drf_utils import DRF_URLS
from tests.ninja_api import operations
from tests.ninja_utils import NINJA_URLS
from tests.utils import csrf_client
from tests.utils import make_user
from tests.utils import post_json
from tests.utils import sign_in

BACKEND = "django.contrib.auth.backends.ModelBackend"
ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "image": None}
CHALLENGE = 'Bearer realm="api", error="invalid_token"'


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TokenTestCase(TestCase):
    def setUp(self) -> None:
        self.user = make_user()
        self.pair = issue_tokens(self.user, backend=BACKEND)
        self.headers = bearer(self.pair.token)
        self.client = csrf_client()


@override_settings(**DRF_URLS)
class DrfTests(TokenTestCase):
    def test_a_token_authenticates(self) -> None:
        response = self.client.get("/drf/me/", headers=self.headers)
        assert response.status_code == 200
        assert response.json()["data"]["user"] == ADA

    def test_request_user_is_the_token_s(self) -> None:
        response = self.client.get("/drf/username/", headers=self.headers)
        assert response.status_code == 200
        assert response.json()["username"] == "ada"

    def test_a_refused_token_answers_401_with_a_bearer_challenge(self) -> None:
        revoke_tokens(self.user)
        response = self.client.get("/drf/me/", headers=self.headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == CHALLENGE

    def test_without_a_token_the_session_challenge_stays(self) -> None:
        response = self.client.get("/drf/me/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Session realm="api"'

    def test_unsafe_methods_need_no_csrf_token_without_a_cookie(self) -> None:
        response = post_json(self.client, "/drf/me/", {}, headers=self.headers)
        assert response.status_code == 201

    def test_with_a_session_cookie_csrf_applies(self) -> None:
        sign_in(self.client)
        response = post_json(self.client, "/drf/me/", {}, headers=self.headers)
        assert response.status_code == 403
        assert response.json()["detail"].startswith("CSRF Failed")


@NINJA_URLS
class NinjaTests(TokenTestCase):
    def test_useauth_bearer(self) -> None:
        for path in (
            "/ninja/ops/token",
            "/ninja/ops/atoken",
            "/ninja/ops/session-or-token",
        ):
            with self.subTest(path=path):
                response = self.client.get(path, headers=self.headers)
                assert response.status_code == 200
                body = response.json()
                assert body["isGetAuth"] is True
                assert body["data"]["user"] == ADA

    def test_useauth_takes_a_token_too(self) -> None:
        response = self.client.get("/ninja/ops/me", headers=self.headers)
        assert response.status_code == 200
        assert response.json()["data"]["user"] == ADA

    def test_useauth_bearer_refuses_a_session(self) -> None:
        sign_in(self.client)
        assert self.client.get("/ninja/ops/token").status_code == 401
        assert self.client.get("/ninja/ops/session-or-token").status_code == 200

    def test_refused_tokens(self) -> None:
        for headers in (bearer("junk"), bearer(self.pair.refresh_token or "")):
            with self.subTest(headers=headers):
                assert (
                    self.client.get("/ninja/ops/token", headers=headers).status_code
                    == 401
                )

    def test_csrf(self) -> None:
        assert (
            self.client.post("/ninja/ops/token", headers=self.headers).status_code
            == 200
        )
        sign_in(self.client)
        response = self.client.post("/ninja/ops/token", headers=self.headers)
        assert response.status_code == 403
        assert response.json() == {"detail": "CSRF check Failed"}

    def test_openapi_scheme(self) -> None:
        schema = operations.get_openapi_schema()
        assert schema["components"]["securitySchemes"]["UseAuthBearer"] == {
            "type": "http",
            "scheme": "bearer",
        }
        assert schema["paths"]["/ninja/ops/session-or-token"]["get"]["security"] == [
            {"UseAuth": []},
            {"UseAuthBearer": []},
        ]
