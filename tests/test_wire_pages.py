"""The NextAuth v4 wire contract: the built-in pages, and what a browser sends outside the JSON API.

The sign-in, sign-out and error pages with their forms and redirects, the
client logger's beacon, and unknown actions and methods. The browser and the
checks are in tests/wire_utils.py.
"""

from __future__ import annotations

from urllib.parse import urlencode

from tests.expected import SIGN_IN_ERRORS
from tests.utils import PASSWORD
from tests.wire_utils import WireTestCase
from tests.wire_utils import assert_session
from tests.wire_utils import assert_session_cookie
from tests.wire_utils import assert_session_cookie_deleted
from tests.wire_utils import html_forms
from tests.wire_utils import location


class WireTests(WireTestCase):
    # The built-in pages

    def test_sign_in_page(self) -> None:
        form = self.page_form("/api/auth/signin", f"{self.base}/callback/credentials")
        assert form.inputs["username"][0] == "text"
        assert form.inputs["password"][0] == "password"

        # useSession({required: true}) and nuxt-auth's middleware land here.
        response = self.browser.get_page(
            "/api/auth/signin?error=SessionRequired&callbackUrl=%2Fprotected"
        )
        assert response.status_code == 200
        assert "Please sign in to access this page." in response.text
        [form] = html_forms(response)
        assert form.hidden()["callbackUrl"] == "/protected"

    def test_html_form_sign_in(self) -> None:
        response = self.browser.get_page("/api/auth/signin?callbackUrl=%2Fprotected")
        [form] = html_forms(response)
        fields = [*form.hidden().items(), ("username", "ada")]

        # A wrong password ends on the sign-in page with the error shown.
        response = self.browser.http.post(
            form.action,
            data=[*fields, ("password", "wrong")],
            headers={"Origin": self.origin},
            allow_redirects=False,
        )
        assert response.status_code == 302
        error_page = location(response)
        assert error_page == (
            f"{self.base}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fprotected"
        )
        response = self.browser.http.get(error_page, allow_redirects=False)
        sign_in_page = location(response)
        assert sign_in_page == (
            f"{self.base}/signin?error=CredentialsSignin&callbackUrl=%2Fprotected"
        )
        response = self.browser.http.get(sign_in_page, allow_redirects=False)
        assert response.status_code == 200
        assert "Sign in failed. Check the details you provided are correct." in (
            response.text
        )
        [form] = html_forms(response)

        response = self.browser.http.post(
            form.action,
            data=[*form.hidden().items(), ("username", "ada"), ("password", PASSWORD)],
            headers={"Origin": self.origin},
            allow_redirects=False,
        )
        assert response.status_code == 302
        assert response.headers["Location"] == f"{self.origin}/protected"
        assert_session_cookie(response)
        assert_session(self.session())

    def test_sign_out_page(self) -> None:
        self.signed_in()
        form = self.page_form("/api/auth/signout", f"{self.base}/signout")
        # Showing the page signs nobody out.
        assert_session(self.session())

        response = self.browser.http.post(
            form.action,
            data=form.hidden(),
            headers={"Origin": self.origin},
            allow_redirects=False,
        )
        assert location(response) in (self.origin, f"{self.origin}/")
        assert_session_cookie_deleted(response)
        assert self.session() == {}

    def test_error_page(self) -> None:
        cases = [
            ("Configuration", 500),
            ("AccessDenied", 403),
            ("Verification", 403),
            ("Default", 200),
            ("", 200),
            ("NoSuchCode", 200),
            ("<script>alert(1)</script>", 200),
        ]
        for code, status in cases:
            with self.subTest(code=code):
                response = self.browser.get_page(
                    f"/api/auth/error?{urlencode({'error': code})}"
                )
                assert response.status_code == status
                assert response.headers["Content-Type"].split(";")[0] == "text/html"
                if code not in ("Configuration", "AccessDenied", "Verification"):
                    assert code == "" or code not in response.text
        response = self.browser.get_page("/api/auth/error")
        assert response.status_code == 200

    def test_error_page_code_is_case_insensitive(self) -> None:
        # PROTOCOL.md section 2: the page status is looked up case-insensitively
        # (v4's email callback itself redirects to error=configuration).
        cases = [("configuration", 500), ("ACCESSDENIED", 403), ("verification", 403)]
        for code, status in cases:
            with self.subTest(code=code):
                response = self.browser.get_page(f"/api/auth/error?error={code}")
                assert response.status_code == status

    def test_sign_in_errors_go_to_the_sign_in_page(self) -> None:
        for code in SIGN_IN_ERRORS:
            with self.subTest(code=code):
                response = self.browser.get_page(f"/api/auth/error?error={code}")
                assert location(response) == f"{self.base}/signin?error={code}"

    def test_sign_in_error_codes_are_case_sensitive(self) -> None:
        # PROTOCOL.md section 2: only the listed codes, exactly, go to the
        # sign-in page (v4 tests them with Array.includes); anything else is
        # the error page, whose status alone is looked up case-insensitively.
        for code in ("credentialssignin", "SESSIONREQUIRED", "oauthsignin"):
            with self.subTest(code=code):
                response = self.browser.get_page(f"/api/auth/error?error={code}")
                assert response.status_code == 200
                assert response.headers["Content-Type"].split(";")[0] == "text/html"

    # The rest

    def test_log_beacon(self) -> None:
        # The client logger's navigator.sendBeacon(url, new URLSearchParams({level, code, ...metadata})).
        response = self.browser.post_form(
            "_log",
            [
                ("level", "error"),
                ("code", "CLIENT_FETCH_ERROR"),
                ("error", "[object Object]"),
                ("url", "/api/auth/session"),
                ("message", "Unexpected token"),
                ("client", "true"),
            ],
        )
        assert response.status_code == 200
        assert response.content == b""

    def test_unsupported_requests(self) -> None:
        response = self.browser.get_page("/api/auth/nosuchaction")
        assert response.status_code == 404
        response = self.browser.http.put(self.browser.url("/api/auth/session"))
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD, POST"
        response = self.browser.get_page("/api/auth/callback/credentials")
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"
