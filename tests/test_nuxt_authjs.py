"""The Nuxt example with nuxt-auth's authjs provider, in Chromium: Django's cookie session through Nuxt's proxy.

The production build (``NUXT_AUTH_PROVIDER=authjs``) runs under ``node`` and
proxies ``/api/auth/**`` and ``/static/**`` to the demo project (docs/nuxt.md),
so the browser only ever sees the Nuxt origin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from playwright.sync_api import expect

from tests.browser import sign_in_with_requests
from tests.expected import DEMO_USER
from tests.expected import IDP_USER
from tests.idp import PASSWORD as IDP_PASSWORD
from tests.idp import USERNAME as IDP_USERNAME
from tests.idp import IdentityProvider
from tests.live import DEMO_PASSWORD
from tests.live import DEMO_USERNAME
from tests.nuxt import NuxtTestCase

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from playwright.sync_api import Response

WRONG_PASSWORD_MESSAGE = "Sign in failed. Check the details you provided are correct."
CLIENT_ID = "useauth-nuxt-authjs"
CLIENT_SECRET = "useauth-nuxt-authjs-secret"


class NuxtAuthjsTests(NuxtTestCase):
    provider = "authjs"
    idp: IdentityProvider

    @classmethod
    def services(cls) -> dict[str, str]:
        # The demo IdP, with the callback URL on the Nuxt origin: Django
        # builds the redirect URI from USEAUTH_URL.
        cls.idp = IdentityProvider()
        cls.addClassCleanup(cls.idp.stop)
        return {
            "AUTH_DEMO_IDP_ISSUER": cls.idp.issuer,
            "AUTH_DEMO_IDP_ID": CLIENT_ID,
            "AUTH_DEMO_IDP_SECRET": CLIENT_SECRET,
        }

    @classmethod
    def start_services(cls) -> None:
        cls.idp.start()
        cls.idp.register(
            CLIENT_ID, CLIENT_SECRET, f"{cls.nuxt.origin}/api/auth/callback/demo-idp"
        )

    def sign_in_on_djangos_page(self, page: Page, password: str) -> None:
        page.get_by_label("Username").fill(DEMO_USERNAME)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()

    def signin_url(self, callback_url: str) -> str:
        """Django's sign-in page on the Nuxt origin, as nuxt-auth's signIn() opens it."""
        return self.url(f"/api/auth/signin?callbackUrl={quote(callback_url, safe='')}")

    def test_protected_page_round_trip(self):
        # nuxt-auth's middleware sends a signed-out visitor to Django's
        # sign-in page, through the proxy, with the page as callbackUrl.
        responses: list[Response] = []
        self.page.on("response", lambda response: responses.append(response))
        self.page.goto("/protected")
        expect(self.page).to_have_url(self.signin_url("/protected"))
        # Its stylesheet and icon come through the /static/** rule.
        static = {r.url: r.status for r in responses if "/static/" in r.url}
        assert static
        assert set(static.values()) == {200}, static

        # A wrong password: Django's redirect to its error (a 302 the proxy
        # hands back as it is) stays on the Nuxt origin.
        self.sign_in_on_djangos_page(self.page, "wrong password")
        expect(self.page.get_by_role("alert")).to_contain_text(WRONG_PASSWORD_MESSAGE)
        assert self.page.url.startswith(self.url("/api/auth/signin?"))

        self.sign_in_on_djangos_page(self.page, DEMO_PASSWORD)
        expect(self.page).to_have_url(self.url("/protected"))
        expect(self.page.get_by_test_id("greeting")).to_have_text(
            f"Hello, {DEMO_USER['name']}."
        )
        expect(self.page.get_by_test_id("status")).to_have_text(
            f"Signed in as {DEMO_USER['name']}"
        )

    def test_server_rendered_session(self):
        # Signed out, the server itself redirects.
        response = self.context.request.get("/protected", max_redirects=0)
        assert response.status == 302
        assert (
            response.headers["location"] == "/api/auth/signin?callbackUrl=%2Fprotected"
        )

        # POST callback/credentials through the proxy: the session cookie
        # comes back on the Nuxt origin.
        sign_in_with_requests(self.context, DEMO_USERNAME, DEMO_PASSWORD)
        html = self.context.request.get("/protected", max_redirects=0)
        assert html.status == 200
        # Server-rendered: nuxt-auth read GET session with the visitor's
        # cookie before the page was sent.
        assert f"Hello, {DEMO_USER['name']}." in html.text()
        assert f"{DEMO_USER['email']}" in html.text()

        # The same page in Chromium without JavaScript: nothing hydrates.
        no_script = self.new_context(
            java_script_enabled=False, storage_state=self.context.storage_state()
        )
        page = no_script.new_page()
        page.goto("/protected")
        assert page.url == self.url("/protected")
        expect(page.get_by_test_id("greeting")).to_have_text(
            f"Hello, {DEMO_USER['name']}."
        )

    def test_sign_in_and_out_from_the_header(self):
        self.page.goto("/")
        expect(self.page.get_by_test_id("status")).to_have_text("Signed out")
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page).to_have_url(self.signin_url("/"))
        self.sign_in_on_djangos_page(self.page, DEMO_PASSWORD)
        expect(self.page).to_have_url(self.url("/"))
        expect(self.page.get_by_test_id("status")).to_have_text(
            f"Signed in as {DEMO_USER['name']}"
        )
        session = self.page.evaluate("fetch('/api/auth/session').then((r) => r.json())")
        assert session["user"] == DEMO_USER

        # signOut() posts the CSRF token to Django through the proxy, then
        # loads its callbackUrl.
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.get_by_test_id("status")).to_have_text("Signed out")
        assert self.page.url == self.url("/")
        session = self.page.evaluate("fetch('/api/auth/session').then((r) => r.json())")
        assert session == {}
        assert "sessionid" not in {cookie["name"] for cookie in self.context.cookies()}
        self.page.goto("/protected")
        expect(self.page).to_have_url(self.signin_url("/protected"))

    def test_oidc_round_trip(self):
        # Out to the IdP and back to Django's callback on the Nuxt origin,
        # whose 302 and session cookie the proxy hands back as they are.
        self.page.goto("/protected")
        self.page.get_by_role("button", name="Sign in with Demo IdP").click()
        self.page.wait_for_url(f"{self.idp.origin}/**")
        self.page.get_by_label("Username").fill(IDP_USERNAME)
        self.page.get_by_label("Password").fill(IDP_PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page).to_have_url(self.url("/protected"))
        expect(self.page.get_by_test_id("greeting")).to_have_text(
            f"Hello, {IDP_USER['name']}."
        )
