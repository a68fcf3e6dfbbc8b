"""The NextAuth v4 wire contract: signIn("credentials") as next-auth, nuxt-auth and Auth.js v5 send it, and signin/<provider>.

The browser and the checks are in tests/wire_utils.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import requests

from tests.utils import PASSWORD
from tests.wire_utils import WireTestCase
from tests.wire_utils import assert_no_store
from tests.wire_utils import assert_session
from tests.wire_utils import assert_session_cookie
from tests.wire_utils import html_forms
from tests.wire_utils import json_body
from tests.wire_utils import location
from tests.wire_utils import set_cookies


def next_auth_sign_in_result(response: requests.Response) -> dict[str, Any]:
    """What ``signIn(…, {redirect: false})`` of next-auth v4 resolves to (PROTOCOL.md section 3, step 7)."""
    url = response.json()["url"]
    parts = urlsplit(url)
    # new URL(data.url) has no base: a relative url would throw.
    assert parts.scheme in ("http", "https") and parts.netloc, url
    error = parse_qs(parts.query, keep_blank_values=True).get("error", [None])[0]
    ok = 200 <= response.status_code < 300
    return {
        "error": error,
        "status": response.status_code,
        "ok": ok,
        "url": None if error else url,
    }


def nuxt_auth_sign_in_result(response: requests.Response) -> dict[str, Any]:
    """What nuxt-auth's ``signIn(…, {redirect: false})`` returns (PROTOCOL.md section 8)."""
    url = response.json()["url"]
    error = parse_qs(urlsplit(url).query, keep_blank_values=True).get("error", [None])[
        0
    ]
    return {"error": error, "status": 200, "ok": True, "url": None if error else url}


class WireTests(WireTestCase):
    # signIn("credentials", {redirect: false})

    def test_sign_in_wrong_password(self) -> None:
        response = self.sign_in(password="wrong")
        assert json_body(response, 401) == {
            "url": f"{self.base}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fafter-login"
        }
        assert_no_store(response)
        assert "sessionid" not in set_cookies(response)
        assert next_auth_sign_in_result(response) == {
            "error": "CredentialsSignin",
            "status": 401,
            "ok": False,
            "url": None,
        }
        assert self.session() == {}

    def test_sign_in(self) -> None:
        response = self.sign_in()
        assert json_body(response, 200) == {"url": f"{self.origin}/after-login"}
        assert_no_store(response)
        assert_session_cookie(response)
        assert next_auth_sign_in_result(response) == {
            "error": None,
            "status": 200,
            "ok": True,
            "url": f"{self.origin}/after-login",
        }
        # res.ok: the client refreshes its session.
        assert_session(self.session())

    def test_sign_in_hostile_callback_url(self) -> None:
        response = self.sign_in(password="wrong", callback_url="http://evil.example/x")
        assert json_body(response, 401) == {
            "url": f"{self.base}/error?error=CredentialsSignin&provider=credentials"
        }
        response = self.sign_in(callback_url="http://evil.example/x")
        url = json_body(response, 200)["url"]
        # The site root; NextAuth writes the origin, new URL() reads both alike.
        assert url in (self.origin, f"{self.origin}/")
        assert_session(self.session())

    def test_csrf_failure_quirk(self) -> None:
        self.providers()
        self.csrf_token()
        fields = [
            ("redirect", "false"),
            ("username", "ada"),
            ("password", PASSWORD),
            ("callbackUrl", "/after-login"),
        ]
        for token in (None, "", "bogus", "x" * 64):
            with self.subTest(token=token):
                extra = [] if token is None else [("csrfToken", token)]
                response = self.browser.post_form(
                    "callback/credentials", [*fields, *extra, ("json", "true")]
                )
                assert json_body(response, 200) == {
                    "url": f"{self.base}/signin?csrf=true"
                }
                assert "sessionid" not in set_cookies(response)
                assert next_auth_sign_in_result(response) == {
                    "error": None,
                    "status": 200,
                    "ok": True,
                    "url": f"{self.base}/signin?csrf=true",
                }
        # A browser form post with a bad token is sent back to the sign-in page.
        response = self.browser.post_form(
            "callback/credentials", [("csrfToken", "bogus"), *fields]
        )
        assert location(response) == f"{self.base}/signin?csrf=true"
        # A valid token without the cookie is no better.
        stranger = self.new_browser()
        response = stranger.post_form(
            "callback/credentials",
            [*fields, ("csrfToken", self.csrf_token()), ("json", "true")],
        )
        assert json_body(response, 200) == {"url": f"{self.base}/signin?csrf=true"}
        assert self.session() == {}
        assert self.session(stranger) == {}

    # nuxt-auth's variants

    def test_nuxt_auth_sign_in_and_out(self) -> None:
        # signIn: providers, csrf, the same urlencoded POST; getSession even on failure.
        response = self.sign_in(password="wrong")
        assert json_body(response, 401)["url"].startswith(
            f"{self.base}/error?error=CredentialsSignin&provider=credentials"
        )
        assert nuxt_auth_sign_in_result(response) == {
            "error": "CredentialsSignin",
            "status": 200,
            "ok": True,
            "url": None,
        }
        assert self.session() == {}
        response = self.sign_in()
        assert nuxt_auth_sign_in_result(response) == {
            "error": None,
            "status": 200,
            "ok": True,
            "url": f"{self.origin}/after-login",
        }
        assert_session(self.session())
        # signOut({redirect: false}): csrf, POST signout, getSession.
        token = self.csrf_token()
        response = self.browser.post_form(
            "signout",
            [("csrfToken", token), ("callbackUrl", "/after-logout"), ("json", "true")],
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-logout"}
        assert self.session() == {}

    def test_json_body_with_boolean_json(self) -> None:
        self.providers()
        token = self.csrf_token()
        body = {
            "username": "ada",
            "password": "wrong",
            "callbackUrl": "/after-login",
            "csrfToken": token,
            "json": True,
        }
        response = self.browser.post_json("callback/credentials", body)
        assert json_body(response, 401) == {
            "url": f"{self.base}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fafter-login"
        }
        response = self.browser.post_json(
            "callback/credentials", {**body, "password": PASSWORD}
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-login"}
        assert_session_cookie(response)
        assert_session(self.session())

    def test_auth_return_redirect_header(self) -> None:
        token = self.csrf_token()
        fields = [
            ("username", "ada"),
            ("callbackUrl", "/after-login"),
            ("csrfToken", token),
        ]
        # Auth.js v5 asks for JSON mode with a header instead of json=true.
        header = {"X-Auth-Return-Redirect": "1"}
        response = self.browser.post_form(
            "callback/credentials", [*fields, ("password", "wrong")], header
        )
        assert json_body(response, 401) == {
            "url": f"{self.base}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fafter-login"
        }
        response = self.browser.post_form(
            "callback/credentials", [*fields, ("password", PASSWORD)], header
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-login"}
        token = self.csrf_token()
        response = self.browser.post_form(
            "signout", [("csrfToken", token), ("callbackUrl", "/bye")], header
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/bye"}

    # signin/<provider>

    def test_post_signin_credentials(self) -> None:
        token = self.csrf_token()
        response = self.browser.post_form(
            "signin/credentials", [("csrfToken", token), ("json", "true")]
        )
        assert json_body(response, 200) == {"url": f"{self.base}/signin"}
        assert self.session() == {}

    def test_post_signin_unknown_provider(self) -> None:
        token = self.csrf_token()
        response = self.browser.post_form(
            "signin/nosuchprovider",
            [("csrfToken", token), ("callbackUrl", "/x"), ("json", "true")],
        )
        assert json_body(response, 404) == {
            "url": f"{self.base}/error?error=InvalidProvider"
        }
        response = self.browser.post_form(
            "signin/nosuchprovider", [("csrfToken", token), ("callbackUrl", "/x")]
        )
        assert response.status_code == 404
        assert response.headers["Content-Type"].split(";")[0] == "text/html"

    def test_client_unknown_provider(self) -> None:
        # signIn("nosuchprovider"): the provider is not in the map, so the
        # client navigates to the sign-in page without posting anything.
        assert "nosuchprovider" not in self.providers()
        response = self.browser.get_page("/api/auth/signin?callbackUrl=%2Fprotected")
        assert response.status_code == 200
        forms = html_forms(response)
        assert [form.action for form in forms] == [f"{self.base}/callback/credentials"]
