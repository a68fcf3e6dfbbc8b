"""E-mail sign-in end to end: Chromium, the built-in pages, Django's SMTP backend and a real SMTP server.

The live server sends through ``django.core.mail.backends.smtp.EmailBackend``
to an aiosmtpd server on loopback (tests/smtp.py); each test reads the message
from that server as a mail client would (the text part's link and code, the
HTML part's button) and goes on in the browser: the link's confirmation page
and its "Sign in" button, or the code on the "check your e-mail" page, in the
browser that asked for the e-mail or in another one (a second browser context:
no cookie in common, as another device). A mail scanner's GET of the link
before the click spends nothing. Screenshots and the message as received go to
``test-artifacts/``.
"""

from __future__ import annotations

import urllib.request
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlencode

from django.test import override_settings
from playwright.sync_api import expect

from django_useauth.models import EmailToken
from tests.browser import BrowserTestCase
from tests.browser import artifact
from tests.expected import ADA
from tests.smtp import Received
from tests.smtp import SMTPServer
from tests.smtp import smtp_server

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext
    from playwright.sync_api import Page

#: Where the person was going: a page that only a signed-in user sees.
PROTECTED = "/protected/?x=1"
VERIFY_REQUEST = "/api/auth/verify-request?provider=email&type=email"
#: As typed: the e-mail goes to the address the account stores (ada@example.com).
TYPED_ADDRESS = "Ada@Example.com"
ADDRESS = "ada@example.com"
#: The policies under which a page's URL is never sent to another origin.
SAFE_REFERRER_POLICIES = (
    "same-origin",
    "strict-origin",
    "origin",
    "strict-origin-when-cross-origin",
)


def _wrong(code: str) -> str:
    # A well-formed code that is not ``code``.
    return "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB"


@override_settings(USEAUTH_EMAIL_ENABLED=True, USEAUTH_SITE_NAME="Example")
class EmailSignInBrowserTests(BrowserTestCase):
    smtp: SMTPServer

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.smtp = cls.enterClassContext(smtp_server())

    def setUp(self) -> None:
        super().setUp()
        self.smtp.clear()
        self.context.set_default_timeout(10_000)

    # -- helpers ----------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.live_server_url}{path}"

    def other_device(self) -> BrowserContext:
        """A second browser context: no cookie or storage in common with ``self.context``."""
        context = self.browser.new_context()
        self.addCleanup(context.close)
        context.set_default_timeout(10_000)
        return context

    def session(self, page: Page) -> Any:
        """GET /api/auth/session from the page, with its cookies."""
        return page.evaluate(
            "fetch('/api/auth/session', {headers: {Accept: 'application/json'}}).then((r) => r.json())"
        )

    def ask_for_an_email(self, page: Page) -> Received:
        """From a protected page, signed out: the sign-in page's e-mail form, then "check your e-mail"; the message received."""
        page.goto(self.url(PROTECTED))
        query = urlencode({"callbackUrl": PROTECTED})
        page.wait_for_url(self.url(f"/api/auth/signin?{query}"))
        page.get_by_label("Email address").fill(TYPED_ADDRESS)
        page.get_by_role("button", name="Send a sign-in link").click()
        page.wait_for_url(self.url(VERIFY_REQUEST))
        expect(page.locator("h1")).to_have_text("Check your e-mail")
        return self.smtp.wait_for(ADDRESS)

    def assert_message(self, message: Received) -> None:
        """The message as sent: envelope, headers, both parts, one link and one code."""
        assert message.rcpt_tos == (ADDRESS,)
        assert message.mail_from == "webmaster@localhost"
        assert message.message["To"] == ADDRESS
        assert message.message["From"] == "webmaster@localhost"
        assert message.subject == "Sign in to Example"
        assert message.message.get_content_type() == "multipart/alternative"
        assert message.query == {
            "callbackUrl": PROTECTED,
            "token": message.query["token"],
            "email": ADDRESS,
        }
        assert message.link.startswith(self.url("/api/auth/callback/email?"))
        assert "The link and the code work once, for 10 minutes." in message.text

    def assert_signed_in(self, page: Page) -> None:
        """On the page asked for at first, signed in as Ada."""
        page.wait_for_url(self.url(PROTECTED))
        expect(page.locator("body")).to_have_text("protected")
        assert self.session(page)["user"] == ADA
        assert EmailToken.objects.count() == 0

    def assert_signed_out(self, page: Page) -> None:
        assert self.session(page) == {}

    def open_link(self, page: Page, message: Received) -> None:
        """Follow the e-mailed link: the confirmation page, which spends nothing yet."""
        response = page.goto(message.link)
        assert response is not None and response.status == 200
        # The URL holds the token: no Referer may carry it to another origin.
        # (Not no-referrer: under it the page's POST says "Origin: null",
        # which Django's CSRF check refuses; the click below would fail.)
        assert response.headers["referrer-policy"] in SAFE_REFERRER_POLICIES
        expect(page.locator("h1")).to_have_text("Sign in")
        expect(page.get_by_role("main")).to_contain_text(f"Sign in as {ADDRESS}?")
        assert EmailToken.objects.count() == 1

    def type_code(self, page: Page, code: str, *, address: str | None = None) -> None:
        """On the "check your e-mail" page: the address if the page asks for it, the code, "Sign in"."""
        if address is not None:
            page.get_by_label("Email address").fill(address)
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Sign in").click()

    def assert_link_spent(self, page: Page, message: Received) -> None:
        """The link now opens the error page: it has been used."""
        page.goto(message.link)
        page.wait_for_url(self.url("/api/auth/error?error=Verification"))
        expect(page.get_by_role("main")).to_contain_text(
            "The sign in link is no longer valid."
        )

    # -- the tests -----------------------------------------------------------------

    def test_link_in_the_same_browser(self):
        page = self.page
        message = self.ask_for_an_email(page)
        page.screenshot(path=artifact("email-verify-request.png"))
        self.assert_message(message)
        artifact("email-sign-in.eml").write_bytes(message.data)
        # The code form, the address it was asked for already filled in.
        expect(page.get_by_label("Email address")).to_have_value(ADDRESS)
        self.assert_signed_out(page)

        # The e-mail's HTML part as a mail client shows it: its button is the link.
        reader = self.context.new_page()
        reader.set_content(message.html)
        button = reader.get_by_role("link", name="Sign in")
        assert button.get_attribute("href") == message.link
        reader.screenshot(path=artifact("email-message.png"), full_page=True)
        reader.close()

        self.open_link(page, message)
        page.screenshot(path=artifact("email-confirm.png"))
        self.assert_signed_out(page)
        page.get_by_role("button", name="Sign in").click()
        self.assert_signed_in(page)
        page.screenshot(path=artifact("email-signed-in.png"))
        self.assert_link_spent(page, message)
        # Still signed in: a spent link signs nobody out.
        assert self.session(page)["user"] == ADA

    def test_scanner_before_the_click(self):
        page = self.page
        message = self.ask_for_an_email(page)
        # A mail security gateway fetches every link, without cookies, and
        # follows redirects; some send HEAD first. It gets the page and no session.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for method in ("HEAD", "GET", "GET"):
            request = urllib.request.Request(message.link, method=method)
            with opener.open(request, timeout=10) as response:
                assert response.status == 200
                assert response.url == message.link
                cookies = response.headers.get_all("Set-Cookie") or []
                assert not [c for c in cookies if c.startswith("sessionid=")]
                body = response.read().decode()
            if method == "GET":
                assert f"Sign in as <strong><bdi>{ADDRESS}</bdi></strong>?" in body
        assert EmailToken.objects.count() == 1

        # The person's click still signs in.
        self.open_link(page, message)
        page.get_by_role("button", name="Sign in").click()
        self.assert_signed_in(page)

    def test_code_in_the_browser_that_asked(self):
        # Asked on the laptop; the e-mail is read on a phone, whose mail app
        # shows the code. Typed on the laptop: the laptop is signed in.
        laptop = self.page
        message = self.ask_for_an_email(laptop)
        self.assert_message(message)
        # The page knows the address: it is filled in, the code is asked for.
        expect(laptop.get_by_label("Email address")).to_have_value(ADDRESS)
        # A wrong code first: the page says so, the field is invalid and focused.
        self.type_code(
            laptop, "AAAA-AAAA" if message.code != "AAAA-AAAA" else "BBBB-BBBB"
        )
        laptop.wait_for_url(self.url(f"{VERIFY_REQUEST}&error=Verification"))
        expect(laptop.get_by_role("alert")).to_contain_text("That code did not work.")
        code_field = laptop.get_by_label("Code")
        expect(code_field).to_have_attribute("aria-invalid", "true")
        expect(code_field).to_be_focused()
        laptop.screenshot(path=artifact("email-code-wrong.png"))
        # As people type it: lower case, a space for the hyphen.
        self.type_code(laptop, message.code.lower().replace("-", " "))
        self.assert_signed_in(laptop)

        # The phone opens the link afterwards: the e-mail has been used.
        phone = self.other_device().new_page()
        self.assert_link_spent(phone, message)
        self.assert_signed_out(phone)

    def test_code_in_another_browser(self):
        # Asked on the laptop; on a tablet the person opens the "check your
        # e-mail" page afresh and types the address and the code there.
        laptop = self.page
        message = self.ask_for_an_email(laptop)
        tablet = self.other_device().new_page()
        tablet.goto(self.url(VERIFY_REQUEST))
        expect(tablet.get_by_label("Email address")).to_have_value("")
        tablet.screenshot(path=artifact("email-code-other-browser.png"))
        # A typo first: the page comes back with the message, the address
        # typed still there and the focus on the code.
        self.type_code(tablet, _wrong(message.code), address=TYPED_ADDRESS)
        tablet.wait_for_url(self.url(f"{VERIFY_REQUEST}&error=Verification"))
        expect(tablet.get_by_role("alert")).to_contain_text("That code did not work.")
        expect(tablet.get_by_label("Email address")).to_have_value(ADDRESS)
        expect(tablet.get_by_label("Code")).to_be_focused()
        self.type_code(tablet, message.code)
        # To where the laptop was going when it asked.
        self.assert_signed_in(tablet)
        # The laptop is not signed in, and its code form no longer works.
        laptop.reload()
        self.assert_signed_out(laptop)
        self.type_code(laptop, message.code)
        laptop.wait_for_url(self.url(f"{VERIFY_REQUEST}&error=Verification"))
        self.assert_signed_out(laptop)

    def test_link_on_another_device(self):
        # Asked on the laptop, the link opened on the phone: the phone signs
        # in (that is where the link was followed); the laptop does not.
        laptop = self.page
        message = self.ask_for_an_email(laptop)
        phone = self.other_device().new_page()
        self.open_link(phone, message)
        phone.get_by_role("button", name="Sign in").click()
        self.assert_signed_in(phone)
        self.assert_signed_out(laptop)
