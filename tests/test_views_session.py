"""The JSON endpoints a client reads and writes: GET csrf, GET providers, GET and POST session."""

from __future__ import annotations

import json

from django.contrib.sessions.models import Session as SessionRow
from django.test import Client
from django.test import TestCase
from django.test import override_settings

from tests.expected import ADA
from tests.expected import credentials_providers
from tests.utils import BASE
from tests.utils import EXPIRES_RE
from tests.utils import TOKEN_RE
from tests.utils import assert_json_headers
from tests.utils import assert_never_cached
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import sign_in


def assert_head(client: Client, path: str) -> None:
    """``HEAD path``: 200 without a body, never cached."""
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""
    assert_never_cached(response)


class CsrfEndpointTests(TestCase):
    def test_get(self):
        response = self.client.get("/api/auth/csrf")
        assert response.status_code == 200
        assert_json_headers(response)
        assert_never_cached(response)
        assert list(response.json()) == ["csrfToken"]
        assert TOKEN_RE.fullmatch(response.json()["csrfToken"])
        assert "csrftoken" in response.cookies

    def test_does_not_create_a_session(self):
        self.client.get("/api/auth/csrf")
        assert SessionRow.objects.count() == 0
        assert "sessionid" not in self.client.cookies

    def test_head(self):
        assert_head(self.client, "/api/auth/csrf")

    def test_post_not_allowed(self):
        response = self.client.post("/api/auth/csrf")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


class ProvidersEndpointTests(TestCase):
    def test_get(self):
        response = self.client.get("/api/auth/providers")
        assert response.status_code == 200
        assert_json_headers(response)
        assert response.json() == credentials_providers(BASE)
        assert "csrftoken" not in response.cookies

    @override_settings(USEAUTH_CREDENTIALS_NAME="Email and password")
    def test_name(self):
        body = self.client.get("/api/auth/providers").json()
        assert body["credentials"]["name"] == "Email and password"

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_credentials_disabled(self):
        assert self.client.get("/api/auth/providers").json() == {}

    @override_settings(USEAUTH_URL="https://app.example.com")
    def test_canonical_url(self):
        body = self.client.get("/api/auth/providers").json()
        assert body["credentials"]["signinUrl"] == (
            "https://app.example.com/api/auth/signin/credentials"
        )

    def test_secure_request(self):
        body = self.client.get("/api/auth/providers", secure=True).json()
        assert body["credentials"]["callbackUrl"] == (
            "https://testserver/api/auth/callback/credentials"
        )


class SessionEndpointTests(TestCase):
    def test_signed_out(self):
        response = self.client.get("/api/auth/session")
        assert response.status_code == 200
        assert_json_headers(response)
        assert_never_cached(response)
        assert response.content == b"{}"

    def test_signed_out_ignores_callback_url(self):
        response = self.client.get("/api/auth/session?callbackUrl=%2Fprotected")
        assert response.json() == {}

    def test_signed_in(self):
        make_user()
        sign_in(self.client)
        response = self.client.get("/api/auth/session")
        assert response.status_code == 200
        assert_never_cached(response)
        body = response.json()
        assert body == {
            "user": ADA,
            "expires": body["expires"],
        }
        assert EXPIRES_RE.fullmatch(body["expires"])

    def test_name_falls_back_to_username_and_email_to_null(self):
        make_user("bob", first_name="", last_name="", email="")
        sign_in(self.client, "bob")
        assert self.client.get("/api/auth/session").json()["user"] == {
            "name": "bob",
            "email": None,
            "image": None,
        }

    def test_head(self):
        assert_head(self.client, "/api/auth/session")


class SessionUpdateTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()

    def _post(self, body, content_type="application/json"):
        data = json.dumps(body) if content_type == "application/json" else body
        return self.client.post("/api/auth/session", data, content_type=content_type)

    def test_signed_in(self):
        sign_in(self.client)
        before = self.client.get("/api/auth/session").json()
        response = self._post({"csrfToken": csrf_token(self.client), "data": {"x": 1}})
        assert response.status_code == 200
        assert_never_cached(response)
        assert response.json() == before

    def test_signed_out(self):
        response = self._post({"csrfToken": csrf_token(self.client), "data": {}})
        assert response.status_code == 200
        assert response.json() == {}

    def test_token_in_header(self):
        sign_in(self.client)
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/session",
            json.dumps({"data": {}}),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 200
        assert "user" in response.json()
