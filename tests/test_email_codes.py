"""The one-time code in the sign-in e-mail, typed on the "check your e-mail" page (often on another device)."""

from __future__ import annotations

import hashlib
import secrets
from io import StringIO
from unittest import mock

from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.signals import user_login_failed
from django.core.management import call_command
from django.test import override_settings

from django_useauth.internal import email_tokens
from django_useauth.models import EmailToken
from tests.attacks.base import THROTTLED
from tests.attacks.base import WINDOW
from tests.attacks.base import assert_json
from tests.attacks.base import frozen_time
from tests.attacks.base import post_credentials
from tests.email_utils import CODE_CSRF
from tests.email_utils import DASHBOARD
from tests.email_utils import EMAIL_ON
from tests.email_utils import HOME
from tests.email_utils import TOO_MANY_CODES
from tests.email_utils import VERIFICATION
from tests.email_utils import WRONG_CODE
from tests.email_utils import EmailTestCase
from tests.email_utils import click
from tests.email_utils import expire_all
from tests.email_utils import open_link
from tests.email_utils import post_code
from tests.email_utils import session_email
from tests.email_utils import wrong_code
from tests.utils import BASE
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user


class CodeTestCase(EmailTestCase):
    """The same, and ``self.failures``: the credentials of every ``user_login_failed``."""

    def setUp(self):
        super().setUp()
        self.failures: list[dict[str, str]] = []

        def on_failure(sender, credentials, request, **kwargs):
            self.failures.append(credentials)

        user_login_failed.connect(on_failure)
        self.addCleanup(user_login_failed.disconnect, on_failure)


@override_settings(**EMAIL_ON)
class CodeTests(CodeTestCase):
    def test_right_code_in_every_spelling(self):
        for spelling in (
            str.upper,
            str.lower,
            lambda code: code.replace("-", ""),
            lambda code: f"  {code[:4].lower()} {code[5:]}  ",
            lambda code: " ".join(code.replace("-", "")),
        ):
            with self.subTest(spelling=spelling):
                client = csrf_client()
                sent = self.asked(client=client)
                assert_json(
                    post_code(client, sent.email, spelling(sent.code)), 200, HOME
                )
                assert session_email(client) == "ada@example.com"
        assert not EmailToken.objects.exists()

    def test_on_another_device(self):
        sent = self.asked(callback_url="/dashboard")
        phone = csrf_client()
        response = post_code(phone, "ADA@example.com", sent.code)
        assert_json(response, 200, DASHBOARD)
        assert session_email(phone) == "ada@example.com"
        assert session_email(self.client) is None

    def test_html_mode(self):
        sent = self.asked()
        response = post_code(
            self.client, sent.email, wrong_code(sent.code), json_mode=False
        )
        assert response.status_code == 302
        assert response["Location"] == WRONG_CODE["url"]
        response = post_code(self.client, sent.email, sent.code, json_mode=False)
        assert response.status_code == 302
        assert response["Location"] == HOME["url"]

    def test_code_kills_the_link(self):
        sent = self.asked()
        assert_json(post_code(self.client, sent.email, sent.code), 200, HOME)
        other = csrf_client()
        assert open_link(other, sent.link)["Location"] == VERIFICATION["url"]
        assert_json(post_code(other, sent.email, sent.code), 403, WRONG_CODE)

    def test_link_kills_the_code(self):
        sent = self.asked()
        assert_json(click(self.client, sent), 200, HOME)
        assert_json(post_code(csrf_client(), sent.email, sent.code), 403, WRONG_CODE)

    def test_wrong_code(self):
        sent = self.asked()
        assert_json(
            post_code(self.client, sent.email, wrong_code(sent.code)), 403, WRONG_CODE
        )
        assert self.failures == [{"email": "ada@example.com"}]
        assert session_email(self.client) is None
        assert EmailToken.objects.get().code_attempts == 1
        # A wrong try spends nothing else.
        assert_json(post_code(self.client, sent.email, sent.code), 200, HOME)

    def test_code_dies_after_its_attempts(self):
        sent = self.asked()
        for n in range(5):
            response = post_code(self.client, sent.email, wrong_code(sent.code, n))
            assert_json(response, 403, WRONG_CODE)
        assert_json(post_code(self.client, sent.email, sent.code), 403, WRONG_CODE)
        assert EmailToken.objects.get().code_attempts == 5
        # The link still works: only the code died.
        assert_json(click(self.client, sent), 200, HOME)

    @override_settings(USEAUTH_EMAIL_CODE_ATTEMPTS=2)
    def test_attempts_setting(self):
        sent = self.asked()
        for n in range(2):
            post_code(self.client, sent.email, wrong_code(sent.code, n))
        assert_json(post_code(self.client, sent.email, sent.code), 403, WRONG_CODE)

    def test_malformed_input_is_not_counted(self):
        sent = self.asked()
        cases: list[object] = [
            "",
            sent.code[:-1],
            sent.code + "A",
            "ABCD-EFG0",
            "ABCD-EFGO",
            "IIII-1111",
            "ABCD_EFGH",
            "ＡＢＣＤ-ＥＦＧＨ",
            sent.code + "\x00",
            "A" * 100_000,
            12345678,
            [sent.code],
            {"code": sent.code},
            None,
        ]
        for value in cases:
            with self.subTest(value=repr(value)[:40]):
                assert_json(post_code(self.client, sent.email, value), 403, WRONG_CODE)
        assert EmailToken.objects.get().code_attempts == 0
        assert self.failures == []
        assert_json(post_code(self.client, sent.email, sent.code), 200, HOME)

    def test_malformed_address(self):
        sent = self.asked()
        for email in ("", "not an address", "ada@example.com\x00"):
            with self.subTest(email=email):
                assert_json(post_code(self.client, email, sent.code), 403, WRONG_CODE)
        assert EmailToken.objects.get().code_attempts == 0
        assert_json(post_code(self.client, sent.email, sent.code), 200, HOME)

    def test_code_of_another_address(self):
        make_user("bob")
        bob = csrf_client()
        ada = self.asked()
        bobs = self.asked("bob@example.com", client=bob)
        assert_json(post_code(bob, "bob@example.com", ada.code), 403, WRONG_CODE)
        assert_json(post_code(bob, "nobody@example.com", bobs.code), 403, WRONG_CODE)
        assert_json(post_code(self.client, "ada@example.com", ada.code), 200, HOME)
        assert_json(post_code(bob, "bob@example.com", bobs.code), 200, HOME)
        assert session_email(bob) == "bob@example.com"

    def test_expired_code(self):
        sent = self.asked()
        expire_all()
        assert_json(post_code(self.client, sent.email, sent.code), 403, WRONG_CODE)
        assert session_email(self.client) is None

    def test_superseded_code(self):
        first = self.asked()
        second = self.asked()
        assert_json(post_code(self.client, first.email, first.code), 403, WRONG_CODE)
        assert_json(post_code(self.client, second.email, second.code), 200, HOME)

    def test_csrf(self):
        sent = self.asked()
        response = post_code(self.client, sent.email, sent.code, csrf=False)
        assert_json(response, 200, CODE_CSRF)
        assert EmailToken.objects.get().code_attempts == 0
        assert session_email(self.client) is None


@override_settings(**EMAIL_ON, USEAUTH_THROTTLE_ACCOUNT_FAILURES=3)
class CodeThrottleTests(CodeTestCase):
    """Code tries share the sign-in limits of the account and the client with passwords."""

    def test_too_many_tries(self):
        with frozen_time():
            sent = self.asked()
            for n in range(3):
                post_code(self.client, sent.email, wrong_code(sent.code, n))
            response = post_code(self.client, sent.email, sent.code)
            html = post_code(self.client, sent.email, sent.code, json_mode=False)
        assert_json(response, 429, TOO_MANY_CODES)
        assert response["Retry-After"] == str(WINDOW)
        assert html.status_code == 302
        assert html["Location"] == TOO_MANY_CODES["url"]
        assert html["Retry-After"] == str(WINDOW)
        # Refused before the code was looked at: its tries are not spent.
        assert EmailToken.objects.get().code_attempts == 3
        page = self.client.get(html["Location"])
        assert b"Too many failed attempts." in page.content

    def test_shared_with_passwords(self):
        with frozen_time():
            sent = self.asked()
            for n in range(3):
                post_code(self.client, "ADA@example.com", wrong_code(sent.code, n))
            client = csrf_client()
            password = post_credentials(client, csrf_token(client), "ada", PASSWORD)
        assert_json(password, 429, THROTTLED)

    def test_unknown_address_counted_alike(self):
        with frozen_time():
            answers = [
                post_code(self.client, email, "ABCD-EFGH").status_code
                for email in ["ada@example.com"] * 4 + ["nobody@example.com"] * 4
            ]
        assert answers == [403, 403, 403, 429] * 2

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse_with_code")
    def test_refused_sign_in_gives_the_place_back(self):
        with frozen_time():
            for _ in range(4):
                sent = self.asked()
                response = post_code(self.client, sent.email, sent.code)
                assert_json(
                    response, 403, {"url": f"{BASE}/error?error=EmailNotVerified"}
                )
        assert session_email(self.client) is None

    def test_error_gives_the_place_back(self):
        def broken(**kwargs):
            raise RuntimeError("receiver bug")

        user_logged_in.connect(broken)
        self.addCleanup(user_logged_in.disconnect, broken)
        with frozen_time():
            for _ in range(4):
                sent = self.asked()
                with self.assertRaisesMessage(RuntimeError, "receiver bug"):
                    post_code(self.client, sent.email, sent.code)

    def test_sign_in_clears_the_count(self):
        with frozen_time():
            for _ in range(2):
                sent = self.asked()
                for n in range(2):
                    post_code(self.client, sent.email, wrong_code(sent.code, n))
                client = csrf_client()
                assert_json(post_code(client, sent.email, sent.code), 200, HOME)


@override_settings(**EMAIL_ON)
class StorageTests(CodeTestCase):
    def test_only_digests_are_stored(self):
        sent = self.asked()
        row = EmailToken.objects.get()
        assert row.token_digest == hashlib.sha256(sent.token.encode()).hexdigest()
        values = [str(getattr(row, field.attname)) for field in EmailToken._meta.fields]
        for secret in (sent.token, sent.code, sent.code.replace("-", "")):
            assert not [value for value in values if secret in value], secret
        assert len(row.code_digest) == 64
        assert row.code_digest != hashlib.sha256(sent.code.encode()).hexdigest()

    def test_same_code_different_digests(self):
        # Salted with the row: two rows' digests never tell that their codes are equal.
        with mock.patch.object(secrets, "choice", return_value="A"):
            first = email_tokens.issue("a@example.com", None, None)
            second = email_tokens.issue("b@example.com", None, None)
        assert first.code == second.code == "AAAA-AAAA"
        assert first.row.code_digest != second.row.code_digest

    def test_cleartokens(self):
        make_user("bob")
        self.asked()
        expire_all()
        live = self.asked("bob@example.com", client=csrf_client())
        out = StringIO()
        call_command("cleartokens", stdout=out)
        assert "and 1 expired e-mail sign-in(s)." in out.getvalue()
        [row] = EmailToken.objects.all()
        assert row.token_digest == hashlib.sha256(live.token.encode()).hexdigest()
