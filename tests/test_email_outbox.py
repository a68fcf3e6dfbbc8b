"""The mail backend under e-mail sign-in: a refused log-in, a backend that sends nothing, files, and a database that refuses a row."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from unittest import mock

from django.core.mail.backends import locmem
from django.core.mail.backends import smtp
from django.db import DatabaseError
from django.test import TestCase
from django.test import override_settings

from django_useauth import email as email_hook
from django_useauth.internal import email_tokens
from django_useauth.models import EmailToken
from tests.attacks.base import assert_json
from tests.email_utils import EMAIL_ON
from tests.email_utils import EMAIL_SIGNIN
from tests.email_utils import HOME
from tests.email_utils import SENT
from tests.email_utils import ask_email
from tests.email_utils import click
from tests.email_utils import mail_backend
from tests.email_utils import outbox
from tests.email_utils import read_sent
from tests.models import Member
from tests.smtp import smtp_server
from tests.utils import csrf_client
from tests.utils import make_user


@override_settings(**EMAIL_ON)
class MailBackendTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_a_refused_log_in_is_a_server_that_cannot_be_reached(self):
        # A real server that asks for AUTH and refuses it: EmailSignin, and
        # the half-open connection Django's open() leaves is closed.
        close = smtp.EmailBackend.close
        closed: list[bool] = []

        def spy(backend: smtp.EmailBackend) -> None:
            # Django keeps a connection whose log-in failed as its private
            # _partial_connection until close() quits it.
            closed.append(getattr(backend, "_partial_connection", None) is not None)
            close(backend)

        with (
            smtp_server(refuse_log_in=True) as server,
            mock.patch.object(smtp.EmailBackend, "close", spy),
            self.assertLogs("django_useauth.email", logging.ERROR) as logs,
        ):
            assert_json(ask_email(self.client, "ada@example.com"), 200, EMAIL_SIGNIN)
        assert closed == [True]
        assert logs.output == [
            "ERROR:django_useauth.email:The mail server could not be reached "
            "(SMTPAuthenticationError 535)."
        ]
        assert server.messages == []
        assert not EmailToken.objects.exists()

    def test_a_backend_that_cannot_be_set_up(self):
        # A misconfigured backend: every address's request finds out alike.
        with (
            mail_backend("tests.no_such_module.EmailBackend"),
            self.assertLogs("django_useauth.email", logging.ERROR) as logs,
        ):
            for address in ("ada@example.com", "nobody@example.com"):
                assert_json(ask_email(self.client, address), 200, EMAIL_SIGNIN)
        assert logs.output[0].startswith(
            "ERROR:django_useauth.email:The mail backend could not be set up ("
        )
        assert not EmailToken.objects.exists()

    def test_a_backend_that_sends_nothing_is_logged(self):
        # fail_silently in a mailer's options: send_messages() answers 0.
        with (
            mock.patch.object(locmem.EmailBackend, "send_messages", return_value=0),
            self.assertLogs("django_useauth.email", logging.ERROR) as logs,
        ):
            assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        assert "the backend sent none" in logs.output[0]
        assert not EmailToken.objects.exists()

    def test_the_file_backend_writes_only_what_is_sent(self):
        # Its open() creates a file: a request that sends nothing must not.
        directory = Path(self.enterContext(tempfile.TemporaryDirectory()))
        backend = "django.core.mail.backends.filebased.EmailBackend"
        with mail_backend(backend, file_path=str(directory)):
            assert_json(ask_email(self.client, "nobody@example.com"), 200, SENT)
            assert list(directory.iterdir()) == []
            assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        [written] = directory.iterdir()
        assert "Subject: Sign in to testserver" in written.read_text()


@override_settings(**EMAIL_ON)
class DatabaseRefusalTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_a_row_the_database_refuses(self):
        # Only an address with an account gets a row: a refusal must answer
        # as any other address, send nothing and leave the request usable.
        with (
            mock.patch.object(EmailToken.objects, "create", side_effect=DatabaseError),
            self.assertLogs("django_useauth.email", logging.ERROR) as logs,
        ):
            assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        assert "could not be stored" in logs.output[0]
        assert outbox() == []
        # The next request works.
        assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        assert_json(click(self.client, read_sent()), 200, HOME)

    def test_older_rows_the_database_will_not_delete(self):
        assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        with (
            mock.patch.object(email_tokens, "supersede", side_effect=DatabaseError),
            self.assertLogs("django_useauth.email", logging.ERROR) as logs,
        ):
            assert_json(ask_email(self.client, "ada@example.com"), 200, SENT)
        assert "could not be deleted" in logs.output[0]
        # The new e-mail went out and works.
        assert EmailToken.objects.count() == 2
        assert_json(click(self.client, read_sent()), 200, HOME)


class DefaultHookUsernameTests(TestCase):
    def test_the_fallback_fits_the_field(self):
        # Member's username field (handle) holds 50 characters.
        address = "a" * 60 + "@example.com"
        username = email_hook._username(Member, address)
        assert len(username) == 50
        assert username.startswith("a" * 41 + "-")
