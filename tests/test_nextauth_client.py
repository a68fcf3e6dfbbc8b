"""The real next-auth v4 client (``next-auth/react`` 4.24) against our /api/auth.

tests/js/nextauth-harness.jsx is bundled with esbuild (from the pinned
node_modules) and served, with tests/js/nextauth-harness.html, from the live
server's own origin at /nextauth/, so the client's relative ``/api/auth/…``
requests reach django_useauth exactly as in a Next.js app on that origin. Each
test drives ``window.nextAuth`` in headless Chromium and checks what the client
resolves, what ``useSession()`` renders, and every request it made against
PROTOCOL.md section 3. No request may fail with a 5xx, and the client must log
no error (it logs ``CLIENT_FETCH_ERROR`` for any answer it cannot use).
``signIn("email", …)`` runs with the email provider on: what it resolves to,
and the e-mailed link followed in the same browser (tests/smtp.py's server).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

from django.core import mail
from django.test import override_settings
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Request
from playwright.sync_api import Response
from playwright.sync_api import expect

from tests.browser import BrowserTestCase
from tests.browser import artifact
from tests.expected import credentials_providers
from tests.expected import provider
from tests.live import ROOT
from tests.smtp import smtp_server
from tests.test_useauth_js_outage import RedisSessionsTestCase
from tests.utils import EXPIRES_RE
from tests.utils import FORM
from tests.utils import PASSWORD
from tests.utils import TOKEN_RE

JS = Path(__file__).resolve().parent / "js"


def bundle(directory: Path, nextauth_url: str) -> None:
    """Bundle the harness into ``directory``/harness.js, next to harness.html.

    next-auth/react reads ``process.env`` at import time, and a browser has no
    ``process``: every variable it reads is defined. Only the path of
    NEXTAUTH_URL matters in the browser (it is the basePath of every request);
    NEXTAUTH_URL_INTERNAL and VERCEL_URL are server-side fallbacks.
    """
    subprocess.run(
        [
            str(ROOT / "node_modules" / ".bin" / "esbuild"),
            str(JS / "nextauth-harness.jsx"),
            "--bundle",
            "--format=iife",
            "--jsx=automatic",
            f"--outfile={directory / 'harness.js'}",
            '--define:process.env.NODE_ENV="production"',
            f"--define:process.env.NEXTAUTH_URL={json.dumps(nextauth_url)}",
            "--define:process.env.NEXTAUTH_URL_INTERNAL=undefined",
            "--define:process.env.VERCEL_URL=undefined",
            "--log-level=warning",
        ],
        cwd=ROOT,
        check=True,
    )
    shutil.copyfile(JS / "nextauth-harness.html", directory / "harness.html")


class NextAuthTestCase(BrowserTestCase):
    """The harness, bundled for the class's live server, and what each test's page requested and logged."""

    node = True
    base: str

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.base = f"{cls.live_server_url}/api/auth"
        directory = Path(cls.enterClassContext(tempfile.TemporaryDirectory()))
        bundle(directory, cls.base)
        cls.enterClassContext(override_settings(USEAUTH_TEST_NEXTAUTH_DIR=directory))

    def setUp(self) -> None:
        super().setUp()
        self.requests: list[Request] = []
        self.responses: list[Response] = []
        self.console: list[ConsoleMessage] = []
        self.page_errors: list[str] = []
        # Playwright wraps handlers by setting an attribute: no bound built-ins.
        self.page.on("request", lambda request: self.requests.append(request))
        self.page.on("response", lambda response: self.responses.append(response))
        self.page.on("console", lambda message: self.console.append(message))
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    # -- helpers -----------------------------------------------------------------

    @property
    def harness_url(self) -> str:
        return f"{self.live_server_url}/nextauth/harness.html"

    def open(self, query: str = "") -> None:
        """Load the harness (with ``query``, its options) and wait for the SessionProvider's first ``GET session``."""
        response = self.page.goto(f"{self.harness_url}{query}")
        assert response is not None and response.status == 200
        expect(self.page.locator("#status")).not_to_have_text("loading")

    def run_js(self, script: str) -> Any:
        return self.page.evaluate(script)

    def sign_in(self, password: str) -> Any:
        """``signIn("credentials", {redirect: false, …})``, resolved."""
        options = {
            "redirect": False,
            "username": "ada",
            "password": password,
            "callbackUrl": "/after-login",
        }
        return self.page.evaluate(
            "(options) => nextAuth.signIn('credentials', options)", options
        )

    def sign_in_form(self, password: str, token: str) -> list[tuple[str, str]]:
        """What ``sign_in(password)`` posts: its options in order, then ``csrfToken`` and ``json``."""
        return [
            ("redirect", "false"),
            ("username", "ada"),
            ("password", password),
            ("callbackUrl", "/after-login"),
            ("csrfToken", token),
            ("json", "true"),
        ]

    def shown(self) -> tuple[str, Any]:
        """What the React app renders: ``useSession()``'s status and data."""
        status = self.page.locator("#status").inner_text()
        data = self.page.locator("#data").inner_text()
        return status, json.loads(data)

    def api_requests(self) -> list[Request]:
        """The requests made to /api/auth, in order."""
        return [
            r for r in self.requests if urlsplit(r.url).path.startswith("/api/auth/")
        ]

    def api_calls(self) -> list[str]:
        """``"METHOD path"`` of every /api/auth request, in order."""
        return [f"{r.method} {urlsplit(r.url).path}" for r in self.api_requests()]

    def request(self, call: str) -> Request:
        """The only request ``"METHOD path"``."""
        [request] = [
            r
            for r in self.api_requests()
            if f"{r.method} {urlsplit(r.url).path}" == call
        ]
        return request

    def form(self, call: str) -> list[tuple[str, str]]:
        """The urlencoded body of the only POST ``call``, in order."""
        request = self.request(call)
        assert request.headers["content-type"] == FORM
        return parse_qsl(request.post_data or "", keep_blank_values=True)

    def csrf_tokens(self) -> list[str]:
        """Every token ``GET csrf`` answered, in order."""
        responses = [
            r for r in self.responses if urlsplit(r.url).path == "/api/auth/csrf"
        ]
        tokens = [r.json()["csrfToken"] for r in responses]
        assert all(TOKEN_RE.fullmatch(token) for token in tokens), tokens
        return tokens

    def assert_fetch_data_requests(self) -> None:
        """``fetchData()`` GETs carry ``Content-Type: application/json`` and no body."""
        gets = [r for r in self.api_requests() if r.method == "GET"]
        assert gets
        for request in gets:
            assert request.headers["content-type"] == "application/json", request.url
            assert request.post_data is None

    def assert_session(self, data: Any) -> None:
        """Assert the whole session object of ``self.user``."""
        user = {
            "name": self.user.get_full_name(),
            "email": self.user.email,
            "image": None,
        }
        assert user["name"] == "Ada Lovelace"
        assert data == {"user": user, "expires": data["expires"]}
        assert list(data) == ["user", "expires"]
        assert EXPIRES_RE.fullmatch(data["expires"]), data["expires"]

    def assert_clean(self, *failed: tuple[int, str]) -> None:
        """No 5xx, no page error, no client log; console errors only for ``failed`` (status, path)."""
        assert [(r.status, r.url) for r in self.responses if r.status >= 500] == []
        assert self.page_errors == []
        texts = [message.text for message in self.console]
        assert not [text for text in texts if "next-auth" in text], texts
        assert not [text for text in texts if "CLIENT_FETCH_ERROR" in text], texts
        assert "POST /api/auth/_log" not in self.api_calls()
        # Chromium itself reports every 4xx it loads; the client stays silent.
        # The built-in pages declare no icon: Chromium's own /favicon.ico
        # request 404s, sometimes after the test is over, so it is left out.
        errors = [
            (message.text, urlsplit(message.location["url"]).path)
            for message in self.console
            if message.type == "error"
            and urlsplit(message.location["url"]).path != "/favicon.ico"
        ]
        assert errors == [
            (
                f"Failed to load resource: the server responded with a status of {status} ({HTTPStatus(status).phrase})",
                path,
            )
            for status, path in failed
        ]


class NextAuthClientTests(NextAuthTestCase):
    def test_signed_out(self) -> None:
        self.open()
        assert self.shown() == ("unauthenticated", None)
        assert self.run_js("nextAuth.statuses") == ["loading", "unauthenticated"]

        token = self.run_js("nextAuth.getCsrfToken()")
        assert isinstance(token, str) and token
        assert self.run_js("nextAuth.getProviders()") == credentials_providers(
            self.base
        )
        assert self.run_js("nextAuth.getSession()") is None

        assert self.api_calls() == [
            "GET /api/auth/session",
            "GET /api/auth/csrf",
            "GET /api/auth/providers",
            "GET /api/auth/session",
        ]
        assert self.csrf_tokens() == [token]
        self.assert_fetch_data_requests()
        self.assert_clean()

    def test_sign_in_wrong_password(self) -> None:
        self.open()
        assert self.sign_in("wrong") == {
            "error": "CredentialsSignin",
            "status": 401,
            "ok": False,
            "url": None,
        }
        assert self.run_js("nextAuth.getSession()") is None
        # A failed sign-in does not refresh the SessionProvider.
        assert self.shown() == ("unauthenticated", None)
        assert self.run_js("nextAuth.statuses") == ["loading", "unauthenticated"]

        assert self.api_calls() == [
            "GET /api/auth/session",
            "GET /api/auth/providers",
            "GET /api/auth/csrf",
            "POST /api/auth/callback/credentials",
            "GET /api/auth/session",
        ]
        [token] = self.csrf_tokens()
        assert self.form("POST /api/auth/callback/credentials") == (
            self.sign_in_form("wrong", token)
        )
        self.assert_fetch_data_requests()
        self.assert_clean((401, "/api/auth/callback/credentials"))

    def test_sign_in_update_and_sign_out(self) -> None:
        self.open()
        origin = self.live_server_url

        # signIn: providers, csrf, POST callback/credentials, then the
        # SessionProvider refreshes itself (GET session).
        assert self.sign_in(PASSWORD) == {
            "error": None,
            "status": 200,
            "ok": True,
            "url": f"{origin}/after-login",
        }
        expect(self.page.locator("#status")).to_have_text("authenticated")
        status, data = self.shown()
        assert status == "authenticated"
        self.assert_session(data)
        session = self.run_js("nextAuth.getSession()")
        self.assert_session(session)
        self.page.screenshot(path=artifact("nextauth-client.png"))

        # useSession().update(data): loading, csrf, POST session, authenticated.
        self.page.click("#update")
        expect(self.page.locator("#update-result")).not_to_have_text("")
        [updated] = self.run_js("nextAuth.updates")
        # No session callback: the server answers the session as it was.
        self.assert_session(updated)
        expect(self.page.locator("#status")).to_have_text("authenticated")
        assert self.shown() == ("authenticated", updated)
        assert json.loads(self.page.locator("#update-result").inner_text()) == updated

        # signOut: csrf, POST signout, then the SessionProvider refreshes itself.
        assert self.run_js(
            "nextAuth.signOut({redirect: false, callbackUrl: '/after-logout'})"
        ) == {"url": f"{origin}/after-logout"}
        assert self.run_js("nextAuth.getSession()") is None
        expect(self.page.locator("#status")).to_have_text("unauthenticated")
        assert self.shown() == ("unauthenticated", None)
        assert self.run_js("nextAuth.statuses") == [
            "loading",
            "unauthenticated",
            "authenticated",
            "loading",
            "authenticated",
            "unauthenticated",
        ]
        assert self.page.url == self.harness_url

        assert self.api_calls() == [
            "GET /api/auth/session",
            # signIn
            "GET /api/auth/providers",
            "GET /api/auth/csrf",
            "POST /api/auth/callback/credentials",
            "GET /api/auth/session",
            # getSession
            "GET /api/auth/session",
            # update
            "GET /api/auth/csrf",
            "POST /api/auth/session",
            # signOut
            "GET /api/auth/csrf",
            "POST /api/auth/signout",
            "GET /api/auth/session",
            # getSession
            "GET /api/auth/session",
        ]
        sign_in_token, update_token, sign_out_token = self.csrf_tokens()
        assert self.form("POST /api/auth/callback/credentials") == (
            self.sign_in_form(PASSWORD, sign_in_token)
        )
        update = self.request("POST /api/auth/session")
        assert update.headers["content-type"] == "application/json"
        assert update.post_data_json == {
            "csrfToken": update_token,
            "data": {"name": "Renamed"},
        }
        assert self.form("POST /api/auth/signout") == [
            ("csrfToken", sign_out_token),
            ("callbackUrl", "/after-logout"),
            ("json", "true"),
        ]
        self.assert_fetch_data_requests()
        self.assert_clean()

    def test_unknown_provider_goes_to_the_sign_in_page(self) -> None:
        self.open()
        self.run_js("() => { nextAuth.signIn('nosuch', {redirect: false}); }")
        # callbackUrl defaults to the page's own URL.
        query = urlencode({"callbackUrl": self.harness_url})
        self.page.wait_for_url(f"{self.base}/signin?{query}")
        [navigation] = [r for r in self.responses if r.url == self.page.url]
        assert navigation.status == 200
        assert navigation.request.is_navigation_request()
        expect(self.page.locator("input[name=password]")).to_have_count(1)

        # Nothing was posted: the provider is not in the map.
        assert self.api_calls() == [
            "GET /api/auth/session",
            "GET /api/auth/providers",
            "GET /api/auth/signin",
        ]
        self.assert_clean()

    # -- the email provider ----------------------------------------------------------

    def sign_in_by_email(self, email: str) -> Any:
        """``signIn("email", {email, redirect: false, callbackUrl})``, resolved."""
        options = {"email": email, "redirect": False, "callbackUrl": "/protected/?x=1"}
        return self.page.evaluate(
            "(options) => nextAuth.signIn('email', options)", options
        )

    def email_sign_in_form(self, email: str, token: str) -> list[tuple[str, str]]:
        """What ``sign_in_by_email(email)`` posts: its options in order, then ``csrfToken`` and ``json``."""
        return [
            ("email", email),
            ("redirect", "false"),
            ("callbackUrl", "/protected/?x=1"),
            ("csrfToken", token),
            ("json", "true"),
        ]

    @override_settings(
        USEAUTH_EMAIL_ENABLED=True, USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS=1
    )
    def test_sign_in_by_email(self) -> None:
        self.open()
        assert self.run_js("nextAuth.getProviders()") == {
            **credentials_providers(self.base),
            "email": provider(self.base, "email", "Email", "email"),
        }

        # Sent: the client resolves with the "check your e-mail" URL, and
        # refreshes its session (still none).
        assert self.sign_in_by_email("ada@example.com") == {
            "error": None,
            "status": 200,
            "ok": True,
            "url": f"{self.base}/verify-request?provider=email&type=email",
        }
        [sent] = mail.outbox
        assert sent.to == ["ada@example.com"]
        # Not an address: NextAuth's EmailSignin, with a 200 (ok, and no URL).
        assert self.sign_in_by_email("not an address") == {
            "error": "EmailSignin",
            "status": 200,
            "ok": True,
            "url": None,
        }
        # Over the address's sends: TooManyEmails, 429.
        assert self.sign_in_by_email("ada@example.com") == {
            "error": "TooManyEmails",
            "status": 429,
            "ok": False,
            "url": None,
        }
        assert len(mail.outbox) == 1
        assert self.shown() == ("unauthenticated", None)
        assert self.run_js("nextAuth.statuses") == ["loading", "unauthenticated"]

        # signIn("email") posts to signin/email, not callback/; the session
        # is fetched again after each answer that is ok.
        sign_in = [
            "GET /api/auth/providers",
            "GET /api/auth/csrf",
            "POST /api/auth/signin/email",
        ]
        assert self.api_calls() == [
            "GET /api/auth/session",
            "GET /api/auth/providers",
            *sign_in,
            "GET /api/auth/session",
            *sign_in,
            "GET /api/auth/session",
            *sign_in,
        ]
        posts = [
            parse_qsl(r.post_data or "", keep_blank_values=True)
            for r in self.api_requests()
            if r.method == "POST"
        ]
        tokens = self.csrf_tokens()
        assert posts == [
            self.email_sign_in_form(address, token)
            for address, token in zip(
                ["ada@example.com", "not an address", "ada@example.com"],
                tokens,
                strict=True,
            )
        ]
        self.assert_fetch_data_requests()
        self.assert_clean((429, "/api/auth/signin/email"))

    @override_settings(USEAUTH_EMAIL_ENABLED=True)
    def test_sign_in_by_email_then_the_link(self) -> None:
        with smtp_server() as smtp:
            self.open()
            result = self.sign_in_by_email("Ada@Example.com")
            assert (
                result["url"] == f"{self.base}/verify-request?provider=email&type=email"
            )
            message = smtp.wait_for("ada@example.com")
        # The link in the same browser: its confirmation page, "Sign in",
        # and the callbackUrl given to signIn().
        self.page.goto(message.link)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(f"{self.live_server_url}/protected/?x=1")
        expect(self.page.locator("body")).to_have_text("protected")

        # Back in the app: useSession() has the session.
        self.open()
        expect(self.page.locator("#status")).to_have_text("authenticated")
        status, data = self.shown()
        assert status == "authenticated"
        self.assert_session(data)
        assert self.api_calls() == [
            "GET /api/auth/session",
            "GET /api/auth/providers",
            "GET /api/auth/csrf",
            "POST /api/auth/signin/email",
            "GET /api/auth/session",
            "GET /api/auth/callback/email",
            "POST /api/auth/callback/email",
            "GET /api/auth/session",
        ]
        self.assert_clean()


class NextAuthOutageTests(RedisSessionsTestCase, NextAuthTestCase):
    """next-auth's client while the session store is down: why docs/client.md says what it says.

    The sessions are on a Redis server of the test's own, stopped and started
    (tests/test_useauth_js_outage.py); ``GET session`` answers ``503 {}``.
    """

    def session_gets(self) -> int:
        return self.api_calls().count("GET /api/auth/session")

    def test_a_signed_in_page_turns_signed_out_until_a_reload(self) -> None:
        self.open("?refetchInterval=1")
        assert self.sign_in(PASSWORD)["ok"] is True
        expect(self.page.locator("#status")).to_have_text("authenticated")
        cookies = self.context.cookies()

        # The next poll meets the outage: any failed answer is "no session".
        self.redis.stop()
        expect(self.page.locator("#status")).to_have_text("unauthenticated")
        assert self.shown() == ("unauthenticated", None)
        [*_, failed] = [
            r for r in self.responses if urlsplit(r.url).path == "/api/auth/session"
        ]
        assert (failed.status, failed.json()) == (503, {})
        # The browser kept the cookie: the server left it alone.
        assert self.context.cookies() == cookies

        # Signed out in its eyes, it polls no more, not even on focus, and
        # stays so after the store is back.
        gets = self.session_gets()
        self.redis.start()
        self.page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        self.page.wait_for_timeout(3000)
        assert self.session_gets() == gets
        assert self.shown() == ("unauthenticated", None)

        # A reload asks again: signed in, the session was never lost.
        self.open("?refetchInterval=1")
        expect(self.page.locator("#status")).to_have_text("authenticated")
        self.assert_session(self.shown()[1])

    def test_a_required_session_goes_to_the_sign_in_page(self) -> None:
        self.open()
        assert self.sign_in(PASSWORD)["ok"] is True
        self.open("?required=1&refetchInterval=1")
        expect(self.page.locator("#status")).to_have_text("authenticated")

        self.redis.stop()
        query = urlencode(
            {
                "error": "SessionRequired",
                "callbackUrl": f"{self.harness_url}?required=1&refetchInterval=1",
            }
        )
        self.page.wait_for_url(f"{self.base}/signin?{query}")
