"""The accessibility audit: the built-in pages and the demo's in Chromium, with axe-core.

Every page is checked with axe-core's default rules in light and dark, at 320,
390, 768 and 1280 px, and must not scroll or stick out sideways
(``tests/a11y.py``); screenshots at 390 px go to ``test-artifacts/pages/``.
The built-in pages run on this process's live server, so each test can change
the settings; the demo's on ``manage.py runserver`` (``testproject``). One
browser serves the module.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from unittest import mock

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core import mail
from django.test import SimpleTestCase
from django.test import modify_settings
from django.test import override_settings

from tests import a11y
from tests import browser
from tests.idp import USERNAME as IDP_USERNAME
from tests.idp import IdentityProvider
from tests.live import DEMO_PASSWORD
from tests.live import DEMO_USERNAME
from tests.live import DemoProject
from tests.smtp import CODE_RE
from tests.smtp import LINK_RE
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import BrowserContext
    from playwright.sync_api import Page

_module = contextlib.ExitStack()
_browser: list[Browser] = []
_demo: list[DemoServers] = []


def setUpModule() -> None:
    a11y.require()
    # If a start fails, what already started is stopped here: neither runner
    # calls tearDownModule() after a failed setUpModule(), and pytest does not
    # run unittest's module cleanups (addModuleCleanup) at all.
    try:
        # The demo's servers start in the background while the built-in
        # pages are audited: each is a few manage.py runs.
        _demo.append(_module.enter_context(DemoServers()))
        _browser.append(_module.enter_context(browser.chromium()))
    except BaseException:
        tearDownModule()
        raise


def tearDownModule() -> None:
    _browser.clear()
    _demo.clear()
    _module.close()


#: GitHub and Google beside the credentials provider: the divider and two buttons.
PROVIDERS = {
    **GITHUB,
    "AUTHENTICATION_BACKENDS": [
        "social_core.backends.github.GithubOAuth2",
        "social_core.backends.google.GoogleOAuth2",
        "django.contrib.auth.backends.ModelBackend",
    ],
    "SOCIAL_AUTH_GOOGLE_OAUTH2_KEY": "google-client",
    "SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET": "google-secret",
}

#: The "check your e-mail" route, as the email provider answers a sent e-mail.
VERIFY_REQUEST = "/api/auth/verify-request?provider=email&type=email"

#: A site that names itself and shows a logo (the app's own icon stands in).
BRANDED = {
    "USEAUTH_SITE_NAME": "Example",
    "USEAUTH_SITE_LOGO": "django_useauth/icon.svg",
}

#: One long word each, as German writes them: a site's name, a user's, an address.
LONG_SITE_NAME = "Bundesgesundheitsministerium"
LONG_USER = {
    "first_name": "Donaudampfschifffahrtsgesellschaftskapitän",
    "last_name": "Rumpelstilzchen",
    "email": "donaudampfschifffahrtsgesellschaftskapitaen@bundesgesundheitsministerium.example",
}


def session_without_name(*, session: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A ``USEAUTH_SESSION_CALLBACK`` whose user has no name: the sign-out page shows the address."""
    return {**session, "user": {**session["user"], "name": None}}


# The width of the text of `selector`'s first element and of the element's
# box: where its words are, not where its block is.
TEXT_BOX = """
(selector) => {
  const element = document.querySelector(selector);
  const range = document.createRange();
  range.selectNodeContents(element);
  const text = range.getBoundingClientRect();
  const box = element.getBoundingClientRect();
  return {textLeft: text.left, textRight: text.right, left: box.left, right: box.right};
}
"""


class LivePagesTestCase(StaticLiveServerTestCase):
    """The built-in pages on this process's live server; per test ``make_user()``'s user, a context and a page."""

    host = "127.0.0.1"

    def setUp(self) -> None:
        self.user = make_user()
        self.context = self.new_context()
        self.page = self.context.new_page()

    def new_context(self, **options: Any) -> BrowserContext:
        context = _browser[0].new_context(base_url=self.live_server_url, **options)
        self.addCleanup(context.close)
        context.set_default_timeout(10_000)
        self.failed_loads = a11y.failed_loads(context)
        return context

    def audit(self, path: str, name: str) -> list[str]:
        self.page.goto(path)
        problems = a11y.audit(self.page, name, selector=".useauth-page *")
        return [*problems, *self.failed_loads]


class BuiltInPagesTests(LivePagesTestCase):
    def test_sign_in_page(self):
        problems = [
            *self.audit("/api/auth/signin", "signin"),
            *self.audit("/api/auth/signin?error=CredentialsSignin", "signin-error"),
        ]
        a11y.assert_clean(problems)

    @override_settings(**PROVIDERS, **BRANDED)
    def test_sign_in_page_with_providers_and_branding(self):
        a11y.assert_clean(self.audit("/api/auth/signin", "signin-providers"))
        buttons = self.page.get_by_role("button")
        assert buttons.all_inner_texts() == [
            "Sign in",
            "Sign in with GitHub",
            "Sign in with Google",
        ]
        # The password form's button is the primary one, the providers' are outlined.
        colours = [
            button.evaluate("(b) => getComputedStyle(b).backgroundColor")
            for button in buttons.all()
        ]
        assert colours[1] == colours[2] != colours[0]
        assert self.page.title() == "Sign in · Example"
        link = self.page.get_by_role("link", name="Example", exact=True)
        assert link.get_attribute("href") == "/"
        assert self.page.get_by_role("link", name="Back to Example").count() == 1

    @override_settings(**{**BRANDED, "USEAUTH_SITE_NAME": LONG_SITE_NAME})
    def test_long_names(self):
        # A word wider than a 320 px screen wraps inside the header, the
        # card and the link back; nothing scrolls sideways, the logo stays on
        # the screen (a11y.overflow() finds any element outside it).
        make_user("rumpel", **LONG_USER)
        browser.sign_in_with_requests(self.context, "rumpel", PASSWORD)
        problems = [
            *self.audit("/api/auth/signin?error=CredentialsSignin", "signin-long"),
            *self.audit("/api/auth/signout", "signout-long-name"),
        ]
        assert LONG_USER["first_name"] in self.page.get_by_role("main").inner_text()
        with self.settings(USEAUTH_SESSION_CALLBACK=f"{__name__}.session_without_name"):
            problems += self.audit("/api/auth/signout", "signout-long-email")
        assert LONG_USER["email"] in self.page.get_by_role("main").inner_text()
        a11y.assert_clean(problems)

    def test_sign_out_page(self):
        browser.sign_in_with_requests(self.context, "ada", PASSWORD)
        problems = self.audit("/api/auth/signout?callbackUrl=/status/", "signout")
        a11y.assert_clean(problems)
        main = self.page.get_by_role("main")
        assert "You are signed in as Ada Lovelace." in main.inner_text()
        # The name keeps its own direction inside the translated sentence.
        assert main.locator("strong > bdi").inner_text() == "Ada Lovelace"
        cancel = main.get_by_role("link", name="Cancel")
        assert cancel.get_attribute("href") == "/status/"

    def test_error_pages(self):
        problems = [
            *self.audit("/api/auth/error?error=Configuration", "error-configuration"),
            *self.audit("/api/auth/error?error=AccessDenied", "error-accessdenied"),
        ]
        a11y.assert_clean(problems)

    def test_favicon(self):
        self.page.goto("/api/auth/signin")
        href = self.page.locator("link[rel=icon]").get_attribute("href")
        assert href == "/static/django_useauth/icon.svg"
        response = self.context.request.get(href)
        assert response.status == 200
        assert response.headers["content-type"] == "image/svg+xml"
        # The page asked for nothing that is missing (no /favicon.ico), and
        # the audit would have said so.
        assert self.failed_loads == []
        # Its response event comes before the fetch's answer.
        assert (
            self.page.evaluate("fetch('/static/missing.css').then((r) => r.status)")
            == 404
        )
        assert self.failed_loads == [f"404 {self.live_server_url}/static/missing.css"]

    def test_keyboard_sign_in(self):
        page = self.page
        page.goto("/api/auth/signin?callbackUrl=/status/")
        page.keyboard.press("Tab")
        self.assert_focused("Username")
        page.keyboard.type("ada")
        page.keyboard.press("Tab")
        self.assert_focused("Password")
        page.keyboard.type("not the password")
        # Enter in a field submits the form; the refusal comes back announced.
        page.keyboard.press("Enter")
        page.wait_for_url("**/api/auth/signin?**error=CredentialsSignin**")
        alert = page.get_by_role("alert")
        assert alert.inner_text() == (
            "Sign in failed. Check the details you provided are correct."
        )
        # The fields are invalid, described by the message, and the first has the focus.
        username = page.get_by_label("Username")
        assert username.get_attribute("aria-invalid") == "true"
        assert (
            username.evaluate(
                "(input) => document.getElementById(input.getAttribute('aria-describedby')).textContent"
            )
            == alert.inner_text()
        )
        self.assert_focused("Username")
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type("ada")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Sign in"
        self.assert_focus_visible()
        page.keyboard.press("Space")
        page.wait_for_url(f"{self.live_server_url}/status/")
        session = self.context.request.get("/api/auth/session").json()
        assert session["user"]["email"] == "ada@example.com"

    def ask_for_an_email(self, address: str = "ada@example.com") -> str:
        """Ask for a sign-in e-mail with the context's cookies (its session remembers the address); the e-mailed link."""
        csrf = self.context.request.get("/api/auth/csrf").json()["csrfToken"]
        response = self.context.request.post(
            "/api/auth/signin/email",
            form={"csrfToken": csrf, "email": address, "json": "true"},
        )
        assert response.json() == {"url": f"{self.live_server_url}{VERIFY_REQUEST}"}, (
            response.text()
        )
        links: list[str] = LINK_RE.findall(str(mail.outbox[-1].body))
        [link] = links
        return link

    @override_settings(USEAUTH_EMAIL_ENABLED=True)
    def test_email_pages(self):
        problems = [
            *self.audit("/api/auth/signin", "signin-email"),
            *self.audit("/api/auth/signin?error=EmailSignin", "signin-email-error"),
            # No address pending in this browser: the page asks for it.
            *self.audit(VERIFY_REQUEST, "verify-request"),
            *self.audit(f"{VERIFY_REQUEST}&error=Verification", "verify-request-error"),
        ]
        link = self.ask_for_an_email()
        problems += [
            *self.audit(VERIFY_REQUEST, "verify-request-pending"),
            *self.audit(
                f"{VERIFY_REQUEST}&error=Verification", "verify-request-pending-error"
            ),
            *self.audit(link, "email-confirm"),
        ]
        a11y.assert_clean(problems)

    @override_settings(USEAUTH_EMAIL_ENABLED=True, USEAUTH_CREDENTIALS_ENABLED=False)
    def test_email_sign_in_error(self):
        self.page.goto("/api/auth/signin?error=EmailSignin")
        alert = self.page.get_by_role("alert")
        assert alert.inner_text() == "The e-mail could not be sent."
        # The field is invalid, described by the message, and has the focus.
        field = self.page.get_by_label("Email address")
        assert field.get_attribute("aria-invalid") == "true"
        assert (
            field.evaluate(
                "(input) => document.getElementById(input.getAttribute('aria-describedby')).textContent"
            )
            == alert.inner_text()
        )
        self.assert_focused("Email address")

    @override_settings(
        USEAUTH_EMAIL_ENABLED=True,
        USEAUTH_CREDENTIALS_ENABLED=False,
        USEAUTH_SITE_NAME=LONG_SITE_NAME,
    )
    def test_long_email_address(self):
        # The address is one word wider than a 320 px screen: it wraps on
        # "check your e-mail" and on the link's confirmation page.
        make_user("rumpel", **LONG_USER)
        link = self.ask_for_an_email(LONG_USER["email"])
        problems = [
            *self.audit(VERIFY_REQUEST, "verify-request-long-email"),
            *self.audit(link, "email-confirm-long-email"),
        ]
        assert LONG_USER["email"] in self.page.get_by_role("main").inner_text()
        a11y.assert_clean(problems)

    @override_settings(USEAUTH_EMAIL_ENABLED=True, USEAUTH_CREDENTIALS_ENABLED=False)
    def test_keyboard_email_code(self):
        page = self.page
        page.goto("/api/auth/signin?callbackUrl=/status/")
        page.keyboard.press("Tab")
        self.assert_focused("Email address")
        page.keyboard.type("ada@example.com")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{VERIFY_REQUEST}")
        [code] = CODE_RE.findall(str(mail.outbox[-1].body))
        # The address it was asked for is filled in (and may be corrected).
        page.keyboard.press("Tab")
        self.assert_focused("Email address")
        assert page.get_by_label("Email address").input_value() == "ada@example.com"
        page.keyboard.press("Tab")
        self.assert_focused("Code")
        page.keyboard.type("AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB")
        # Enter in the field submits; the refusal comes back announced.
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{VERIFY_REQUEST}&error=Verification")
        alert = page.get_by_role("alert")
        assert alert.inner_text().startswith("That code did not work.")
        field = page.get_by_label("Code")
        assert field.get_attribute("aria-invalid") == "true"
        described = field.evaluate(
            "(input) => input.getAttribute('aria-describedby').split(' ')"
            ".map((id) => document.getElementById(id).textContent)"
        )
        assert alert.inner_text() in described
        self.assert_focused("Code")
        page.keyboard.type(code)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Sign in"
        self.assert_focus_visible()
        page.keyboard.press("Space")
        page.wait_for_url(f"{self.live_server_url}/status/")
        session = self.context.request.get("/api/auth/session").json()
        assert session["user"]["email"] == "ada@example.com"

    def assert_focused(self, label: str) -> None:
        assert self.page.evaluate("document.activeElement.labels[0].textContent") == (
            label
        )
        self.assert_focus_visible()

    def assert_focus_visible(self) -> None:
        outline = self.page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
        )
        assert outline[0] != "none" and outline[1] >= 2, outline


# On the class: the live server loads its middleware when it starts.
@modify_settings(MIDDLEWARE={"append": "django.middleware.locale.LocaleMiddleware"})
class RightToLeftTests(LivePagesTestCase):
    @override_settings(**PROVIDERS)
    def test_arabic(self):
        # Django activates Arabic from Accept-Language: the page is mirrored.
        self.page = self.new_context(locale="ar").new_page()
        problems = self.audit("/api/auth/signin?error=CredentialsSignin", "signin-ar")
        a11y.assert_clean(problems)
        html = self.page.locator("html")
        assert html.get_attribute("lang") == "ar"
        assert html.get_attribute("dir") == "rtl"
        self.page.set_viewport_size({"width": 390, "height": 800})
        field = self.page.evaluate(TEXT_BOX, "#useauth-username")
        for selector in ("h1", ".useauth-card label", ".useauth-error"):
            text = self.page.evaluate(TEXT_BOX, selector)
            # The words start at the right: on the fields' right edge (inside padding).
            assert field["right"] - 24 <= text["textRight"] <= field["right"], selector
            assert text["textLeft"] > field["left"] + 40, selector

    @override_settings(USEAUTH_EMAIL_ENABLED=True)
    def test_arabic_email(self):
        self.context = self.new_context(locale="ar")
        self.page = self.context.new_page()
        problems = [
            *self.audit("/api/auth/signin?error=EmailSignin", "signin-email-ar"),
            *self.audit(f"{VERIFY_REQUEST}&error=Verification", "verify-request-ar"),
        ]
        a11y.assert_clean(problems)
        html = self.page.locator("html")
        assert html.get_attribute("dir") == "rtl"
        # The address and the code are typed left to right.
        for label in ("#useauth-email-address", "#useauth-code"):
            assert self.page.locator(label).get_attribute("dir") == "ltr"


class DemoSite(DemoProject):
    """The demo project under ``runserver`` with its static files (DEBUG), without an IdP."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            "browser-a11y",
            f"sqlite:///{directory / 'demo.sqlite3'}?timeout=20",
            directory / "demo.log",
            DEBUG="true",
        )

    def start(self) -> None:
        self.setup()
        self.serve("manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}")


class DemoServers:
    """The demo site and its identity provider, started side by side in the background; a context manager that stops them."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="useauth-browser-a11y-"))
        self.site = DemoSite(self.directory)
        self.idp = IdentityProvider()
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.started = [
            self.pool.submit(self.site.start),
            self.pool.submit(self.idp.start),
        ]

    def __enter__(self) -> DemoServers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # A start still under way ends first, so that its server is stopped too.
        self.pool.shutdown()
        self.site.stop()
        self.idp.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def wait(self) -> None:
        """Return once both serve; raise what a start raised."""
        for future in self.started:
            future.result()


class DemoPagesTests(SimpleTestCase):
    """The demo's pages, and the sign-in page of its identity provider, which its visitors see too."""

    site: DemoSite
    idp: IdentityProvider

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        _demo[0].wait()
        cls.site, cls.idp = _demo[0].site, _demo[0].idp

    def setUp(self) -> None:
        self.context = _browser[0].new_context(base_url=self.site.origin)
        self.addCleanup(self.context.close)
        self.context.set_default_timeout(10_000)
        self.failed_loads = a11y.failed_loads(self.context)
        self.page: Page = self.context.new_page()

    def audit(self, pages: dict[str, str]) -> list[str]:
        problems = []
        for name, path in pages.items():
            self.page.goto(path)
            self.page.wait_for_load_state("networkidle")
            problems += a11y.audit(self.page, name)
        return [*problems, *self.failed_loads]

    def test_signed_out(self):
        problems = self.audit(
            {
                "demo-home": "/",
                "demo-guest": "/guest/",
                "demo-tags": "/tags/",
                "demo-client": "/client/",
                "demo-apis": "/apis/",
                "demo-signin": "/api/auth/signin?callbackUrl=%2Fprotected%2F",
            }
        )
        a11y.assert_clean(problems)

    def test_signed_in(self):
        browser.sign_in_with_requests(self.context, DEMO_USERNAME, DEMO_PASSWORD)
        problems = self.audit(
            {
                "demo-home-signed-in": "/",
                "demo-protected": "/protected/?x=1",
                "demo-tags-signed-in": "/tags/",
                "demo-class-based": "/class-based/",
                "demo-client-required": "/client/required/",
                "demo-signout": "/api/auth/signout?callbackUrl=%2F",
            }
        )
        a11y.assert_clean(problems)

    def test_identity_provider(self):
        problems = self.audit(
            {
                "idp-home": f"{self.idp.origin}/",
                "idp-signin": f"{self.idp.origin}/accounts/login/",
            }
        )
        self.page.get_by_label("Username").fill(IDP_USERNAME)
        self.page.get_by_label("Password").fill("not the password")
        self.page.get_by_role("button", name="Sign in").click()
        self.page.get_by_role("alert").wait_for()
        problems += a11y.audit(self.page, "idp-signin-error")
        a11y.assert_clean(problems)


class ModuleSetUpTests(SimpleTestCase):
    def test_a_failed_start_stops_what_started(self):
        # Chromium fails after the demo's servers started: they are stopped.
        events = []

        @contextlib.contextmanager
        def servers() -> Iterator[None]:
            events.append("servers started")
            try:
                yield
            finally:
                events.append("servers stopped")

        demo: list[object] = []
        with (
            mock.patch(f"{__name__}._module", contextlib.ExitStack()),
            mock.patch(f"{__name__}._demo", demo),
            mock.patch(f"{__name__}._browser", []),
            mock.patch(f"{__name__}.DemoServers", servers),
            mock.patch.object(
                browser,
                "chromium",
                side_effect=RuntimeError("Chromium did not start"),
            ),
        ):
            with self.assertRaisesMessage(RuntimeError, "Chromium did not start"):
                setUpModule()
            # Asked while the module still holds the stack (once dropped, the
            # generator would be closed anyway).
            assert events == ["servers started", "servers stopped"]
            assert demo == []


class AuditTests(SimpleTestCase):
    """The audit itself finds what it looks for."""

    def test_finds_problems(self):
        page = _browser[0].new_page()
        self.addCleanup(page.close)
        page.set_content(
            "<p style='color: #999; background: #fff'>Faint</p>"
            "<div style='width: 2000px'>Wide</div>"
        )
        found = a11y.axe(page)
        assert [line.split(" ", 1)[0] for line in found] == [
            "color-contrast",
            "document-title",
            "html-has-lang",
            "landmark-one-main",
            "page-has-heading-one",
            "region",
        ]
        assert a11y.overflow(page, "body *") == [
            "outside the viewport: div from 8 to 2008",
            "scrolls sideways: 2008 px wide in 1280 px",
        ]

    def test_describe(self):
        violation = {
            "id": "color-contrast",
            "impact": "serious",
            "help": "Elements must meet minimum color contrast ratio thresholds",
            "nodes": [
                {
                    "target": ["p.x"],
                    "failureSummary": "Fix any of the following:\n  low",
                }
            ],
        }
        assert a11y.describe([violation]) == [
            "color-contrast (serious): Elements must meet minimum color contrast "
            "ratio thresholds; p.x: Fix any of the following:   low"
        ]
