"""``POST signin/email``: asking for a sign-in e-mail (the answer, who gets which e-mail, its parts, the limits, a mail server that is down)."""

from __future__ import annotations

import html
import secrets
from pathlib import Path
from typing import cast
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import TestCase
from django.test import override_settings

from django_useauth.internal import email_messages
from django_useauth.models import EmailToken
from tests.attacks.base import WINDOW
from tests.attacks.base import assert_json
from tests.attacks.base import frozen_time
from tests.email_utils import EMAIL_ON
from tests.email_utils import EMAIL_SIGNIN
from tests.email_utils import HOME
from tests.email_utils import SENT
from tests.email_utils import SIGN_IN_EMAIL
from tests.email_utils import TOO_MANY_EMAILS
from tests.email_utils import VERIFICATION
from tests.email_utils import WRONG_CODE
from tests.email_utils import ask_email
from tests.email_utils import ask_email_json
from tests.email_utils import click
from tests.email_utils import open_link
from tests.email_utils import outbox
from tests.email_utils import post_code
from tests.email_utils import post_token
from tests.email_utils import read_sent
from tests.email_utils import smtp_down
from tests.smtp import smtp_server
from tests.utils import BASE
from tests.utils import assert_never_cached
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user

#: A project's own templates for the sign-in e-mail (TEMPLATES' DIRS, before the app's).
OVERRIDE_DIR = Path(__file__).resolve().parent / "templates" / "email_override"


@override_settings(**EMAIL_ON)
class AnswerTests(TestCase):
    """NextAuth's answers: ``{url}`` in JSON mode, the same URL as a 302 without it."""

    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_sent_json(self):
        response = ask_email(self.client, "ada@example.com")
        assert_json(response, 200, SENT)
        assert_never_cached(response)
        assert len(outbox()) == 1
        assert EmailToken.objects.count() == 1

    def test_sent_html(self):
        response = ask_email(self.client, "ada@example.com", json_mode=False)
        assert response.status_code == 302
        assert response["Location"] == SENT["url"]
        assert len(outbox()) == 1

    def test_refused_html(self):
        response = ask_email(self.client, "not an address", json_mode=False)
        assert response.status_code == 302
        assert response["Location"] == EMAIL_SIGNIN["url"]
        follow = self.client.get(response["Location"])
        assert follow["Location"] == "/api/auth/signin?error=EmailSignin"

    def test_invalid_addresses(self):
        cases = {
            "empty": "",
            "blank": "   ",
            "no domain": "ada@",
            "no local part": "@example.com",
            "no at": "ada.example.com",
            "two ats": "ada@b@example.com",
            "too long": "a" * 250 + "@example.com",
            "NUL": "ada@example.com\x00",
            "NUL inside": "ada\x00@example.com",
            "newline inside": "ada@exa\nmple.com",
            # M3: what NFKC or IDNA would turn into another address.
            "full-width letter": "ada@ex\uff41mple.com",
            "full-width at": "a@evil.example\uff20example.com",
            "dotless i": "ad\u0131@example.com",
            "long s": "\u017fam@example.com",
            "no dot in the domain": "ada@localhost",
            "domain literal": "ada@[127.0.0.1]",
        }
        for name, email in cases.items():
            with self.subTest(name):
                assert_json(ask_email(self.client, email), 200, EMAIL_SIGNIN)
        for value in (None, 5, ["ada@example.com"], {"email": "ada@example.com"}):
            with self.subTest(value=value):
                assert_json(ask_email_json(self.client, value), 200, EMAIL_SIGNIN)
        missing = self.client.post(
            SIGN_IN_EMAIL, {"csrfToken": csrf_token(self.client), "json": "true"}
        )
        assert_json(missing, 200, EMAIL_SIGNIN)
        assert outbox() == []
        assert not EmailToken.objects.exists()

    def test_international_domain(self):
        assert_json(ask_email(self.client, "ada@b\u00fccher.example"), 200, SENT)

    def test_longest_address(self):
        # RFC 5321's 254 characters are accepted; 255 are not.
        local = "a" * 64
        domain = ".".join(["b" * 63, "c" * 63, "d" * 57, "com"])
        longest = f"{local}@{domain}"
        assert len(longest) == 254
        assert_json(ask_email(self.client, longest), 200, SENT)
        assert_json(ask_email(self.client, "a" + longest), 200, EMAIL_SIGNIN)


@override_settings(**EMAIL_ON)
class RecipientTests(TestCase):
    """Who gets an e-mail, and at which address."""

    def setUp(self):
        self.client = csrf_client()

    def test_stored_address_gets_it(self):
        # M3: the e-mail goes to the address the account stores, whatever was typed.
        # Stored as typed at sign-up (create_user() would lower-case the domain).
        make_user("alice")
        User.objects.update(email="Alice@Example.com")
        for typed in (
            "ALICE@example.com",
            "  alice@EXAMPLE.COM  ",
            "Alice@Example.com",
        ):
            with self.subTest(typed=typed):
                mail.outbox.clear()
                assert_json(ask_email(self.client, typed), 200, SENT)
                sent = read_sent()
                assert sent.message.to == ["Alice@Example.com"]
                assert sent.email == "alice@example.com"
        assert EmailToken.objects.get().email == "alice@example.com"
        assert post_token(self.client, sent.email, sent.token).json() == HOME

    def test_inactive_user(self):
        make_user(is_active=False)
        assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        assert outbox() == []
        assert not EmailToken.objects.exists()

    def test_address_shared_by_two_users(self):
        make_user("one", email="shared@example.com")
        make_user("two", email="SHARED@example.com")
        with self.assertLogs("django_useauth.email", "WARNING") as logs:
            response = ask_email(self.client, "shared@example.com")
        assert_json(response, 200, SENT)
        assert outbox() == []
        assert not EmailToken.objects.exists()
        [record] = logs.records
        assert "shared@example.com" not in record.getMessage()

    def test_unknown_address_answers_as_a_known_one(self):
        make_user()
        answers = set()
        for email in ("ada@example.com", "nobody@example.com"):
            client = csrf_client()
            response = ask_email(client, email)
            answers.add(
                (
                    response.status_code,
                    response.content,
                    tuple(sorted(response.cookies)),
                )
            )
        assert answers == {
            (200, b'{"url":"%s"}' % SENT["url"].encode(), ("sessionid",))
        }
        assert [m.to for m in outbox()] == [["ada@example.com"]]
        assert EmailToken.objects.get().email == "ada@example.com"
        assert not User.objects.filter(email="nobody@example.com").exists()

    @override_settings(
        USEAUTH_EMAIL_NOTIFY_UNKNOWN=True, USEAUTH_SITE_NAME="Example Site"
    )
    def test_notify_unknown(self):
        assert_json(ask_email(self.client, "Nobody@Example.com"), 200, SENT)
        [message] = outbox()
        assert isinstance(message, mail.EmailMultiAlternatives)
        assert message.to == ["nobody@example.com"]
        assert message.subject == "Signing in to Example Site"
        [(content, _)] = message.alternatives
        for part in (message.body, str(content)):
            assert "no account uses it" in part
            assert "http://testserver/api/auth/signin" in part
            assert "callback/email" not in part
            assert "token=" not in part
        assert not EmailToken.objects.exists()
        assert not User.objects.exists()

    @override_settings(USEAUTH_EMAIL_NOTIFY_UNKNOWN=True)
    def test_notify_unknown_leaves_known_addresses_alone(self):
        make_user()
        ask_email(self.client, "ada@example.com")
        assert "no account" not in read_sent().text

    @override_settings(USEAUTH_EMAIL_CREATE_USERS=True)
    def test_create_users_sends_a_link(self):
        assert_json(ask_email(self.client, "New@Example.com"), 200, SENT)
        sent = read_sent()
        assert sent.message.to == ["new@example.com"]
        assert sent.email == "new@example.com"
        row = EmailToken.objects.get()
        assert row.user is None
        # The account is created at the click, not now.
        assert not User.objects.exists()


@override_settings(**EMAIL_ON, USEAUTH_SITE_NAME="Example Site")
class MessageTests(TestCase):
    """The sign-in e-mail: a text part and an HTML part, each with the link and the code."""

    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_parts(self):
        ask_email(self.client, "ada@example.com", callback_url="/dashboard")
        sent = read_sent()
        assert sent.message.subject == "Sign in to Example Site"
        assert sent.message.from_email == settings.DEFAULT_FROM_EMAIL
        assert sent.link.startswith(
            "http://testserver/api/auth/callback/email?callbackUrl=%2Fdashboard&token="
        )
        assert sent.callback_url == "/dashboard"
        assert sent.code in sent.text
        assert "for 10 minutes" in sent.text
        assert html.escape(sent.link) in sent.html
        assert sent.code in sent.html
        assert "Sign in to Example Site" in sent.html

    @override_settings(USEAUTH_EMAIL_TOKEN_LIFETIME=60)
    def test_lifetime_in_the_text(self):
        ask_email(self.client, "ada@example.com")
        assert "for 1 minute." in read_sent().text

    @override_settings(USEAUTH_EMAIL_FROM="Sign-in <signin@example.com>")
    def test_from(self):
        ask_email(self.client, "ada@example.com")
        assert read_sent().message.from_email == "Sign-in <signin@example.com>"

    def test_project_templates(self):
        [engine] = settings.TEMPLATES
        dirs = cast("list[Path]", engine["DIRS"])
        templates = [{**engine, "DIRS": [OVERRIDE_DIR, *dirs]}]
        with override_settings(TEMPLATES=templates):
            ask_email(self.client, "ada@example.com")
        sent = read_sent()
        assert sent.message.subject == "Your Example Site link"
        assert sent.text.startswith("Hello from Example Site.\n")
        assert sent.html.startswith("<p>Hello from Example Site.</p>")
        assert html.escape(sent.link) in sent.html
        # The link and the code work as the built-in e-mail's do.
        assert post_code(self.client, sent.email, sent.code).json() == HOME


@override_settings(**EMAIL_ON)
class SupersedeTests(TestCase):
    def test_newer_email_kills_the_older(self):
        make_user()
        client = csrf_client()
        ask_email(client, "ada@example.com")
        first = read_sent()
        ask_email(client, "ada@example.com")
        second = read_sent()
        assert first.token != second.token
        assert EmailToken.objects.count() == 1
        assert open_link(client, first.link)["Location"] == VERIFICATION["url"]
        assert_json(post_token(client, first.email, first.token), 403, VERIFICATION)
        assert_json(post_code(client, first.email, first.code), 403, WRONG_CODE)
        assert_json(click(client, second), 200, HOME)


@override_settings(
    **EMAIL_ON,
    USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS=3,
    USEAUTH_THROTTLE_EMAIL_IP_SENDS=5,
)
class ThrottleTests(TestCase):
    """Sending is limited per address and per client, alike for addresses with and without an account."""

    def setUp(self):
        make_user()
        self.client = csrf_client()

    def _statuses(self, email, count, ip="10.0.0.1"):
        return [
            (response.status_code, response.json(), response.get("Retry-After"))
            for response in (ask_email(self.client, email, ip=ip) for _ in range(count))
        ]

    def test_per_address(self):
        with frozen_time():
            known = self._statuses("ada@example.com", 4, ip="10.0.0.1")
            unknown = self._statuses("nobody@example.com", 4, ip="10.0.0.2")
            # Another spelling of the address shares its count.
            spelled = self._statuses("ADA@Example.com ", 1, ip="10.0.0.3")
            other = self._statuses("other@example.com", 1, ip="10.0.0.3")
        refused = (429, TOO_MANY_EMAILS, str(WINDOW))
        assert known == [(200, SENT, None)] * 3 + [refused]
        assert unknown == known
        assert spelled == [refused]
        assert other == [(200, SENT, None)]
        assert len(outbox()) == 3

    def test_per_client(self):
        with frozen_time():
            answers = [
                ask_email(
                    self.client, f"user{n}@example.com", ip="10.0.0.9"
                ).status_code
                for n in range(6)
            ]
            elsewhere = ask_email(self.client, "user9@example.com", ip="10.0.0.8")
        assert answers == [200] * 5 + [429]
        assert_json(elsewhere, 200, SENT)

    def test_html_mode(self):
        with frozen_time():
            for _ in range(3):
                ask_email(self.client, "ada@example.com")
            response = ask_email(self.client, "ada@example.com", json_mode=False)
        assert response.status_code == 302
        assert response["Location"] == TOO_MANY_EMAILS["url"]
        assert response["Retry-After"] == str(WINDOW)
        follow = self.client.get(response["Location"])
        assert follow["Location"] == "/api/auth/signin?error=TooManyEmails"

    @override_settings(USEAUTH_THROTTLE_ENABLED=False)
    def test_off(self):
        assert [s for s, _, _ in self._statuses("ada@example.com", 6)] == [200] * 6


@override_settings(**EMAIL_ON, USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS=1)
class MailServerDownTests(TestCase):
    """Django's SMTP backend, aimed at a loopback port where nothing listens."""

    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_known_and_unknown_alike(self):
        for settings_ in ({}, {"USEAUTH_EMAIL_NOTIFY_UNKNOWN": True}):
            for email in ("ada@example.com", "nobody@example.com"):
                with (
                    self.subTest(email=email, **settings_),
                    override_settings(**settings_),
                    smtp_down(),
                    self.assertLogs("django_useauth.email", "ERROR"),
                ):
                    assert_json(ask_email(self.client, email), 200, EMAIL_SIGNIN)
        assert not EmailToken.objects.exists()

    def test_nothing_left_behind(self):
        with smtp_down(), self.assertLogs("django_useauth.email", "ERROR"):
            assert_json(ask_email(self.client, "ada@example.com"), 200, EMAIL_SIGNIN)
        assert not EmailToken.objects.exists()
        # The failed attempt gave its places back: the one e-mail allowed is still there.
        assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        assert_json(click(self.client, read_sent()), 200, HOME)

    @override_settings(USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS=5)
    def test_older_link_still_works(self):
        ask_email(self.client, "ada@example.com")
        sent = read_sent()
        with smtp_down(), self.assertLogs("django_useauth.email", "ERROR"):
            assert_json(ask_email(self.client, "ada@example.com"), 200, EMAIL_SIGNIN)
        assert EmailToken.objects.count() == 1
        assert_json(click(self.client, sent), 200, HOME)

    def test_unexpected_error(self):
        # Not the mail server: a bug. It propagates, and leaves nothing behind either.
        with (
            mock.patch.object(
                email_messages, "sign_in_message", side_effect=RuntimeError("bug")
            ),
            self.assertRaisesMessage(RuntimeError, "bug"),
        ):
            ask_email(self.client, "ada@example.com")
        assert not EmailToken.objects.exists()
        assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)

    def test_logged_without_the_address(self):
        with smtp_down(), self.assertLogs("django_useauth.email", "ERROR") as logs:
            ask_email(self.client, "ada@example.com")
        [record] = logs.records
        assert record.getMessage() == (
            "The mail server could not be reached (ConnectionRefusedError)."
        )


@override_settings(**EMAIL_ON)
class RecipientRefusedTests(TestCase):
    """A real SMTP server that is up but refuses the account's mailbox at RCPT TO."""

    def setUp(self):
        make_user()
        self.client = csrf_client()
        self.server = self.enterContext(smtp_server())

    def test_answered_as_an_address_without_account(self):
        # Only a known address's e-mail reaches RCPT TO: answering its refusal
        # with EmailSignin would tell which addresses have accounts (Django
        # CVE-2024-45231). It is logged; the answer is everyone's.
        self.server.refuse("ada@example.com")
        canary = "CANARY-token-8c1f2a"
        with (
            mock.patch.object(secrets, "token_urlsafe", return_value=canary),
            self.assertLogs("django_useauth.email", "ERROR") as logs,
        ):
            known = ask_email(self.client, "ada@example.com")
        unknown = ask_email(self.client, "nobody@example.com")
        assert_json(known, 200, SENT)
        assert_json(unknown, 200, SENT)
        [record] = logs.records
        assert record.getMessage() == (
            "A sign-in e-mail could not be sent (SMTPRecipientsRefused)."
        )
        assert canary not in logs.output[0]
        assert "ada@example.com" not in logs.output[0]
        # Nothing half-made, and nothing delivered.
        assert not EmailToken.objects.exists()
        assert self.server.messages == []

    @override_settings(USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS=2)
    def test_an_older_link_still_works_and_the_try_counts(self):
        assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        first = self.server.wait_for("ada@example.com")
        self.server.refuse("ada@example.com")
        with self.assertLogs("django_useauth.email", "ERROR"):
            assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        # The refused e-mail kept its place in the count, as any e-mail asked for.
        assert_json(ask_email(self.client, "ada@example.com"), 429, TOO_MANY_EMAILS)
        assert EmailToken.objects.count() == 1
        assert_json(click(self.client, first.link), 200, HOME)


class OffTests(TestCase):
    def test_provider_off(self):
        client = csrf_client()
        response = ask_email(client, "ada@example.com")
        assert_json(response, 404, {"url": f"{BASE}/error?error=InvalidProvider"})
        assert outbox() == []
