"""The browser client (static/django_useauth/useauth.js) in headless Chromium.

The pages are tests/templates/pages/*.html on a live server; each test drives
``window.auth`` (the page's ``useAuth()``) and checks what it resolves, the
state it reports and the requests it makes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core import mail
from django.test import override_settings

from tests.browser import BrowserTestCase
from tests.utils import EXPIRES_RE
from tests.utils import PASSWORD
from tests.utils import TOKEN_RE


class BrowserPageTestCase(BrowserTestCase):
    """The pages of tests/templates/pages/, and the requests each test's page makes."""

    def setUp(self) -> None:
        super().setUp()
        self.requests: list[str] = []
        self.page.on(
            "request",
            lambda request: self.requests.append(f"{request.method} {request.url}"),
        )

    def open(self, name: str = "client", query: str = "") -> None:
        self.page.goto(f"{self.live_server_url}/page/{name}/{query}")
        self.page.wait_for_function("window.ready === true")

    def run_js(self, script: str) -> Any:
        return self.page.evaluate(script)

    def sign_in(self) -> Any:
        return self.run_js(
            f"auth.signIn('credentials', {{redirect: false, username: 'ada', password: '{PASSWORD}', callbackUrl: '/next/'}})"
        )

    def session_requests(self) -> int:
        return sum(
            1 for request in self.requests if request.endswith("/api/auth/session")
        )

    def route(self, path: str, status: int, body: object) -> None:
        self.page.route(
            f"**{path}",
            lambda route: route.fulfill(
                status=status, content_type="application/json", body=json.dumps(body)
            ),
        )


class UseAuthJsTests(BrowserPageTestCase):
    # -- hydration -------------------------------------------------------------

    def test_hydrated_signed_out(self):
        self.open()
        assert self.run_js("[auth.status, auth.data, auth.lastRefreshedAt]") == [
            "unauthenticated",
            None,
            None,
        ]
        # The first paint knew: no "loading", and no request was needed.
        assert self.run_js("statuses") == ["unauthenticated"]
        assert self.session_requests() == 0

    def test_hydrated_signed_in(self):
        self.open()
        self.sign_in()
        self.open()
        assert self.run_js("auth.status") == "authenticated"
        data = self.run_js("auth.data")
        assert data["user"] == {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "image": None,
        }
        assert EXPIRES_RE.fullmatch(data["expires"])
        assert (
            self.run_js(
                "auth.lastRefreshedAt instanceof Date && !isNaN(auth.lastRefreshedAt)"
            )
            is True
        )
        assert self.run_js("statuses") == ["authenticated"]

    def test_without_hydration_starts_loading(self):
        self.open("bare")
        self.page.wait_for_function("window.statuses.length >= 2")
        assert self.run_js("statuses") == ["loading", "unauthenticated"]

    # -- sign-in, sign-out, update ----------------------------------------------

    def test_sign_in_wrong_password(self):
        self.open()
        result = self.run_js(
            "auth.signIn('credentials', {redirect: false, username: 'ada', password: 'wrong'})"
        )
        assert result == {
            "error": "CredentialsSignin",
            "status": 401,
            "ok": False,
            "url": None,
        }
        assert self.run_js("auth.status") == "unauthenticated"

    def test_sign_in_and_out_without_redirect(self):
        self.open()
        self.run_js("window.marker = 'same page'")
        result = self.sign_in()
        assert result == {
            "error": None,
            "status": 200,
            "ok": True,
            "url": f"{self.live_server_url}/next/",
        }
        assert self.run_js("[auth.status, auth.data.user.name]") == [
            "authenticated",
            "Ada Lovelace",
        ]
        assert self.run_js("statuses") == ["unauthenticated", "authenticated"]
        assert self.run_js("events") == ["authenticated"]
        out = self.run_js("auth.signOut({redirect: false, callbackUrl: '/bye/'})")
        assert out == {"url": f"{self.live_server_url}/bye/", "error": None}
        assert self.run_js("[auth.status, auth.data]") == ["unauthenticated", None]
        assert self.run_js("window.marker") == "same page"
        assert self.run_js("fetch('/api/auth/session').then((r) => r.json())") == {}

    def test_sign_in_with_redirect_navigates(self):
        self.open()
        with self.page.expect_navigation(url=f"{self.live_server_url}/next/"):
            self.run_js(
                f"auth.signIn('credentials', {{username: 'ada', password: '{PASSWORD}', callbackUrl: '/next/'}})"
            )

    def test_sign_out_with_redirect_navigates(self):
        self.open()
        self.sign_in()
        with self.page.expect_navigation(url=f"{self.live_server_url}/bye/"):
            self.run_js("auth.signOut({callbackUrl: '/bye/'})")

    def test_update(self):
        self.open()
        self.sign_in()
        session = self.run_js("auth.update({theme: 'dark'})")
        assert session["user"]["name"] == "Ada Lovelace"
        assert any(
            r.startswith("POST ") and r.endswith("/api/auth/session")
            for r in self.requests
        )

    def test_update_signed_out(self):
        self.open()
        assert self.run_js("auth.update({x: 1})") is None

    def test_unknown_provider_goes_to_the_sign_in_page(self):
        self.open()
        with self.page.expect_navigation(
            url=re.compile(r".*/api/auth/signin\?callbackUrl=.*")
        ):
            result = self.run_js("auth.signIn('nosuch', {redirect: false})")
        assert result["error"] == "InvalidProvider"
        assert result["ok"] is False

    def test_no_provider_goes_to_the_sign_in_page(self):
        self.open()
        with self.page.expect_navigation(
            url=re.compile(r".*/api/auth/signin\?callbackUrl=.*")
        ):
            result = self.run_js("auth.signIn()")
        assert result["ok"] is True

    def test_get_session_required(self):
        self.open()
        with self.page.expect_navigation(
            url=f"{self.live_server_url}/api/auth/signin?callbackUrl=%2Fwanted%2F"
        ):
            self.run_js("auth.getSession({required: true, callbackUrl: '/wanted/'})")

    def test_get_session_required_with_handler(self):
        self.open()
        assert (
            self.run_js(
                "new Promise((resolve) => auth.getSession({required: true, onUnauthenticated: () => resolve('called')}))"
            )
            == "called"
        )

    def test_csrf_and_providers(self):
        self.open()
        assert TOKEN_RE.fullmatch(self.run_js("auth.getCsrfToken()"))
        assert list(self.run_js("auth.getProviders()")) == ["credentials"]

    # -- failures are errors, not session data ------------------------------

    def test_failed_session_request_rejects_and_keeps_the_state(self):
        self.open()
        self.sign_in()
        self.route("/api/auth/session", 500, {"user": {"name": "not a session"}})
        error = self.run_js(
            "auth.refresh().then(() => 'resolved', (e) => [e.name, e.status])"
        )
        assert error == ["AuthError", 500]
        assert self.run_js("auth.data.user.name") == "Ada Lovelace"

    def test_failed_requests_reject(self):
        self.open()
        cases = {
            "/api/auth/csrf": "auth.getCsrfToken()",
            "/api/auth/providers": "auth.getProviders()",
            "/api/auth/signout": "auth.signOut({redirect: false})",
        }
        for path, call in cases.items():
            self.route(path, 503, ["not", "an", "object"])
            assert (
                self.run_js(f"{call}.then(() => 'resolved', (e) => e.name)")
                == "AuthError"
            ), path
        # A sign-in whose POST answers something other than {"url": …}.
        self.page.unroute("**/api/auth/csrf")
        self.route("/api/auth/providers", 200, {"credentials": {"type": "credentials"}})
        self.route("/api/auth/callback/credentials", 502, "oops")
        assert (
            self.run_js(
                "auth.signIn('credentials', {redirect: false}).then(() => 'resolved', (e) => e.name)"
            )
            == "AuthError"
        )

    def test_network_error_rejects(self):
        self.open()
        self.page.route("**/api/auth/session", lambda route: route.abort())
        assert self.run_js(
            "auth.refresh().then(() => 'resolved', (e) => [e.name, e.status])"
        ) == ["AuthError", None]

    def test_update_failure_rejects(self):
        self.open()
        self.page.route(
            "**/api/auth/session",
            lambda route: (
                route.fulfill(status=400, content_type="application/json", body="{}")
                if route.request.method == "POST"
                else route.continue_()
            ),
        )
        assert (
            self.run_js("auth.update({}).then(() => 'resolved', (e) => e.status)")
            == 400
        )

    def test_csrf_refusal_is_reported(self):
        self.open()
        self.sign_in()
        origin = self.live_server_url
        self.route(
            "/api/auth/signout", 200, {"url": f"{origin}/api/auth/signout?csrf=true"}
        )
        assert self.run_js("auth.signOut({redirect: false})") == {
            "url": f"{origin}/api/auth/signout?csrf=true",
            "error": "MissingCSRF",
        }
        assert self.run_js("auth.status") == "authenticated"
        self.route(
            "/api/auth/callback/credentials",
            200,
            {"url": f"{origin}/api/auth/signin?csrf=true"},
        )
        assert self.run_js("auth.signIn('credentials', {redirect: false})") == {
            "error": "MissingCSRF",
            "status": 200,
            "ok": False,
            "url": None,
        }

    def test_never_navigates_to_script(self):
        self.open()
        self.route(
            "/api/auth/callback/credentials", 200, {"url": "javascript:alert(1)"}
        )
        assert (
            self.run_js(
                "auth.signIn('credentials', {username: 'ada', password: 'x'}).then(() => 'navigated', (e) => e.name)"
            )
            == "AuthError"
        )

    def test_subscriber_errors_do_not_break_the_client(self):
        self.open()
        self.run_js(
            # void: Playwright calls a function an evaluated expression returns,
            # and subscribe() returns the function that unsubscribes.
            "void auth.subscribe((state) => { if (state.status === 'authenticated') throw new Error('boom'); })"
        )
        self.run_js(
            "window.later = []; void auth.subscribe((state) => window.later.push(state.status))"
        )
        self.sign_in()
        assert self.run_js("auth.status") == "authenticated"
        # The subscriber after the one that threw was still told.
        assert self.run_js("later") == ["unauthenticated", "authenticated"]
        unsubscribe_left = self.run_js(
            "(() => { const stop = auth.subscribe(() => {}); return stop(); })()"
        )
        assert unsubscribe_left is True

    # -- refresh -------------------------------------------------------------

    def test_refresh_on_focus(self):
        self.open()
        self.sign_in()
        other = self.context.new_page()
        other.goto(f"{self.live_server_url}/page/bare/")
        other.wait_for_function("window.ready === true")
        # Signed out elsewhere, without telling this page's channel.
        other.evaluate(
            "fetch('/api/auth/csrf').then((r) => r.json()).then(({csrfToken}) => "
            "fetch('/api/auth/signout', {method: 'POST', body: new URLSearchParams({csrfToken})}))"
        )
        assert self.run_js("auth.status") == "authenticated"
        self.run_js("window.dispatchEvent(new Event('focus'))")
        self.page.wait_for_function("auth.status === 'unauthenticated'")
        before = self.session_requests()
        # A second focus event right away is the same focus: no second request.
        self.run_js("document.dispatchEvent(new Event('visibilitychange'))")
        self.page.wait_for_timeout(200)
        assert self.session_requests() == before

    def test_cross_tab_sign_out(self):
        self.open()
        self.sign_in()
        tab = self.context.new_page()
        tab.goto(f"{self.live_server_url}/page/client/")
        tab.wait_for_function("window.ready === true")
        assert tab.evaluate("auth.status") == "authenticated"
        self.run_js("auth.signOut({redirect: false})")
        tab.wait_for_function("auth.status === 'unauthenticated'")
        assert tab.evaluate("statuses") == ["authenticated", "unauthenticated"]

    def test_periodic_refresh(self):
        self.open()
        self.sign_in()
        self.open(query="?interval=1")
        before = self.session_requests()
        self.page.wait_for_timeout(2500)
        assert self.session_requests() >= before + 2

    def test_under_a_strict_csp(self):
        violations: list[str] = []
        self.page.on("console", lambda message: violations.append(message.text))
        self.open("csp")
        assert self.run_js("window.status") == "unauthenticated"
        assert not [text for text in violations if "Content Security Policy" in text]


class UseAuthJsRaceTests(BrowserPageTestCase):
    """Answers that predate a change, callbackUrls with queries, hashes, stale form tokens."""

    def test_sign_in_during_a_refresh(self):
        self.open()
        self.run_js("window.pending = auth.refresh()")
        result = self.sign_in()
        assert result["ok"] is True
        self.run_js("window.pending")
        assert self.run_js("auth.status") == "authenticated"

    def test_sign_out_during_a_slow_refresh(self):
        self.open()
        self.sign_in()
        self.run_js(
            """(() => {
              const original = window.fetch;
              window.fetch = async (url, init) => {
                const response = await original(url, init);
                if (String(url).endsWith('/session') && (!init || init.method === 'GET') && !window.slowed) {
                  window.slowed = true;
                  await new Promise((resolve) => setTimeout(resolve, 1500));
                }
                return response;
              };
              window.pending = auth.refresh();
            })()"""
        )
        self.run_js("auth.signOut({redirect: false})")
        assert (
            self.run_js("window.pending.then(() => auth.status)") == "unauthenticated"
        )
        assert self.run_js("auth.status") == "unauthenticated"

    def test_callback_url_query_is_not_an_error(self):
        self.open()
        result = self.run_js(
            f"auth.signIn('credentials', {{redirect: false, username: 'ada', password: '{PASSWORD}', callbackUrl: '/tags/?error=none&csrf=true'}})"
        )
        assert result == {
            "error": None,
            "status": 200,
            "ok": True,
            "url": f"{self.live_server_url}/tags/?error=none&csrf=true",
        }
        out = self.run_js(
            "auth.signOut({redirect: false, callbackUrl: '/api/auth/signin?csrf=false&error=x'})"
        )
        assert out["error"] is None
        assert self.run_js("auth.status") == "unauthenticated"

    def test_hash_on_another_page_navigates(self):
        self.open()
        self.sign_in()
        self.run_js("auth.signOut({callbackUrl: '/page/bare/#section'})")
        self.page.wait_for_url(f"{self.live_server_url}/page/bare/#section")

    def test_hash_on_this_page_reloads(self):
        self.open()
        self.run_js("window.marker = 'before reload'")
        self.run_js("auth.signOut({callbackUrl: location.pathname + '#top'})")
        self.page.wait_for_function(
            "window.ready === true && window.marker === undefined"
        )
        assert self.page.url.endswith("/page/client/#top")

    def test_server_rendered_forms_get_the_rotated_token(self):
        self.open("forms")
        before = self.page.input_value("form.useauth-sign-out input[name=csrfToken]")
        self.sign_in()
        self.page.wait_for_function(
            f"document.querySelector('form.useauth-sign-out input[name=csrfToken]').value !== '{before}'"
        )
        # The form rendered before the sign-in now signs out.
        self.page.click("form.useauth-sign-out button")
        self.page.wait_for_url(f"{self.live_server_url}/page/forms/")
        assert self.run_js("fetch('/api/auth/session').then((r) => r.json())") == {}


@override_settings(USEAUTH_EMAIL_ENABLED=True)
class UseAuthJsEmailTests(BrowserPageTestCase):
    # The email provider stays on the page without redirect, as next-auth's does.

    def test_email_sign_in_without_redirect(self):
        self.open()
        result = self.run_js(
            f"auth.signIn('email', {{redirect: false, email: '{self.user.email}', callbackUrl: '/next/'}})"
        )
        assert result == {
            "error": None,
            "status": 200,
            "ok": True,
            "url": f"{self.live_server_url}/api/auth/verify-request?provider=email&type=email",
        }
        assert [message.to for message in mail.outbox] == [[self.user.email]]
        # Asking for an e-mail signs nobody in.
        assert self.run_js("auth.status") == "unauthenticated"

    def test_email_sign_in_failure_without_redirect(self):
        self.open()
        result = self.run_js(
            "auth.signIn('email', {redirect: false, email: 'not an address'})"
        )
        assert result == {
            "error": "EmailSignin",
            "status": 200,
            "ok": False,
            "url": None,
        }
        assert mail.outbox == []

    def test_email_sign_in_with_redirect_navigates(self):
        self.open()
        with self.page.expect_navigation(url="**/api/auth/verify-request?**"):
            self.run_js(f"auth.signIn('email', {{email: '{self.user.email}'}})")
        assert self.page.get_by_role("heading").inner_text() == "Check your e-mail"
