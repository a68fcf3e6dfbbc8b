"""Which addresses e-mail sign-in sends to, and under which spelling (docs/email.md, "Which addresses are accepted")."""

from __future__ import annotations

import logging
from email.header import decode_header

from django.contrib.auth.models import User
from django.test import TestCase
from django.test import override_settings

from django_useauth.internal import email_sign_in
from django_useauth.internal.email_sign_in import normalize_address
from django_useauth.models import EmailToken
from tests.attacks.base import assert_json
from tests.email_utils import EMAIL_ON
from tests.email_utils import HOME
from tests.email_utils import SENT
from tests.email_utils import TOO_MANY_EMAILS
from tests.email_utils import ask_email
from tests.email_utils import click
from tests.email_utils import outbox
from tests.email_utils import post_code
from tests.email_utils import read_sent
from tests.utils import csrf_client
from tests.utils import make_user


class NormalizeTests(TestCase):
    def test_canonical_form(self):
        # Trimmed, lower-cased, the domain in Unicode however it was typed.
        assert normalize_address(" Ada@Example.COM ") == "ada@example.com"
        assert normalize_address("ada@xn--bcher-kva.example") == "ada@bücher.example"
        assert normalize_address("ada@bücher.example") == "ada@bücher.example"
        assert normalize_address("o'brien&co@example.com") == "o'brien&co@example.com"

    def test_what_idna_would_change_is_refused(self):
        # Django's mail code writes the IDNA (2003) form into the envelope:
        # these would be delivered to another domain than the one typed.
        for address in (
            "ada@straße.example",  # "strasse.example"
            "ada@ex\u200bample.com",  # zero-width space: "example.com"
            "ada@ex\u00adample.com",  # soft hyphen: "example.com"
            "ada@ex\u200dample.com",  # zero-width joiner
            "ada@\u03c3\u03bf\u03c6\u03b9\u03b1\u03c2.example",  # final sigma
        ):
            with self.subTest(address=address):
                assert normalize_address(address) is None

    def test_quoted_and_control_local_parts_are_refused(self):
        for address in (
            '"ada"@example.com',
            '"e@attacker.example"@example.com',
            '"\x01"@example.com',
            "ada\x7f@example.com",
            ".ada@example.com",
            "ada..lovelace@example.com",
        ):
            with self.subTest(address=address):
                assert normalize_address(address) is None


@override_settings(**EMAIL_ON)
class SpellingTests(TestCase):
    def setUp(self):
        self.client = csrf_client()

    @override_settings(USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS=2)
    def test_two_spellings_of_one_domain_are_one_address(self):
        # One count, one row at a time, one account.
        make_user("ada", email="ada@bücher.example")
        assert_json(ask_email(self.client, "ada@xn--bcher-kva.example"), 200, SENT)
        assert_json(ask_email(self.client, "Ada@Bücher.example"), 200, SENT)
        assert_json(
            ask_email(self.client, "ada@xn--bcher-kva.example"), 429, TOO_MANY_EMAILS
        )
        assert [m.to for m in outbox()] == [["ada@bücher.example"]] * 2
        assert list(EmailToken.objects.values_list("email", flat=True)) == [
            "ada@bücher.example"
        ]

    def test_sent_where_it_was_typed(self):
        make_user("ada", email="ada@bücher.example")
        assert_json(ask_email(self.client, "ada@bücher.example"), 200, SENT)
        # The envelope holds the IDNA form of the very domain typed.
        [message] = outbox()
        assert message.recipients() == ["ada@bücher.example"]
        assert "ada@xn--bcher-kva.example" in message.message().as_string()

    def test_a_stored_address_that_cannot_be_typed_gets_nothing(self):
        # MySQL's collations can match a typed "bob@example.com" to a stored
        # "bob@exa\uff4dple.com" (full-width m); SQLite's and PostgreSQL's
        # lookups do not, so the decision on the accounts found is called
        # directly here. The account holds the address (nobody gets a new
        # one for it), but its stored address is not written into an
        # envelope.
        user = make_user("bob", email="bob@exa\uff4dple.com")
        with self.assertLogs("django_useauth.email", logging.WARNING) as logs:
            found = email_sign_in._decide([user.pk], "bob@example.com")
        assert (found.user, found.taken) == (None, True)
        assert "cannot be sent to as it is" in logs.output[0]
        assert "bob@" not in logs.output[0]
        # Control: the account's own, plain address.
        User.objects.filter(pk=user.pk).update(email="Bob@Example.com")
        found = email_sign_in._decide([user.pk], "bob@example.com")
        assert (found.user, found.taken) == (user, True)

    @override_settings(USEAUTH_EMAIL_CREATE_USERS=True)
    def test_a_stored_ascii_domain_is_the_same_account(self):
        # Stored with its domain in IDNA form (an import, a sign-up form that
        # encodes it): typed in Unicode, it is found, and no second account
        # is made for the same mailbox.
        user = make_user("ada", email="ada@xn--bcher-kva.example")
        assert_json(ask_email(self.client, "ada@bücher.example"), 200, SENT)
        assert [m.to for m in outbox()] == [["ada@xn--bcher-kva.example"]]
        assert EmailToken.objects.get().user == user
        assert_json(click(self.client, read_sent()), 200, HOME)
        assert User.objects.count() == 1

    def test_which_stored_addresses_hold_an_address(self):
        # The rule applied to every account the database's lookup finds.
        holds = email_sign_in._holds
        assert holds("Ada@Example.com", "ada@example.com")
        assert holds("ada@xn--bcher-kva.example", "ada@bücher.example")
        # Equal as Django's password reset compares them, though not a
        # canonical address itself: it holds the address (no second
        # account), and gets no e-mail (above).
        assert holds("bob@exa\uff4dple.com", "bob@example.com")
        assert holds("BOB@XN--BCHER-KVA.EXAMPLE", "bob@bücher.example")
        assert not holds("bob@example.org", "bob@example.com")
        assert not holds("b\u0131b@example.com", "bib@example.com")  # dotless i
        assert not holds(None, "bob@example.com")

    def test_a_canonical_form_django_refuses_is_refused(self):
        # "xn--e28h" is an emoji, which Django's validator (BMP only) would
        # refuse in the canonical form: one address must have one form.
        assert normalize_address("a@xn--e28h.example") is None


@override_settings(**EMAIL_ON, USEAUTH_EMAIL_CREATE_USERS=True)
class CollationTests(TestCase):
    """MySQL's and MariaDB's default collations call "bucher" and "bücher" equal; the rows of one never serve the other (CI runs this on MariaDB)."""

    def test_addresses_equal_only_in_a_collation(self):
        client = csrf_client()
        assert_json(ask_email(client, "ada@bucher.example"), 200, SENT)
        plain = read_sent()
        assert_json(ask_email(client, "ada@bücher.example"), 200, SENT)
        accented = read_sent()
        # Neither superseded the other.
        assert EmailToken.objects.count() == 2
        # Wrong codes for one count on its own row only.
        for _ in range(3):
            assert (
                post_code(client, "ada@bücher.example", "AAAA-AAAA").status_code == 403
            )
        tries = dict(EmailToken.objects.values_list("email", "code_attempts"))
        assert tries == {"ada@bucher.example": 0, "ada@bücher.example": 3}
        # One address's code does not sign in the other.
        assert post_code(client, "ada@bucher.example", accented.code).status_code == 403
        assert_json(post_code(client, "ada@bucher.example", plain.code), 200, HOME)


@override_settings(**EMAIL_ON, USEAUTH_SITE_NAME="Bob's & Co <Mail>")
class SubjectTests(TestCase):
    def test_the_subject_is_not_html_escaped(self):
        make_user("ada")
        assert_json(ask_email(csrf_client(), "ada@example.com"), 200, SENT)
        sent = read_sent()
        assert sent.message.subject == "Sign in to Bob's & Co <Mail>"
        [(subject, _)] = decode_header(sent.message.message()["Subject"])
        assert "&amp;" not in str(subject)
        # The HTML part escapes it, as HTML must.
        assert "Bob&#x27;s &amp; Co &lt;Mail&gt;" in sent.html
