"""ATTACKS EM1–EM11: e-mail sign-in (``POST signin/email``, the e-mailed link and code).

Every request goes through the test client with CSRF really checked, and each
refusal has a control beside it: the same request done right is accepted, so
a test cannot pass because nothing works at all. Races on one link are in
tests/test_email_concurrency.py.
"""

from __future__ import annotations

import hashlib
import secrets
from unittest import mock
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db import connection
from django.template.loader import render_to_string
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from django_useauth.models import EmailToken
from tests.attacks.base import SIGN_IN_CSRF
from tests.attacks.base import THROTTLED
from tests.attacks.base import assert_json
from tests.attacks.base import frozen_time
from tests.attacks.base import post_credentials
from tests.attacks.base import session_json
from tests.attacks.test_credential_input import all_logs
from tests.email_utils import CALLBACK_EMAIL
from tests.email_utils import CODE_CSRF
from tests.email_utils import DASHBOARD
from tests.email_utils import EMAIL_ON
from tests.email_utils import EMAIL_SIGNIN
from tests.email_utils import HOME
from tests.email_utils import TOO_MANY_CODES
from tests.email_utils import VERIFICATION
from tests.email_utils import VERIFY_REQUEST
from tests.email_utils import WRONG_CODE
from tests.email_utils import EmailTestCase
from tests.email_utils import ask_email
from tests.email_utils import click
from tests.email_utils import open_link
from tests.email_utils import outbox
from tests.email_utils import post_code
from tests.email_utils import post_token
from tests.email_utils import smtp_down
from tests.email_utils import wrong_code
from tests.utils import NEVER_CACHE
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user

HOSTILE_CALLBACKS = (
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
    "/x\r\nSet-Cookie: a=b",
)


@override_settings(**EMAIL_ON)
class EmailAttackTests(EmailTestCase):
    def test_EM1_same_answer_and_work_for_every_address(self):
        make_user("inactive", is_active=False)
        make_user("one", email="shared@example.com")
        make_user("two", email="shared@example.com")
        addresses = [
            "ada@example.com",
            "nobody@example.com",
            "inactive@example.com",
            "shared@example.com",
        ]
        rendered = mock.Mock(wraps=render_to_string)
        for json_mode in (True, False):
            answers = set()
            work = set()
            for email in addresses:
                with self.subTest(json_mode=json_mode, email=email):
                    client = csrf_client()
                    rendered.reset_mock()
                    with mock.patch(
                        "django_useauth.internal.email_messages.render_to_string",
                        rendered,
                    ):
                        response = ask_email(client, email, json_mode=json_mode)
                    answers.add(
                        (
                            response.status_code,
                            response.content,
                            response.get("Location"),
                            tuple(sorted(response.cookies)),
                            response["Content-Type"],
                            response["Cache-Control"],
                        )
                    )
                    # The same templates rendered: an e-mail's work, sent or not.
                    work.add(tuple(call.args[0] for call in rendered.call_args_list))
                    assert session_json(client) == {}
            assert len(answers) == 1
            assert len(work) == 1
            [answer] = answers
            assert answer[0] == (200 if json_mode else 302)
        assert work == {
            (
                "django_useauth/email/sign_in_subject.txt",
                "django_useauth/email/sign_in.txt",
                "django_useauth/email/sign_in.html",
            )
        }
        # Control: only the one active account with the address got e-mails.
        assert [message.to for message in outbox()] == [["ada@example.com"]] * 2

    def test_EM2_secrets_never_logged(self):
        canary = "CANARY-email-token-5d0e"
        with (
            all_logs() as lines,
            CaptureQueriesContext(connection) as queries,
            mock.patch.object(secrets, "token_urlsafe", return_value=canary),
        ):
            sent = self.asked(callback_url="/dashboard")
            assert_json(
                post_code(self.client, sent.email, "ABCD-EFGH"), 403, WRONG_CODE
            )
            open_link(self.client, sent.link)
            assert_json(click(self.client, sent), 200, DASHBOARD)
            assert_json(
                post_token(self.client, sent.email, sent.token), 403, VERIFICATION
            )
            with smtp_down():
                assert_json(
                    ask_email(self.client, "ada@example.com"), 200, EMAIL_SIGNIN
                )
            second = self.asked()
            assert_json(post_code(csrf_client(), second.email, second.code), 200, HOME)
        assert sent.token == canary
        # Control: the flow was logged (a wrong code, a used link, a mail server down).
        assert any("Forbidden: /api/auth/callback/email" in line for line in lines)
        assert any("could not be reached" in line for line in lines)
        statements = [query["sql"] for query in queries.captured_queries]
        assert any("django_useauth_emailtoken" in sql for sql in statements)
        for secret in (canary, sent.code, second.code, second.code.replace("-", "")):
            for line in [*lines, *statements]:
                assert secret not in line, (secret, line)

    def test_EM3_a_copy_of_the_table_signs_nobody_in(self):
        sent = self.asked()
        row = EmailToken.objects.get()
        # The digests, posted as the secrets they stand for, are worth nothing.
        assert_json(
            post_token(self.client, sent.email, row.token_digest), 403, VERIFICATION
        )
        assert_json(
            post_code(self.client, sent.email, row.code_digest), 403, WRONG_CODE
        )
        for value in vars(row).values():
            assert sent.token not in str(value)
            assert sent.code not in str(value)
        assert row.token_digest == hashlib.sha256(sent.token.encode()).hexdigest()
        # Control: the token itself signs in.
        assert_json(post_token(self.client, sent.email, sent.token), 200, HOME)

    @override_settings(USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS=20)
    def test_EM4_no_open_redirect_through_the_link(self):
        for hostile in HOSTILE_CALLBACKS:
            with self.subTest(callback_url=hostile):
                self.client = csrf_client()
                sent = self.asked(callback_url=hostile)
                assert_json(click(self.client, sent), 200, HOME)
        sent = self.asked(callback_url="/dashboard")
        edited = sent.link.replace("%2Fdashboard", "https%3A%2F%2Fevil.example%2F")
        assert_json(click(self.client, edited), 200, DASHBOARD)
        # Control: an allowed callbackUrl is followed.
        sent = self.asked(callback_url="/account?tab=1")
        assert_json(
            click(csrf_client(), sent), 200, {"url": "http://testserver/account?tab=1"}
        )

    def test_EM5_login_csrf(self):
        # An attacker's page posts the attacker's own link (or asks for e-mails) in the victim's browser.
        sent = self.asked()
        victim = csrf_client()
        foreign = csrf_token(self.client)
        for data, refused in (
            ({"email": sent.email, "token": sent.token}, SIGN_IN_CSRF),
            (
                {"email": sent.email, "token": sent.token, "csrfToken": foreign},
                SIGN_IN_CSRF,
            ),
            ({"email": sent.email, "code": sent.code}, CODE_CSRF),
            ({"email": sent.email, "code": sent.code, "csrfToken": foreign}, CODE_CSRF),
        ):
            with self.subTest(fields=sorted(data)):
                response = victim.post(CALLBACK_EMAIL, {**data, "json": "true"})
                assert_json(response, 200, refused)
        assert session_json(victim) == {}
        assert EmailToken.objects.get().code_attempts == 0
        response = ask_email(victim, "ada@example.com", csrf=False)
        assert_json(response, 200, SIGN_IN_CSRF)
        assert len(outbox()) == 1
        # Control: the same link, posted with the browser's own token.
        assert_json(click(victim, sent), 200, HOME)

    def test_EM6_confirmation_page_leaks_nothing(self):
        sent = self.asked()
        page = open_link(self.client, sent.link)
        assert page.status_code == 200
        # The URL holds the token: no Referer may carry it, not even to this
        # site (its stylesheet's request), and no cache may keep the page.
        # (Not no-referrer either: the form's POST would then carry
        # "Origin: null", which the CSRF check refuses;
        # tests/test_email_sign_in.py.)
        assert page["Referrer-Policy"] == "strict-origin"
        assert page["Cache-Control"] == NEVER_CACHE
        posted = post_token(self.client, sent.email, sent.token)
        assert posted["Referrer-Policy"] == "no-referrer"
        # Control: the page is the sign-in form, holding the token it posts.
        assert f'name="token" value="{sent.token}"'.encode() in page.content

    def test_EM7_only_a_post_spends(self):
        sent = self.asked()
        coded = urlencode({"email": sent.email, "code": sent.code})
        for method in ("get", "head"):
            # The link opens its page; a code in a URL is no link (no token).
            for link, status in ((sent.link, 200), (f"{CALLBACK_EMAIL}?{coded}", 302)):
                with self.subTest(method=method, link=link):
                    response = open_link(self.client, link, method=method)
                    assert response.status_code == status
        for method in ("options", "put", "patch", "delete"):
            assert open_link(self.client, sent.link, method=method).status_code == 405
        assert session_json(self.client) == {}
        row = EmailToken.objects.get()
        assert row.code_attempts == 0
        # Control: the POST spends it.
        assert_json(click(self.client, sent), 200, HOME)
        assert not EmailToken.objects.exists()

    def test_EM8_header_injection_in_the_address(self):
        for email in (
            "a@b.c\r\nBcc: x@y.z",
            "ada@example.com\r\nBcc: x@y.z",
            "ada@example.com\nSubject: hi",
            "ada@example.com,x@y.z",
            "ada@example.com;x@y.z",
            '"x@y.z\r\nBcc: x@y.z" <ada@example.com>',
            "=?utf-8?q?x=0d=0aBcc:_x@y.z?=@example.com",
            # IDNA would turn the full-width at sign into a second @ in the envelope.
            "x@evil.example\uff20example.com",
        ):
            with self.subTest(email=email):
                assert_json(ask_email(self.client, email), 200, EMAIL_SIGNIN)
        assert outbox() == []
        # Control: the bare address (trimmed) gets its e-mail, to that address only.
        sent = self.asked("ada@example.com\r\n")
        assert sent.message.to == ["ada@example.com"]
        assert sent.message.cc == sent.message.bcc == []
        assert "Bcc" not in sent.message.message().as_string()

    @override_settings(
        USEAUTH_URL="https://auth.example", ALLOWED_HOSTS=["testserver", "localhost"]
    )
    def test_EM9_the_link_is_on_the_site_whatever_the_host_header(self):
        response = ask_email(self.client, "ada@example.com", HTTP_HOST="localhost")
        assert response.status_code == 200
        [message] = outbox()
        assert "https://auth.example/api/auth/callback/email?token=" in message.body
        assert "localhost" not in message.body
        # Control: a Host outside ALLOWED_HOSTS gets no e-mail at all.
        with (
            self.settings(USEAUTH_URL=None),
            self.assertLogs("django.security.DisallowedHost", "ERROR"),
        ):
            refused = ask_email(
                self.client, "ada@example.com", HTTP_HOST="evil.example"
            )
        assert refused.status_code == 400
        assert len(outbox()) == 1

    def test_EM10_guessing_codes_is_bounded(self):
        # New e-mails give new codes new tries, but every try counts in the account's limit (10).
        guesses = 0
        with frozen_time():
            for _ in range(3):
                sent = self.asked()
                for n in range(5):
                    guess = wrong_code(sent.code, n)
                    response = post_code(self.client, sent.email, guess)
                    if response.status_code == 429:
                        break
                    guesses += 1
            assert_json(
                post_code(self.client, sent.email, sent.code), 429, TOO_MANY_CODES
            )
            client = csrf_client()
            password = post_credentials(client, csrf_token(client), "ada", PASSWORD)
        assert guesses == 10
        assert_json(password, 429, THROTTLED)
        assert not User.objects.filter(last_login__isnull=False).exists()
        # Control: the link, which has 256 bits, still works.
        assert_json(click(self.client, sent), 200, HOME)

    @override_settings(USEAUTH_EMAIL_CREATE_USERS=True)
    def test_EM11_markup_in_the_address_is_escaped(self):
        # A quoted local part may hold markup, quotes and controls and still
        # pass Django's validator: refused (next-auth refuses '"' too).
        for address in (
            '"<script>alert(1)</script>"@example.com',
            '"e@attacker.example"@example.com',
            '"\x01"@example.com',
        ):
            with self.subTest(address=address):
                assert_json(ask_email(self.client, address), 200, EMAIL_SIGNIN)
        assert outbox() == []
        # Control: a plain address with characters HTML must escape ("'" and
        # "&" are dot-atom characters) is e-mailed, and escaped wherever shown.
        address = "o'brien&co@example.com"
        sent = self.asked(address)
        page = open_link(self.client, sent.link)
        check = self.client.get(VERIFY_REQUEST)
        for response in (page, check):
            assert b"o&#x27;brien&amp;co@example.com" in response.content
            assert b"o'brien&co" not in response.content
        # The e-mail holds it only percent-encoded, in its link.
        assert "o'brien&co" not in sent.html
        assert "o%27brien%26co%40example.com" in sent.html
        # The account is made with that address (and a username of its own).
        assert_json(click(self.client, sent), 200, HOME)
        assert User.objects.get(email=address).username != address
