"""E-mail sign-in (signin/email, callback/email, verify-request) answers as django_useauth/openapi.json documents it.

Every status the email provider's operations answer is produced by a real
request and checked against the document; the e-mail's link and code come
from Django's local-memory outbox.
"""

from __future__ import annotations

from typing import Any

from django.test import override_settings
from schemathesis import Response

from tests import schema
from tests.email_utils import ACCESS_DENIED
from tests.email_utils import CREATE_FAILED
from tests.email_utils import EMAIL_ON
from tests.email_utils import EMAIL_SIGNIN
from tests.email_utils import SENT
from tests.email_utils import TOO_MANY_CODES
from tests.email_utils import TOO_MANY_EMAILS
from tests.email_utils import VERIFICATION
from tests.email_utils import WRONG_CODE
from tests.email_utils import Sent
from tests.email_utils import outbox
from tests.email_utils import read_sent
from tests.email_utils import smtp_down
from tests.expected import provider
from tests.openapi_utils import JSON
from tests.openapi_utils import ConformanceTestCase
from tests.openapi_utils import header
from tests.openapi_utils import send
from tests.utils import BASE
from tests.utils import FORM
from tests.utils import GITHUB
from tests.utils import make_user

ADDRESS = "ada@example.com"
NO_REFERRER = "no-referrer"
# The confirmation page's: under no-referrer its POST would carry "Origin: null".
STRICT_ORIGIN = "strict-origin"


@override_settings(**EMAIL_ON)
class EmailTestCase(ConformanceTestCase):
    def setUp(self):
        super().setUp()
        make_user()

    def ask(self, email: str = ADDRESS, **extra: Any) -> Response:
        """``POST signin/email``, as next-auth's ``signIn("email", {email})`` sends it."""
        data = {"csrfToken": self.csrf(), "email": email, **extra}
        return self.post("/signin/email", data)

    def sent(self, **extra: Any) -> Sent:
        """Ask for an e-mail for ada; the e-mail."""
        self.assert_url(self.ask(json="true", **extra), 200, SENT["url"])
        return read_sent()

    def post_callback(
        self, data: dict[str, Any], *, media_type: str | None = None
    ) -> Response:
        body = {"csrfToken": self.csrf(), **data}
        if media_type is None:
            return self.post("/callback/email", body)
        return self.post("/callback/email", body, media_type=media_type)


class ProvidersTests(EmailTestCase):
    def test_listed(self):
        body = self.call("GET", "/providers").json()
        assert body["email"] == provider(BASE, "email", "Email", "email")
        self.call("HEAD", "/providers")


class SignInEmailTests(EmailTestCase):
    def test_pages(self):
        response = self.call("GET", "/signin/email", query={"callbackUrl": "/after"})
        self.assert_page(response, 200, 'name="email"')
        assert self.call("HEAD", "/signin/email").content == b""

    @override_settings(USEAUTH_PAGES_SIGN_IN="/login/")
    def test_custom_page(self):
        response = self.call("GET", "/signin/email", query={"error": "TooManyEmails"})
        self.assert_redirect(response, "/login/?error=TooManyEmails")

    def test_sent(self):
        response = self.ask(json="true", callbackUrl="/after")
        self.assert_url(response, 200, SENT["url"])
        # The session remembers the address for the code form.
        assert "sessionid=" in " ".join(response.headers["set-cookie"])
        assert read_sent().callback_url == "/after"
        response = self.ask()
        self.assert_redirect(response, SENT["url"])
        # JSON body, and JSON mode from the header.
        response = self.post(
            "/signin/email",
            {"csrfToken": self.csrf(), "email": "Ada@Example.com"},
            media_type=JSON,
            headers={"X-Auth-Return-Redirect": "1"},
            query={"callbackUrl": "/q"},
        )
        self.assert_url(response, 200, SENT["url"])
        assert len(outbox()) == 3

    def test_callback_url_with_a_nul(self):
        # A value no PostgreSQL text field can hold is no reason for a 500.
        response = self.ask(json="true", callbackUrl="/\x00")
        self.assert_url(response, 200, SENT["url"])
        assert len(outbox()) == 1

    def test_unknown_address(self):
        # The same answer, and no e-mail.
        self.assert_url(self.ask("nobody@example.com", json=True), 200, SENT["url"])
        assert outbox() == []

    def test_email_signin(self):
        for email in ("", "not an address", "a@" + "b" * 260 + ".com"):
            with self.subTest(email=email):
                self.assert_url(self.ask(email, json="true"), 200, EMAIL_SIGNIN["url"])
                self.assert_redirect(self.ask(email), EMAIL_SIGNIN["url"])
        # Not a string: missing.
        data = {"csrfToken": self.csrf(), "email": ["x"], "json": True}
        response = self.post("/signin/email", data, media_type=JSON)
        self.assert_url(response, 200, EMAIL_SIGNIN["url"])
        assert outbox() == []

    def test_send_failed(self):
        with smtp_down(), self.assertLogs("django_useauth.email", "ERROR"):
            response = self.ask(json="true")
        self.assert_url(response, 200, EMAIL_SIGNIN["url"])

    @override_settings(USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS=1)
    def test_too_many_emails(self):
        self.sent()
        response = self.ask(json="true")
        self.assert_url(response, 429, TOO_MANY_EMAILS["url"])
        assert 1 <= int(header(response, "Retry-After")) <= 900
        response = self.ask()
        self.assert_redirect(response, TOO_MANY_EMAILS["url"])
        assert int(header(response, "Retry-After")) >= 1
        assert len(outbox()) == 1

    def test_csrf_failure(self):
        self.csrf()
        data = {"csrfToken": "wrong", "email": ADDRESS, "json": "true"}
        response = self.post("/signin/email", data)
        self.assert_url(response, 200, f"{BASE}/signin?csrf=true")
        response = self.post("/signin/email", {"email": ADDRESS})
        self.assert_redirect(response, f"{BASE}/signin?csrf=true")
        assert outbox() == []

    def test_malformed_body(self):
        response = self.post_raw("/signin/email", b"{not json")
        assert (response.status_code, response.text) == (
            400,
            "Malformed request body.",
        )

    @override_settings(USEAUTH_EMAIL_ENABLED=False)
    def test_provider_off(self):
        response = self.ask()
        self.assert_page(response, 404, "This sign-in method is not available.")
        response = self.ask(json="true")
        self.assert_url(response, 404, f"{BASE}/error?error=InvalidProvider")
        self.assert_page(self.call("GET", "/signin/email"), 200, "Sign in")
        assert 'name="email"' not in self.call("GET", "/signin/email").text

    def test_error_page_sends_to_sign_in(self):
        response = self.call("GET", "/error", query={"error": "TooManyEmails"})
        self.assert_redirect(response, "/api/auth/signin?error=TooManyEmails")
        response = self.call("GET", "/signin", query={"error": "TooManyEmails"})
        self.assert_page(response, 200, "Too many sign-in e-mails were requested.")


class LinkTests(EmailTestCase):
    """GET and HEAD callback/email: the link opens a page; it never signs in."""

    def open(self, query: dict[str, str], method: str = "GET") -> Response:
        return self.call(method, "/callback/email", query=query)

    def test_live_link(self):
        sent = self.sent(callbackUrl="/after")
        query = {"callbackUrl": "/after", "token": sent.token, "email": sent.email}
        response = self.open(query)
        self.assert_page(response, 200, f'value="{sent.token}"')
        assert header(response, "Referrer-Policy") == STRICT_ORIGIN
        assert "csrftoken=" in header(response, "Set-Cookie")
        head = self.open(query, "HEAD")
        assert (head.status_code, head.content) == (200, b"")
        assert header(head, "Referrer-Policy") == STRICT_ORIGIN
        # Neither used the link up.
        assert self.open(query).status_code == 200

    def test_not_live(self):
        sent = self.sent()
        for query in [
            {},
            {"token": sent.token},
            {"token": sent.token, "email": "eve@example.com"},
            {"token": "x" * 43, "email": sent.email},
        ]:
            with self.subTest(query=query):
                self.assert_redirect(self.open(query), VERIFICATION["url"])
                self.assert_redirect(self.open(query, "HEAD"), VERIFICATION["url"])

    @override_settings(USEAUTH_EMAIL_ENABLED=False)
    def test_provider_off(self):
        response = self.open({"token": "t", "email": ADDRESS})
        self.assert_page(response, 404, "This sign-in method is not available.")
        assert self.open({}, "HEAD").status_code == 404


class CallbackEmailTests(EmailTestCase):
    """POST callback/email: the link's token or the code signs in."""

    def assert_no_referrer(self, response: Response) -> None:
        assert header(response, "Referrer-Policy") == NO_REFERRER

    def test_token(self):
        sent = self.sent(callbackUrl="/after")
        data = {"email": sent.email, "token": sent.token, "json": "true"}
        response = self.post_callback(data)
        self.assert_url(response, 200, "http://testserver/after")
        self.assert_no_referrer(response)
        assert "sessionid=" in " ".join(response.headers["set-cookie"])
        assert self.call("GET", "/session").json()["user"]["email"] == ADDRESS
        # Used: Verification.
        response = self.post_callback(data)
        self.assert_url(response, 403, VERIFICATION["url"])
        self.assert_no_referrer(response)
        response = self.post_callback({"email": sent.email, "token": sent.token})
        self.assert_redirect(response, VERIFICATION["url"])
        self.assert_no_referrer(response)

    def test_token_outside_json_mode(self):
        sent = self.sent()
        data = {"email": sent.email, "token": sent.token}
        response = self.post_callback(data, media_type=JSON)
        self.assert_redirect(response, "http://testserver/")
        self.assert_no_referrer(response)

    def test_code(self):
        sent = self.sent()
        data = {"email": ADDRESS, "code": "AAAA-AAAA", "json": "true"}
        response = self.post_callback(data)
        self.assert_url(response, 403, WRONG_CODE["url"])
        self.assert_no_referrer(response)
        # Input that cannot be a code, and a code that is no string.
        response = self.post_callback({"email": ADDRESS, "code": "0"})
        self.assert_redirect(response, WRONG_CODE["url"])
        number: dict[str, Any] = {"email": ADDRESS, "code": 12345678, "json": True}
        response = self.post_callback(number, media_type=JSON)
        self.assert_url(response, 403, WRONG_CODE["url"])
        response = self.post_callback({"email": ADDRESS, "code": sent.code.lower()})
        self.assert_redirect(response, "http://testserver/")
        self.assert_no_referrer(response)

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=1)
    def test_too_many_attempts(self):
        sent = self.sent()
        self.post_callback({"email": ADDRESS, "code": "AAAA-AAAA"})
        data = {"email": ADDRESS, "code": sent.code, "json": "true"}
        response = self.post_callback(data)
        self.assert_url(response, 429, TOO_MANY_CODES["url"])
        assert 1 <= int(header(response, "Retry-After")) <= 900
        self.assert_no_referrer(response)
        response = self.post_callback({"email": ADDRESS, "code": sent.code})
        self.assert_redirect(response, TOO_MANY_CODES["url"])
        assert int(header(response, "Retry-After")) >= 1
        self.assert_no_referrer(response)

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse")
    def test_refused(self):
        sent = self.sent()
        data = {"email": sent.email, "token": sent.token, "json": "true"}
        self.assert_url(self.post_callback(data), 403, ACCESS_DENIED["url"])

    @override_settings(
        USEAUTH_EMAIL_CREATE_USERS=True,
        USEAUTH_EMAIL_CREATE_USER_CALLBACK="tests.email_utils.refuse_account",
    )
    def test_account_refused(self):
        self.ask("new@example.com")
        sent = read_sent()
        data = {"email": sent.email, "token": sent.token, "json": "true"}
        self.assert_url(self.post_callback(data), 403, ACCESS_DENIED["url"])

    @override_settings(
        USEAUTH_EMAIL_CREATE_USERS=True,
        USEAUTH_EMAIL_CREATE_USER_CALLBACK="tests.email_utils.broken_account",
    )
    def test_account_not_created(self):
        self.ask("new@example.com")
        sent = read_sent()
        data = {"email": sent.email, "code": sent.code, "json": "true"}
        with self.assertLogs("django_useauth.email", "ERROR"):
            response = self.post_callback(data)
        self.assert_url(response, 403, CREATE_FAILED["url"])

    def test_no_model_backend(self):
        # The one 500 of these operations: a misconfigured project, where
        # nobody can be signed in. Checked without the "no server error" check.
        sent = self.sent()
        data: dict[str, Any] = {
            "csrfToken": self.csrf(),
            "email": sent.email,
            "token": sent.token,
            "json": "true",
        }
        case = schema.load()["/callback/email"]["POST"].Case(body=data, media_type=FORM)
        with (
            self.settings(
                AUTHENTICATION_BACKENDS=GITHUB["AUTHENTICATION_BACKENDS"][:1]
            ),
            self.assertLogs("django_useauth.email", "ERROR"),
            self.assertLogs("django.request", "ERROR"),
        ):
            response = send(self.client, case)
        checks = [
            check
            for check in schema.checks()
            if check is not schema.no_undocumented_server_error
        ]
        case.validate_response(response, checks=checks)
        self.assert_url(response, 500, f"{BASE}/error?error=Configuration")
        self.assert_no_referrer(response)

    def test_csrf_failure(self):
        sent = self.sent()
        data = {"csrfToken": "wrong", "email": sent.email, "token": sent.token}
        response = self.post("/callback/email", {**data, "json": "true"})
        self.assert_url(response, 200, f"{BASE}/signin?csrf=true")
        response = self.post("/callback/email", data)
        self.assert_redirect(response, f"{BASE}/signin?csrf=true")
        # Nothing was spent.
        data = {"email": sent.email, "token": sent.token, "json": "true"}
        self.assert_url(self.post_callback(data), 200, "http://testserver/")

    def test_csrf_failure_of_the_code_form(self):
        # Back to the page of the code form, which says the form expired.
        sent = self.sent()
        data = {"csrfToken": "wrong", "email": sent.email, "code": sent.code}
        back = f"{BASE}/verify-request?provider=email&type=email&csrf=true"
        self.assert_url(
            self.post("/callback/email", {**data, "json": "true"}), 200, back
        )
        self.assert_redirect(self.post("/callback/email", data), back)

    def test_malformed_body(self):
        response = self.post_raw("/callback/email", b"[1]")
        assert (response.status_code, response.text) == (
            400,
            "Malformed request body.",
        )

    @override_settings(USEAUTH_EMAIL_ENABLED=False)
    def test_provider_off(self):
        data = {"email": ADDRESS, "code": "AAAA-AAAA"}
        response = self.post_callback(data)
        self.assert_page(response, 404, "This sign-in method is not available.")
        response = self.post_callback({**data, "json": "true"}, media_type=JSON)
        self.assert_url(response, 404, f"{BASE}/error?error=InvalidProvider")


class VerifyRequestTests(EmailTestCase):
    def test_page(self):
        self.sent()
        query = {"provider": "email", "type": "email"}
        response = self.call("GET", "/verify-request", query=query)
        # The code form, for the address this browser asked an e-mail for.
        self.assert_page(response, 200, f'required value="{ADDRESS}"')
        assert 'name="code"' in response.text
        for error, text in [
            ("Verification", "That code did not work."),
            ("TooManyAttempts", "Too many failed attempts."),
        ]:
            response = self.call(
                "GET", "/verify-request", query={**query, "error": error}
            )
            self.assert_page(response, 200, text)
        response = self.call("GET", "/verify-request", query={"error": "<x>"})
        self.assert_page(response, 200, "Check your e-mail")
        head = self.call("HEAD", "/verify-request", query=query)
        assert (head.status_code, head.content) == (200, b"")

    @override_settings(USEAUTH_EMAIL_ENABLED=False)
    def test_provider_off(self):
        response = self.call("GET", "/verify-request", query={"csrf": "true"})
        self.assert_page(response, 200, "Check your e-mail")
        assert 'name="code"' not in response.text

    @override_settings(USEAUTH_PAGES_VERIFY_REQUEST="/check-email/")
    def test_custom_page(self):
        query = {"provider": "email", "type": "email", "error": "Verification"}
        response = self.call("GET", "/verify-request", query=query)
        self.assert_redirect(
            response, "/check-email/?provider=email&type=email&error=Verification"
        )
        response = self.call("HEAD", "/verify-request", query={"error": "nope"})
        self.assert_redirect(response, "/check-email/?provider=email&type=email")
