"""The Nuxt example with nuxt-auth's local provider and refresh, in Chromium: Django's tokens through Nuxt's proxy.

The production build (``NUXT_AUTH_PROVIDER=local``) runs under ``node`` and
proxies ``/api/token/**`` to the demo project (docs/nuxt.md). Access tokens
live ``ACCESS_LIFETIME`` seconds, in Django and in nuxt-auth's cookie alike,
so a test can outlive one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import requests
from playwright.sync_api import expect

from tests.expected import DEMO_USER
from tests.live import DEMO_PASSWORD
from tests.live import DEMO_USERNAME
from tests.nuxt import NuxtTestCase

ACCESS_LIFETIME = 5
TOKEN_COOKIE = "auth.token"
REFRESH_COOKIE = "auth.refresh-token"
WRONG_PASSWORD_MESSAGE = "Sign in failed. Check the details you provided are correct."


class NuxtLocalTests(NuxtTestCase):
    provider = "local"
    # The cookie of the access token expires with the token (nuxt-auth's
    # token.maxAgeInSeconds, runtime config).
    nuxt_settings = {
        "NUXT_PUBLIC_AUTH_PROVIDER_TOKEN_MAX_AGE_IN_SECONDS": str(ACCESS_LIFETIME)
    }
    django_settings = {"USEAUTH_TOKEN_ACCESS_LIFETIME": str(ACCESS_LIFETIME)}

    # -- helpers ----------------------------------------------------------------

    def tokens(self) -> dict[str, str]:
        """nuxt-auth's token cookies in the browser."""
        return {
            cookie["name"]: unquote(cookie["value"])
            for cookie in self.context.cookies()
            if cookie["name"] in {TOKEN_COOKIE, REFRESH_COOKIE}
        }

    def token_api(self, method: str, route: str, **kwargs: Any) -> requests.Response:
        """A request straight to Django's /api/token/, on a connection of its own."""
        with requests.Session() as http:
            http.trust_env = False
            return http.request(
                method, f"{self.django.origin}/api/token/{route}", timeout=10, **kwargs
            )

    def session_status(self, token: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return self.token_api("GET", "session", headers=headers).status_code

    def wait_until(self, condition: Callable[[], bool], failure: str) -> None:
        deadline = time.monotonic() + ACCESS_LIFETIME + 10
        while not condition():
            assert time.monotonic() < deadline, failure
            time.sleep(0.1)

    def fill_in(self, password: str) -> None:
        form = self.page.get_by_role("main")
        form.get_by_label("Username").fill(DEMO_USERNAME)
        form.get_by_label("Password").fill(password)
        form.get_by_role("button", name="Sign in").click()

    def sign_in(self) -> dict[str, str]:
        """Sign in on the login page; the token cookies."""
        self.page.goto("/login")
        self.fill_in(DEMO_PASSWORD)
        expect(self.page).to_have_url(self.url("/"))
        expect(self.page.get_by_test_id("status")).to_have_text(
            f"Signed in as {DEMO_USER['name']}"
        )
        return self.tokens()

    # -- tests ------------------------------------------------------------------

    def test_protected_page_round_trip(self):
        # nuxt-auth's middleware (on the server: a 302) sends a signed-out
        # visitor to the login page, with the page in ?redirect=.
        self.page.goto("/protected")
        expect(self.page).to_have_url(self.url("/login?redirect=/protected"))

        self.fill_in("wrong password")
        expect(self.page.get_by_role("alert")).to_have_text(WRONG_PASSWORD_MESSAGE)
        assert self.tokens() == {}

        self.fill_in(DEMO_PASSWORD)
        expect(self.page).to_have_url(self.url("/protected"))
        expect(self.page.get_by_test_id("greeting")).to_have_text(
            f"Hello, {DEMO_USER['name']}."
        )
        expect(self.page.get_by_test_id("status")).to_have_text(
            f"Signed in as {DEMO_USER['name']}"
        )
        # The cookie holds Django's access token: GET session answers the
        # same user to anyone who sends it.
        tokens = self.tokens()
        assert set(tokens) == {TOKEN_COOKIE, REFRESH_COOKIE}
        response = self.token_api(
            "GET",
            "session",
            headers={"Authorization": f"Bearer {tokens[TOKEN_COOKIE]}"},
        )
        assert response.status_code == 200
        assert response.json()["user"] == DEMO_USER

    def test_refresh_after_the_access_token_expires(self):
        first = self.sign_in()
        # The access token's cookie expires with the token. (Django still
        # takes the token for a clock-skew leeway of 30 seconds.)
        self.wait_until(
            lambda: TOKEN_COOKIE not in self.tokens(), "the token cookie stays"
        )

        # A page load: the server refreshes with the refresh token cookie
        # before it renders, so the HTML already shows the user.
        response = self.page.goto("/protected")
        assert response is not None
        assert f"Hello, {DEMO_USER['name']}." in response.text()
        second = self.tokens()
        assert second[TOKEN_COOKIE] != first[TOKEN_COOKIE]
        # Rotated: Django answered a new refresh token too.
        assert second[REFRESH_COOKIE] != first[REFRESH_COOKIE]
        assert self.session_status(second[TOKEN_COOKIE]) == 200

        # In the browser: nuxt-auth refreshes when the tab becomes visible.
        self.page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        self.wait_until(
            lambda: (
                self.tokens().get(TOKEN_COOKIE, second[TOKEN_COOKIE])
                != second[TOKEN_COOKIE]
            ),
            "no new access token",
        )
        third = self.tokens()
        assert third[REFRESH_COOKIE] != second[REFRESH_COOKIE]
        assert self.session_status(third[TOKEN_COOKIE]) == 200
        expect(self.page.get_by_test_id("greeting")).to_have_text(
            f"Hello, {DEMO_USER['name']}."
        )

    def test_sign_out_revokes_the_refresh_token(self):
        tokens = self.sign_in()
        # signOut() forgets the tokens first, then posts the refresh token to
        # POST logout.
        with self.page.expect_response(self.url("/api/token/logout")) as logout:
            self.page.get_by_role("button", name="Sign out").click()
        assert logout.value.status == 200
        expect(self.page.get_by_test_id("status")).to_have_text("Signed out")
        assert self.tokens() == {}
        response = self.token_api(
            "POST", "refresh", json={"refreshToken": tokens[REFRESH_COOKIE]}
        )
        assert response.status_code == 401
        assert response.json() == {"error": "InvalidRefreshToken"}

    def test_reused_refresh_token_signs_the_app_out(self):
        first = self.sign_in()
        # A page load rotates the refresh token (see above).
        self.page.goto("/protected")
        second = self.tokens()
        assert second[REFRESH_COOKIE] != first[REFRESH_COOKIE]

        # The old one again, as a thief would: refused, and its whole family
        # revoked.
        response = self.token_api(
            "POST", "refresh", json={"refreshToken": first[REFRESH_COOKIE]}
        )
        assert response.status_code == 401
        assert response.json() == {"error": "RefreshTokenReused"}

        # The app's own refresh token no longer works either: the next page
        # load signs the user out.
        self.page.goto("/protected")
        expect(self.page).to_have_url(self.url("/login?redirect=/protected"))
        expect(self.page.get_by_test_id("status")).to_have_text("Signed out")
        response = self.token_api(
            "POST", "refresh", json={"refreshToken": second[REFRESH_COOKIE]}
        )
        assert response.status_code == 401
        assert response.json()["error"] in {"InvalidRefreshToken", "RefreshTokenReused"}

    def test_pages_pass_the_accessibility_audit(self):
        # The example's own pages, as every page people see: axe-core, light
        # and dark, 320 px to wide, nothing sticking out (tests/a11y.py).
        from tests import a11y

        a11y.require()
        self.page.goto("/login")
        problems = a11y.audit(self.page, "nuxt-login")
        self.sign_in()
        for path, name in (("/", "nuxt-home"), ("/protected", "nuxt-protected")):
            self.page.goto(path)
            expect(self.page.get_by_test_id("status")).to_have_text(
                f"Signed in as {DEMO_USER['name']}"
            )
            problems += a11y.audit(self.page, name)
        a11y.assert_clean(problems)
