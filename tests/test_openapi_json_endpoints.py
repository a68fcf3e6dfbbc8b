"""The JSON endpoints (csrf, providers, session, openapi.json, _log) answer as django_useauth/openapi.json documents them."""

from __future__ import annotations

from django.test import override_settings

from tests.expected import ADA
from tests.expected import credentials_providers
from tests.expected import github_provider
from tests.openapi_utils import JSON
from tests.openapi_utils import ConformanceTestCase
from tests.openapi_utils import header
from tests.utils import BASE
from tests.utils import GITHUB
from tests.utils import TOKEN_RE
from tests.utils import make_user


class JsonEndpointsTests(ConformanceTestCase):
    def test_csrf(self):
        response = self.call("GET", "/csrf")
        assert TOKEN_RE.fullmatch(response.json()["csrfToken"])
        assert "csrftoken=" in header(response, "Set-Cookie")
        assert self.call("HEAD", "/csrf").content == b""

    def test_providers(self):
        response = self.call("GET", "/providers")
        assert response.json() == credentials_providers(BASE)
        self.call("HEAD", "/providers")

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_no_providers(self):
        assert self.call("GET", "/providers").json() == {}

    @override_settings(**GITHUB)
    def test_providers_with_oauth(self):
        body = self.call("GET", "/providers").json()
        assert body["github"] == github_provider(BASE)

    def test_session_signed_out(self):
        assert self.call("GET", "/session").json() == {}
        assert self.call("HEAD", "/session").status_code == 200

    def test_session_signed_in(self):
        make_user()
        self.sign_in(json="true")
        body = self.call("GET", "/session").json()
        assert body["user"] == ADA

    def test_session_update(self):
        make_user()
        self.sign_in(json="true")
        data = {"csrfToken": self.csrf(), "data": {"theme": "dark"}}
        response = self.post("/session", data, media_type=JSON)
        assert response.json()["user"]["email"] == "ada@example.com"
        # And with the token in the header, as a form.
        response = self.post(
            "/session", {"data": "x"}, headers={"X-CSRFToken": self.csrf()}
        )
        assert response.status_code == 200

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session")
    def test_session_callback_adds_fields(self):
        make_user()
        self.sign_in(json="true")
        data = {"csrfToken": self.csrf(), "data": {"theme": "dark"}}
        body = self.post("/session", data, media_type=JSON).json()
        assert body["theme"] == "dark"
        assert set(body["user"]) == {"name", "email", "image", "id"}

    def test_session_update_signed_out(self):
        response = self.post("/session", {"csrfToken": self.csrf()}, media_type=JSON)
        assert response.status_code == 200
        assert response.json() == {}

    def test_session_update_failures(self):
        self.csrf()
        response = self.post("/session", {"csrfToken": "wrong"}, media_type=JSON)
        assert (response.status_code, response.json()) == (400, {})
        response = self.post_raw("/session", b"[1]")
        assert (response.status_code, response.json()) == (400, {})

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.broken_on_update")
    def test_session_update_callback_raises(self):
        make_user()
        self.sign_in(json="true")
        with self.assertLogs("django_useauth.views", "ERROR"):
            response = self.post(
                "/session", {"csrfToken": self.csrf()}, media_type=JSON
            )
        assert (response.status_code, response.json()) == (400, {})

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10)
    def test_session_update_too_big(self):
        with self.assertLogs("django.security", "ERROR"):
            response = self.post("/session", {"csrfToken": "x" * 64}, media_type=JSON)
        self.assert_page(response, 400, "Bad Request")

    def test_openapi_disabled(self):
        response = self.call("GET", "/openapi.json")
        self.assert_page(response, 404, "Not Found")

    @override_settings(USEAUTH_OPENAPI=True)
    def test_openapi(self):
        response = self.call("GET", "/openapi.json")
        assert response.json()["servers"] == [{"url": BASE}]
        assert self.call("HEAD", "/openapi.json").content == b""

    def test_log(self):
        response = self.post("/_log", {"level": "error", "code": "X"})
        assert (response.status_code, response.content) == (200, b"")
