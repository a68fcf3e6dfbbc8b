"""The pages of e-mail sign-in: "check your e-mail" (``verify-request``) and the e-mail form on the sign-in page."""

from __future__ import annotations

from django.test import override_settings

from tests.attacks.base import assert_json
from tests.email_utils import CODE_CSRF
from tests.email_utils import DASHBOARD
from tests.email_utils import EMAIL_ON
from tests.email_utils import VERIFY_REQUEST
from tests.email_utils import WRONG_CODE
from tests.email_utils import EmailTestCase
from tests.email_utils import post_code
from tests.email_utils import sign_in_by_email
from tests.utils import NEVER_CACHE
from tests.utils import csrf_client

PREFILLED = (
    b'<input id="useauth-email-address" name="email" type="email" dir="ltr"'
    b' autocomplete="email" required value="ada@example.com">'
)


@override_settings(**EMAIL_ON)
class PagesTests(EmailTestCase):
    def test_verify_request_shows_the_pending_address(self):
        self.asked("ADA@example.com")
        page = self.client.get(VERIFY_REQUEST)
        assert page.status_code == 200
        assert page["Cache-Control"] == NEVER_CACHE
        # Prefilled, and still editable (a typo, another address).
        assert PREFILLED in page.content
        assert b'name="code"' in page.content

    def test_verify_request_without_a_pending_address(self):
        page = csrf_client().get(VERIFY_REQUEST)
        assert page.status_code == 200
        assert (
            b'<input id="useauth-email-address" name="email" type="email" dir="ltr"'
            b' autocomplete="email" required>' in page.content
        )
        assert b'name="code"' in page.content

    def test_verify_request_errors(self):
        page = self.client.get(f"{VERIFY_REQUEST}?error=Verification")
        assert b"That code did not work." in page.content
        # The code is marked; with no address to prefill, the focus goes to
        # the address field, which comes first.
        assert b'required aria-describedby="useauth-code-help useauth-error"' in (
            page.content
        )
        assert b' aria-invalid="true">' in page.content
        assert b' autocomplete="email" required autofocus>' in page.content
        page = self.client.get(f"{VERIFY_REQUEST}?error=TooManyAttempts")
        assert b"Too many failed attempts." in page.content
        page = self.client.get(f"{VERIFY_REQUEST}?error=%3Cscript%3E")
        assert b"aria-invalid" not in page.content
        assert b"script&gt;" not in page.content

    def test_verify_request_after_a_csrf_failure(self):
        sent = self.asked()
        response = post_code(self.client, sent.email, sent.code, csrf=False)
        assert_json(response, 200, CODE_CSRF)
        page = self.client.get(response.json()["url"])
        assert b"The form expired. Please try again." in page.content
        # The code form is there again, for the same address.
        assert PREFILLED in page.content

    @override_settings(USEAUTH_PAGES_VERIFY_REQUEST="/check-your-mail")
    def test_custom_page(self):
        page = self.client.get(f"{VERIFY_REQUEST}?error=Verification")
        assert page.status_code == 302
        assert page["Location"] == (
            "/check-your-mail?provider=email&type=email&error=Verification"
        )
        page = self.client.get(f"{VERIFY_REQUEST}?error=Other")
        assert page["Location"] == "/check-your-mail?provider=email&type=email"
        # As the sign-in page's: a failed CSRF check is passed on.
        page = self.client.get(f"{VERIFY_REQUEST}?csrf=true")
        assert page["Location"] == (
            "/check-your-mail?provider=email&type=email&csrf=true"
        )

    def test_sign_in_page_shows_the_form(self):
        page = self.client.get("/api/auth/signin")
        assert (
            b'<form class="useauth-email" method="post" action="/api/auth/signin/email">'
            in page.content
        )
        assert (
            b'<input id="useauth-email-address" name="email" type="email" dir="ltr"'
            b' autocomplete="email" required>' in page.content
        )

    def test_sign_in_page_marks_the_error(self):
        page = self.client.get("/api/auth/signin?error=EmailSignin")
        assert (
            b' autocomplete="email" required aria-invalid="true"'
            b' aria-describedby="useauth-error" autofocus>' in page.content
        )
        assert b'<div id="useauth-error">' in page.content

    @override_settings(USEAUTH_EMAIL_ENABLED=False)
    def test_sign_in_page_without_the_provider(self):
        page = self.client.get("/api/auth/signin")
        assert b"useauth-email" not in page.content

    def test_the_end_of_the_flow(self):
        response = sign_in_by_email(self.client, callback_url="/dashboard")
        assert_json(response, 200, DASHBOARD)
        # Signed in, the pending address is forgotten.
        page = self.client.get(VERIFY_REQUEST)
        assert b'value="ada@example.com"' not in page.content

    def test_a_wrong_code_keeps_the_typed_address(self):
        # On a device that never asked for the e-mail, the address typed
        # with a wrong code is there again with the error, the focus on the
        # code.
        sent = self.asked()
        device = csrf_client()
        assert_json(post_code(device, sent.email, "AAAA-AAAA"), 403, WRONG_CODE)
        page = device.get(f"{VERIFY_REQUEST}?error=Verification")
        assert PREFILLED in page.content
        assert b' aria-invalid="true" autofocus>' in page.content
