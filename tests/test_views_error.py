"""The error page, and the client's error log (POST _log)."""

from __future__ import annotations

from django.test import TestCase
from django.test import override_settings

from tests.expected import SIGN_IN_ERRORS
from tests.utils import assert_never_cached
from tests.utils import csrf_client


class ErrorPageTests(TestCase):
    def test_statuses(self):
        cases = {
            "Configuration": (
                500,
                "Server error",
                "There is a problem with the server configuration.",
            ),
            "configuration": (
                500,
                "Server error",
                "Check the server logs for more information.",
            ),
            "AccessDenied": (
                403,
                "Access Denied",
                "You do not have permission to sign in.",
            ),
            "Verification": (
                403,
                "Unable to sign in",
                "The sign in link is no longer valid.",
            ),
            "InvalidProvider": (
                404,
                "Unable to sign in",
                "This sign-in method is not available.",
            ),
            "Default": (200, "Error", "Back to the site"),
        }
        for code, (status, heading, text) in cases.items():
            response = self.client.get("/api/auth/error", {"error": code})
            html = response.content.decode()
            assert response.status_code == status, code
            assert f"<h1>{heading}</h1>" in html, code
            assert text in html, code
            assert_never_cached(response)

    def test_no_code(self):
        response = self.client.get("/api/auth/error")
        assert response.status_code == 200
        # No sign-in button; the way out is the link back to the site.
        html = response.content.decode()
        assert "<title>Error</title>" in html
        assert '<a class="useauth-back" href="/">Back to the site</a>' in html
        assert "useauth-button" not in html

    def test_sign_in_errors_go_to_sign_in_page(self):
        for code in SIGN_IN_ERRORS:
            response = self.client.get("/api/auth/error", {"error": code})
            assert response.status_code == 302, code
            assert response["Location"] == f"/api/auth/signin?error={code}"

    def test_sign_in_link(self):
        html = self.client.get("/api/auth/error?error=AccessDenied").content.decode()
        assert '<a class="useauth-button" href="/api/auth/signin">Sign in</a>' in html

    @override_settings(USEAUTH_PAGES_ERROR="/oops/")
    def test_custom_page(self):
        response = self.client.get("/api/auth/error?error=AccessDenied&callbackUrl=/p")
        assert response["Location"] == "/oops/?error=AccessDenied&callbackUrl=%2Fp"
        response = self.client.get("/api/auth/error?error=junk")
        assert response["Location"] == "/oops/?error=Default"

    @override_settings(USEAUTH_PAGES_SIGN_IN="/login/")
    def test_sign_in_error_with_custom_sign_in_page(self):
        response = self.client.get(
            "/api/auth/error?error=CredentialsSignin&callbackUrl=/p"
        )
        assert (
            response["Location"] == "/login/?error=CredentialsSignin&callbackUrl=%2Fp"
        )


class LogTests(TestCase):
    def test_beacon(self):
        response = csrf_client().post(
            "/api/auth/_log",
            {"level": "error", "code": "CLIENT_FETCH_ERROR", "message": "x"},
        )
        assert response.status_code == 200
        assert response.content == b""

    def test_get(self):
        assert self.client.get("/api/auth/_log").status_code == 405
