"""Sign-in (callback/<provider> and signin/<provider>) answers as django_useauth/openapi.json documents it."""

from __future__ import annotations

from django.test import override_settings

from tests.openapi_utils import JSON
from tests.openapi_utils import ConformanceTestCase
from tests.openapi_utils import header
from tests.utils import BASE
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import make_user


class SignInTests(ConformanceTestCase):
    def setUp(self):
        super().setUp()
        make_user()

    def test_success(self):
        response = self.sign_in(callbackUrl="/after")
        self.assert_redirect(response, "http://testserver/after")
        assert "sessionid=" in " ".join(response.headers["set-cookie"])

    def test_success_json(self):
        response = self.sign_in(json="true")
        self.assert_url(response, 200, "http://testserver/")

    def test_success_json_header(self):
        data = {"csrfToken": self.csrf(), "username": "ada", "password": PASSWORD}
        response = self.post(
            "/callback/{provider}",
            data,
            provider="credentials",
            media_type=JSON,
            headers={"X-Auth-Return-Redirect": "1"},
            query={"callbackUrl": "/q"},
        )
        self.assert_url(response, 200, "http://testserver/q")

    def test_bad_credentials(self):
        response = self.sign_in(password="wrong", json="true", callbackUrl="/after")
        self.assert_url(
            response,
            401,
            f"{BASE}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fafter",
        )
        response = self.sign_in(password="wrong")
        self.assert_redirect(
            response, f"{BASE}/error?error=CredentialsSignin&provider=credentials"
        )

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse")
    def test_refused(self):
        response = self.sign_in(json=True)
        self.assert_url(response, 403, f"{BASE}/error?error=AccessDenied")

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=1)
    def test_throttled(self):
        self.sign_in(password="wrong")
        response = self.sign_in(json="true")
        self.assert_url(
            response, 429, f"{BASE}/error?error=TooManyAttempts&provider=credentials"
        )
        assert 1 <= int(header(response, "Retry-After")) <= 900
        response = self.sign_in()
        self.assert_redirect(
            response, f"{BASE}/error?error=TooManyAttempts&provider=credentials"
        )
        assert int(header(response, "Retry-After")) >= 1

    def test_csrf_failure(self):
        self.csrf()
        response = self.post(
            "/callback/{provider}",
            {"csrfToken": "wrong", "json": "true"},
            provider="credentials",
        )
        self.assert_url(response, 200, f"{BASE}/signin?csrf=true")
        response = self.post(
            "/callback/{provider}", {"username": "ada"}, provider="credentials"
        )
        self.assert_redirect(response, f"{BASE}/signin?csrf=true")

    def test_malformed_body(self):
        response = self.post_raw(
            "/callback/{provider}", b"{not json", provider="credentials"
        )
        assert response.status_code == 400
        assert header(response, "Content-Type") == "text/plain; charset=utf-8"
        assert response.text == "Malformed request body."

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=2)
    def test_too_many_fields(self):
        data = {"a": "1", "b": "2", "c": "3"}
        with self.assertLogs("django.security", "ERROR"):
            response = self.post("/callback/{provider}", data, provider="credentials")
        self.assert_page(response, 400, "Bad Request")

    def test_get_credentials_callback(self):
        response = self.call("GET", "/callback/{provider}", provider="credentials")
        assert response.status_code == 405
        assert header(response, "Allow") == "POST"

    def test_unknown_provider(self):
        response = self.call("GET", "/callback/{provider}", provider="nope")
        self.assert_page(response, 404, "This sign-in method is not available.")
        self.csrf()
        response = self.post(
            "/callback/{provider}", {"json": "true"}, provider="nope", media_type=JSON
        )
        self.assert_url(response, 404, f"{BASE}/error?error=InvalidProvider")
        # A malformed body is no JSON mode: the page.
        response = self.post_raw("/callback/{provider}", b"[]", provider="nope")
        self.assert_page(response, 404, "Unable to sign in")


class SignInProviderTests(ConformanceTestCase):
    def test_pages(self):
        self.assert_page(self.call("GET", "/signin"), 200, "Sign in")
        query = {"callbackUrl": "/after", "error": "CredentialsSignin", "csrf": "true"}
        response = self.call("GET", "/signin/{provider}", provider="x", query=query)
        self.assert_page(response, 200, "Check the details you provided are correct.")
        assert self.call("HEAD", "/signin").content == b""
        assert self.call("HEAD", "/signin/{provider}", provider="x").content == b""

    @override_settings(USEAUTH_PAGES_SIGN_IN="/login/", USEAUTH_PAGES_SIGN_OUT="/out/")
    def test_custom_pages(self):
        response = self.call("GET", "/signin", query={"next": "/after"})
        self.assert_redirect(response, "/login/?callbackUrl=%2Fafter")
        response = self.call("GET", "/signout", query={"csrf": "true"})
        self.assert_redirect(response, "/out/?csrf=true")

    def test_post_credentials(self):
        response = self.post(
            "/signin/{provider}",
            {"csrfToken": self.csrf(), "json": "true"},
            provider="credentials",
        )
        self.assert_url(response, 200, f"{BASE}/signin")
        response = self.post(
            "/signin/{provider}", {"csrfToken": self.csrf()}, provider="credentials"
        )
        self.assert_redirect(response, f"{BASE}/signin")

    def test_post_failures(self):
        response = self.post(
            "/signin/{provider}", {"json": "TRUE"}, provider="credentials"
        )
        self.assert_url(response, 200, f"{BASE}/signin?csrf=true")
        response = self.post(
            "/signin/{provider}", {"csrfToken": self.csrf()}, provider="nope"
        )
        self.assert_page(response, 404, "This sign-in method is not available.")
        response = self.post(
            "/signin/{provider}",
            {"csrfToken": self.csrf(), "json": True},
            provider="nope",
            media_type=JSON,
        )
        self.assert_url(response, 404, f"{BASE}/error?error=InvalidProvider")
        response = self.post_raw(
            "/signin/{provider}", b'"a string"', provider="credentials"
        )
        assert (response.status_code, response.text) == (
            400,
            "Malformed request body.",
        )

    @override_settings(**GITHUB)
    def test_oauth(self):
        data = {"csrfToken": self.csrf(), "callbackUrl": "/after"}
        response = self.post("/signin/{provider}", data, provider="github")
        assert response.status_code == 302
        location = header(response, "Location")
        assert location.startswith("https://github.com/login/oauth/authorize?")
        response = self.post(
            "/signin/{provider}",
            {"csrfToken": self.csrf(), "json": "true"},
            provider="github",
            query={"login": "ada"},
        )
        assert response.status_code == 200
        assert response.json()["url"].startswith(
            "https://github.com/login/oauth/authorize?"
        )

    @override_settings(**GITHUB)
    def test_oauth_callback_failures(self):
        with self.assertLogs("django_useauth.oauth", "WARNING"):
            response = self.call(
                "GET",
                "/callback/{provider}",
                provider="github",
                query={"code": "c", "state": "s"},
            )
        self.assert_redirect(response, f"{BASE}/error?error=OAuthCallback")
        with self.assertLogs("django_useauth.oauth", "WARNING"):
            response = self.post(
                "/callback/{provider}", {"error": "access_denied"}, provider="github"
            )
        self.assert_redirect(response, f"{BASE}/error?error=AccessDenied")
