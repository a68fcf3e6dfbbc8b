"""The demo project in headless Chromium: its pages, the OpenID Connect round trip and the browser client.

The demo site (``testproject``) runs under ``manage.py runserver`` with DEBUG
on, so that it serves its static files, on its own SQLite file and a free
loopback port; the demo IdP (tests/idp.py) runs next to it. One browser and
one pair of servers serve the whole class; every test gets a fresh browser
context, so no cookie, storage or tab is shared between tests.
"""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from django.test import SimpleTestCase
from playwright.sync_api import expect

from tests import browser
from tests.expected import DEMO_USER
from tests.expected import IDP_USER
from tests.idp import PASSWORD as IDP_PASSWORD
from tests.idp import USERNAME as IDP_USERNAME
from tests.idp import IdentityProvider
from tests.live import DEMO_PASSWORD
from tests.live import DEMO_USERNAME
from tests.live import DemoProject

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import BrowserContext
    from playwright.sync_api import Locator
    from playwright.sync_api import Page

CLIENT_ID = "useauth-browser-demo"
CLIENT_SECRET = "useauth-browser-demo-secret"
WRONG_PASSWORD_MESSAGE = "Sign in failed. Check the details you provided are correct."

# Run in every page before its own scripts: the badge texts the page ever
# showed (so a "Loading…" flash cannot hide), the badge and client status at
# DOMContentLoaded, and the focus and visibility events the page received.
RECORDER = """
window.badgeTexts = [];
window.focusEvents = 0;
new MutationObserver(() => {
  const badge = document.querySelector("[data-useauth-status]");
  const text = badge ? badge.textContent : "";
  if (text && window.badgeTexts.at(-1) !== text) window.badgeTexts.push(text);
}).observe(document, { subtree: true, childList: true, characterData: true });
document.addEventListener("DOMContentLoaded", () => {
  window.atLoad = {
    badge: document.querySelector("[data-useauth-status]").textContent,
    status: document.getElementById("client-status")?.textContent ?? null,
  };
});
window.addEventListener("focus", () => window.focusEvents++);
document.addEventListener("visibilitychange", () => window.focusEvents++);
"""


class DemoSite(DemoProject):
    """The demo project under ``runserver``, configured from the environment like ``make run``."""

    def __init__(self, directory: Path, idp: IdentityProvider) -> None:
        super().__init__(
            "browser-demo",
            f"sqlite:///{directory / 'demo.sqlite3'}?timeout=20",
            directory / "demo.log",
            # DEBUG makes runserver serve the static files (useauth.js and the demo's modules).
            DEBUG="true",
            AUTH_DEMO_IDP_ISSUER=idp.issuer,
            AUTH_DEMO_IDP_ID=CLIENT_ID,
            AUTH_DEMO_IDP_SECRET=CLIENT_SECRET,
        )

    def start(self) -> None:
        self.setup()
        self.serve("manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}")


class DemoBrowserTests(SimpleTestCase):
    browser: Browser
    idp: IdentityProvider
    site: DemoSite

    @classmethod
    def setUpClass(cls) -> None:
        browser.require()
        super().setUpClass()
        directory = Path(tempfile.mkdtemp(prefix="useauth-browser-demo-"))
        cls.addClassCleanup(shutil.rmtree, directory, True)
        cls.idp = IdentityProvider()
        cls.addClassCleanup(cls.idp.stop)
        cls.site = DemoSite(directory, cls.idp)
        cls.addClassCleanup(cls.site.stop)
        # The two servers start side by side: each is a few manage.py runs.
        with ThreadPoolExecutor(max_workers=2) as pool:
            started = [pool.submit(cls.start_idp), pool.submit(cls.site.start)]
            for future in started:
                future.result()
        cls.browser = cls.enterClassContext(browser.chromium())

    @classmethod
    def start_idp(cls) -> None:
        cls.idp.start()
        cls.idp.register(
            CLIENT_ID, CLIENT_SECRET, f"{cls.site.origin}/api/auth/callback/demo-idp"
        )

    def setUp(self) -> None:
        self.context: BrowserContext = self.browser.new_context(
            base_url=self.site.origin, viewport={"width": 1280, "height": 800}
        )
        self.addCleanup(self.context.close)
        self.context.set_default_timeout(10_000)
        self.context.add_init_script(RECORDER)

    # -- helpers ----------------------------------------------------------------

    def open(self, path: str) -> Page:
        page = self.context.new_page()
        page.goto(path)
        return page

    def badge(self, page: Page) -> Locator:
        return page.locator("[data-useauth-status]")

    def session(self, page: Page) -> Any:
        """GET /api/auth/session from the page, with its cookies."""
        return page.evaluate(
            "fetch('/api/auth/session', {headers: {Accept: 'application/json'}}).then((r) => r.json())"
        )

    def sign_in_on_the_page(self, page: Page, password: str = DEMO_PASSWORD) -> None:
        """Fill in and submit the built-in sign-in page's credentials form."""
        page.get_by_label("Username").fill(DEMO_USERNAME)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()

    def sign_in_with_the_client(
        self, page: Page, password: str = DEMO_PASSWORD
    ) -> None:
        """Fill in and submit the /client/ page's form (signIn() with redirect: false)."""
        form = page.locator("#client-sign-in")
        form.get_by_label("Username").fill(DEMO_USERNAME)
        form.get_by_label("Password").fill(password)
        form.get_by_role("button", name="Sign in").click()

    def sign_in_at_the_idp(self, page: Page) -> None:
        """Fill in and submit the identity provider's own login form, on its own origin."""
        page.wait_for_url(f"{self.idp.origin}/**")
        expect(page.locator("h1")).to_have_text("Sign in to the demo identity provider")
        page.get_by_label("Username").fill(IDP_USERNAME)
        page.get_by_label("Password").fill(IDP_PASSWORD)
        page.get_by_role("button", name="Sign in").click()

    def mark(self, page: Page) -> None:
        """Leave a marker in the page's window; a reload or navigation loses it."""
        page.evaluate("window.marker = 'this document'")

    def assert_same_document(self, page: Page) -> None:
        assert page.evaluate("window.marker") == "this document"

    # -- the server-rendered pages ----------------------------------------------

    def test_credentials_sign_in_and_sign_out_pages(self):
        page = self.open("/tags/")
        expect(self.badge(page)).to_have_text("Signed out")
        page.get_by_role("link", name="Sign in", exact=True).click()
        page.wait_for_url("**/api/auth/signin?callbackUrl=%2Ftags%2F")

        # A wrong password comes back to the sign-in page with the message.
        self.sign_in_on_the_page(page, password="not-the-password")
        page.wait_for_url("**/api/auth/signin?**error=CredentialsSignin**")
        expect(page.get_by_role("alert")).to_have_text(WRONG_PASSWORD_MESSAGE)
        assert self.session(page) == {}

        self.sign_in_on_the_page(page)
        page.wait_for_url(f"{self.site.origin}/tags/")
        expect(self.badge(page)).to_have_text("Signed in as Demo User")
        expect(page.locator("h1")).to_have_text("Template tags")
        assert self.session(page)["user"] == DEMO_USER

        # GET signout is the confirmation page; its button signs out.
        page.goto("/api/auth/signout?callbackUrl=/guest/")
        expect(page.get_by_text("Are you sure you want to sign out?")).to_be_visible()
        assert self.session(page)["user"]["name"] == "Demo User"
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{self.site.origin}/guest/")
        expect(self.badge(page)).to_have_text("Signed out")
        expect(page.locator("h1")).to_have_text("Guest-only page")
        assert self.session(page) == {}

    def test_protected_page_round_trip(self):
        page = self.open("/protected/?x=1")
        page.wait_for_url("**/api/auth/signin?callbackUrl=%2Fprotected%2F%3Fx%3D1")
        expect(page.locator("h1")).to_have_text("Sign in")
        self.sign_in_on_the_page(page)
        page.wait_for_url(f"{self.site.origin}/protected/?x=1")
        expect(page.locator("h1")).to_have_text("Protected page")
        expect(page.locator("dt:text-is('Query string received') + dd")).to_have_text(
            "?x=1"
        )
        table = page.get_by_role("table", name="Query parameters")
        expect(table.get_by_role("cell")).to_have_text(["x", "1"])
        expect(self.badge(page)).to_have_text("Signed in as Demo User")
        assert self.session(page)["user"]["email"] == "demo@example.com"

    def test_oidc_round_trip(self):
        page = self.open("/class-based/")
        page.wait_for_url("**/api/auth/signin?callbackUrl=%2Fclass-based%2F")
        page.get_by_role("button", name="Sign in with Demo IdP").click()
        self.sign_in_at_the_idp(page)

        page.wait_for_url(f"{self.site.origin}/class-based/")
        expect(page.locator("h1")).to_have_text("Class-based view")
        expect(self.badge(page)).to_have_text("Signed in as Ida Provider")
        assert self.session(page)["user"] == IDP_USER

    def test_oidc_round_trip_from_the_client(self):
        page = self.open("/client/")
        # Shown once getProviders() has answered with the demo IdP.
        page.get_by_role("button", name="Sign in with Demo IdP").click()
        self.sign_in_at_the_idp(page)

        # signIn("demo-idp") came back to the page it was called on.
        page.wait_for_url(f"{self.site.origin}/client/")
        expect(page.locator("#client-status")).to_have_text("authenticated")
        expect(self.badge(page)).to_have_text("Signed in as Ida Provider")
        expect(page.locator("#client-data")).to_contain_text('"name": "Ida Provider"')
        assert self.session(page)["user"]["name"] == "Ida Provider"

    # -- the browser client -------------------------------------------------------

    def test_client_state_transitions(self):
        page = self.open("/client/")
        # Hydrated from the server: right at DOMContentLoaded, never "Loading…".
        assert page.evaluate("window.atLoad") == {
            "badge": "Signed out",
            "status": "unauthenticated",
        }
        expect(page.locator("#client-data")).to_have_text("null")
        expect(page.locator("#client-last-refreshed-at")).to_have_text("null")
        self.mark(page)

        self.sign_in_with_the_client(page, password="not-the-password")
        expect(page.locator("#client-result")).to_have_text(WRONG_PASSWORD_MESSAGE)
        expect(page.locator("#client-status")).to_have_text("unauthenticated")
        expect(self.badge(page)).to_have_text("Signed out")
        assert self.session(page) == {}

        self.sign_in_with_the_client(page)
        expect(page.locator("#client-result")).to_have_text("Signed in.")
        expect(page.locator("#client-status")).to_have_text("authenticated")
        expect(self.badge(page)).to_have_text("Signed in as Demo User")
        expect(page.locator("#client-data")).to_contain_text(
            '"email": "demo@example.com"'
        )
        # The form is hidden signed in, and the keyboard focus went to sign-out.
        expect(page.locator("#client-sign-in")).to_be_hidden()
        expect(page.get_by_role("button", name="Sign out").last).to_be_focused()
        assert self.session(page)["user"]["name"] == "Demo User"
        self.assert_same_document(page)
        page.screenshot(path=browser.artifact("demo-client-signed-in.png"))

        refreshed = page.locator("#client-last-refreshed-at").inner_text()
        assert refreshed != "null"
        page.get_by_role("button", name="Refresh the session").click()
        expect(page.locator("#client-result")).to_contain_text("Session refreshed at")
        expect(page.locator("#client-last-refreshed-at")).not_to_have_text(refreshed)

        page.locator("#client-sign-out").click()
        expect(page.locator("#client-result")).to_have_text("Signed out.")
        expect(page.locator("#client-status")).to_have_text("unauthenticated")
        expect(self.badge(page)).to_have_text("Signed out")
        expect(page.locator("#client-data")).to_have_text("null")
        assert self.session(page) == {}
        self.assert_same_document(page)
        assert page.url == f"{self.site.origin}/client/"
        assert page.evaluate("window.badgeTexts") == [
            "Signed out",
            "Signed in as Demo User",
            "Signed out",
        ]

    def test_client_hydrated_signed_in(self):
        browser.sign_in_with_requests(self.context, DEMO_USERNAME, DEMO_PASSWORD)
        page = self.open("/client/")
        assert page.evaluate("window.atLoad") == {
            "badge": "Signed in as Demo User",
            "status": "authenticated",
        }
        assert page.evaluate("window.badgeTexts") == ["Signed in as Demo User"]
        expect(page.locator("#client-sign-out")).to_be_visible()
        expect(page.locator("#client-sign-in")).to_be_hidden()

    def test_get_session_required(self):
        page = self.open("/client/required/")
        # Signed out: the client went to the sign-in page, with this page to come back to.
        page.wait_for_url("**/api/auth/signin?**")
        callback_url = parse_qs(urlsplit(page.url).query)["callbackUrl"]
        assert callback_url == [f"{self.site.origin}/client/required/"]
        self.sign_in_on_the_page(page)
        page.wait_for_url(f"{self.site.origin}/client/required/")
        expect(page.locator("#required-result")).to_have_text(
            "Signed in as Demo User (demo@example.com)."
        )
        expect(self.badge(page)).to_have_text("Signed in as Demo User")

    def test_refresh_on_focus(self):
        browser.sign_in_with_requests(self.context, DEMO_USERNAME, DEMO_PASSWORD)
        page = self.open("/client/")
        expect(self.badge(page)).to_have_text("Signed in as Demo User")
        self.mark(page)

        # Signed out behind the page's back: the page cannot know yet.
        csrf = self.context.request.get("/api/auth/csrf").json()["csrfToken"]
        response = self.context.request.post(
            "/api/auth/signout", form={"csrfToken": csrf, "json": "true"}
        )
        assert response.status == 200, response.text()
        assert self.session(page) == {}
        expect(self.badge(page)).to_have_text("Signed in as Demo User")

        # Coming back to the tab makes the page ask the server again. (Not
        # page.expect_response(): coverage loses this frame in its greenlet.)
        requests = "performance.getEntriesByName(new URL('/api/auth/session', location).href).length"
        before = page.evaluate(requests)
        page.evaluate(
            "document.dispatchEvent(new Event('visibilitychange'));"
            " window.dispatchEvent(new Event('focus'));"
        )
        page.wait_for_function(f"{requests} > {before}")
        expect(self.badge(page)).to_have_text("Signed out")
        expect(page.locator("#client-status")).to_have_text("unauthenticated")
        self.assert_same_document(page)

    def test_cross_tab_sign_in_and_out(self):
        one = self.open("/client/")
        two = self.open("/tags/")
        expect(self.badge(two)).to_have_text("Signed out")
        self.mark(two)

        # Tab one signs in with the client; tab two hears it on the channel.
        self.sign_in_with_the_client(one)
        expect(self.badge(one)).to_have_text("Signed in as Demo User")
        expect(self.badge(two)).to_have_text("Signed in as Demo User")
        expect(two.get_by_role("link", name="Sign in", exact=True)).to_be_hidden()

        one.locator("#client-sign-out").click()
        expect(one.locator("#client-status")).to_have_text("unauthenticated")
        expect(self.badge(two)).to_have_text("Signed out")
        expect(two.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
        self.assert_same_document(two)
        # Neither focus nor visibility told tab two: the channel did.
        assert two.evaluate("window.focusEvents") == 0
        assert self.session(two) == {}

    def test_header_sign_out_form_after_a_sign_in_elsewhere(self):
        one = self.open("/client/")
        two = self.open("/tags/")
        self.sign_in_with_the_client(one)
        expect(self.badge(two)).to_have_text("Signed in as Demo User")
        # Tab two's form was rendered signed out, with a CSRF token that the
        # sign-in rotated; through the client it still signs out, and tells
        # tab one.
        two.get_by_role("region", name="Account").get_by_role(
            "button", name="Sign out"
        ).click()
        # Its callbackUrl: the home page.
        two.wait_for_url(f"{self.site.origin}/")
        expect(two.locator("h1")).to_have_text("request.auth")
        expect(self.badge(two)).to_have_text("Signed out")
        expect(one.locator("#client-status")).to_have_text("unauthenticated")
        expect(self.badge(one)).to_have_text("Signed out")
        assert self.session(one) == {}

    def test_screenshots(self):
        page = self.open("/")
        expect(self.badge(page)).to_have_text("Signed out")
        page.screenshot(path=browser.artifact("demo-signed-out.png"))
        browser.sign_in_with_requests(self.context, DEMO_USERNAME, DEMO_PASSWORD)
        page.reload()
        expect(self.badge(page)).to_have_text("Signed in as Demo User")
        page.screenshot(path=browser.artifact("demo-signed-in.png"))
        for name in ("demo-signed-out.png", "demo-signed-in.png"):
            assert browser.artifact(name).read_bytes().startswith(b"\x89PNG")

    # -- the APIs page: DRF and django-ninja on the same session ----------------

    def test_apis_page_calls_both_apis(self):
        page = self.open("/apis/")
        for api in ("drf", "ninja"):
            answer = page.locator(f"#{api}-answer")
            page.locator(f"section[data-api={api}]").get_by_role(
                "button", name="GET"
            ).click()
            expect(answer).to_contain_text("HTTP 401")
        browser.sign_in_with_requests(self.context, DEMO_USERNAME, DEMO_PASSWORD)
        page.reload()
        expect(self.badge(page)).to_have_text("Signed in as Demo User")
        for api, framework in (
            ("drf", "Django REST framework"),
            ("ninja", "django-ninja"),
        ):
            with self.subTest(api):
                section = page.locator(f"section[data-api={api}]")
                answer = page.locator(f"#{api}-answer")
                section.get_by_role("button", name="GET").click()
                expect(answer).to_contain_text("HTTP 200")
                expect(answer).to_contain_text(f'"framework": "{framework}"')
                expect(answer).to_contain_text('"email": "demo@example.com"')
                section.get_by_role("button", name="without the CSRF token").click()
                expect(answer).to_contain_text("HTTP 403")
                expect(answer).to_contain_text("CSRF")
                section.get_by_role("button", name="with X-CSRFToken").click()
                expect(answer).to_contain_text("HTTP 200")
                expect(answer).to_contain_text('"message": "hello"')
