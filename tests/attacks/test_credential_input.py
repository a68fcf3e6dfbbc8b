"""ATTACKS M1–M5: hostile usernames and passwords."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.db import DatabaseError
from django.test import Client
from django.test import override_settings
from django.views.debug import ExceptionReporter
from django.views.decorators.debug import sensitive_variables

from tests.attacks.base import CREDENTIALS
from tests.attacks.base import FAILED
from tests.attacks.base import HOME
from tests.attacks.base import THROTTLED
from tests.attacks.base import TokenAttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import post_credentials
from tests.attacks.base import post_json
from tests.attacks.base import session_json
from tests.attacks.base import session_key
from tests.utils import BASE
from tests.utils import PASSWORD
from tests.utils import csrf_token
from tests.utils import make_user

CANARY = "CANARY-8c1f2e9d4b7a"


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def all_logs() -> Iterator[list[str]]:
    """Every record of every logger at DEBUG, formatted with any traceback; filled on exit."""
    recorder = _Recorder()
    loggers = [
        logging.getLogger(),
        *(
            logger
            for logger in logging.Logger.manager.loggerDict.values()
            if isinstance(logger, logging.Logger)
        ),
    ]
    saved = [
        (logger, logger.level, logger.propagate, logger.disabled) for logger in loggers
    ]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        # Each record reaches the recorder once, at the first logger it meets.
        logger.propagate = False
        logger.disabled = False
        logger.addHandler(recorder)
    lines: list[str] = []
    try:
        yield lines
    finally:
        for logger, level, propagate, disabled in saved:
            logger.removeHandler(recorder)
            logger.setLevel(level)
            logger.propagate = propagate
            logger.disabled = disabled
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines.extend(formatter.format(record) for record in recorder.records)


class ExplodingBackend(ModelBackend):
    """An authentication backend whose user database is down (M5)."""

    @sensitive_variables("password")
    def authenticate(self, request, username=None, password=None, **kwargs):
        raise DatabaseError("the user database is down")


class CredentialInputTests(TokenAttackTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_user("admin", email="admin@example.com")

    def test_M1_sql_looking_usernames(self):
        usernames = [
            "' OR '1'='1",
            "admin'--",
            'admin" OR 1=1 --',
            "%",
            "_",
            "*",
            "admin%",
            "ad_in",
            "%@example.com",
            "_dmin@example.com",
            "' OR 1=1; DROP TABLE auth_user; --",
        ]
        for backends in (
            ["django.contrib.auth.backends.ModelBackend"],
            ["django_useauth.backends.UsernameOrEmailBackend"],
        ):
            with self.settings(AUTHENTICATION_BACKENDS=backends):
                for username in usernames:
                    with self.subTest(backends=backends, username=username):
                        response = post_credentials(
                            self.client, self.token, username, PASSWORD
                        )
                        assert_json(response, 401, FAILED)
        assert session_json(self.client) == {}
        assert User.objects.count() == 2

    def test_M2_nul_and_control_characters(self):
        values = [
            "ada\x00",
            "ada\r\nX: y",
            "\u202eada",
            "ada\x00\r\nX: y",
            "\x00",
            "ada\x1b[31m",
        ]
        with all_logs() as lines:
            for value in values:
                with self.subTest(value=value):
                    assert_json(
                        post_credentials(self.client, self.token, value, PASSWORD),
                        401,
                        FAILED,
                    )
                    redirect = post_credentials(
                        self.client, self.token, value, PASSWORD, json_mode=False
                    )
                    assert redirect.status_code == 302
                    assert redirect["Location"] == FAILED["url"]
                    as_json = post_json(
                        self.client,
                        CREDENTIALS,
                        {
                            "csrfToken": self.token,
                            "json": True,
                            "username": value,
                            "password": PASSWORD,
                        },
                    )
                    assert_json(as_json, 401, FAILED)
                    # As a password, too.
                    assert_json(
                        post_credentials(
                            self.client, self.token, "ada", PASSWORD + value
                        ),
                        401,
                        FAILED,
                    )
        assert session_json(self.client) == {}
        assert (
            "django.request WARNING Unauthorized: /api/auth/callback/credentials"
            in lines
        )
        for line in lines:
            for raw in ("\r", "\x00", "\u202e", "\x1b", "X: y"):
                assert raw not in line, (line, raw)

    def test_M3_unicode_equivalence(self):
        make_user("alice", first_name="Alice", last_name="", email="alice@example.com")
        for username in (
            "ALICE",
            "alice\u200b",
            "\u0430lice",
            "al\u0130ce",
            "ali\u0307ce",
            "alice\u0301",
        ):
            with self.subTest(username=username):
                assert_json(
                    post_credentials(self.client, self.token, username, PASSWORD),
                    401,
                    FAILED,
                )
        assert session_json(self.client) == {}
        # NFKC, as Django's login form (UsernameField) and registration do.
        assert_json(
            post_credentials(self.client, self.token, "ａｌｉｃｅ", PASSWORD), 200, HOME
        )
        assert session_json(self.client)["user"] == {
            "name": "Alice",
            "email": "alice@example.com",
            "image": None,
        }

    def test_M4_whitespace_is_not_trimmed(self):
        for username, password in (
            (" ada", PASSWORD),
            ("ada ", PASSWORD),
            ("ada\t", PASSWORD),
            ("ada\u00a0", PASSWORD),
            ("ada", f" {PASSWORD}"),
            ("ada", f"{PASSWORD} "),
            ("ada", PASSWORD.upper()),
        ):
            with self.subTest(username=username, password=password):
                assert_json(
                    post_credentials(self.client, self.token, username, password),
                    401,
                    FAILED,
                )
        spaced = make_user("spaced")
        spaced.set_password("  padded Secret  ")
        spaced.save()
        for password in ("padded Secret", "  padded secret  ", "padded Secret  "):
            with self.subTest(password=password):
                assert_json(
                    post_credentials(self.client, self.token, "spaced", password),
                    401,
                    FAILED,
                )
        assert session_json(self.client) == {}
        assert_json(
            post_credentials(self.client, self.token, "spaced", "  padded Secret  "),
            200,
            HOME,
        )

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=3)
    def test_M5_secrets_not_logged(self):
        canary_user = make_user("canary")
        canary_user.set_password(CANARY)
        canary_user.save()
        keys = []
        with all_logs() as lines:
            assert_json(
                post_credentials(self.client, self.token, "ada", CANARY), 401, FAILED
            )
            assert_json(
                post_credentials(self.client, self.token, "nobody", CANARY), 401, FAILED
            )
            assert_json(
                post_credentials(self.client, self.token, "canary\x00", CANARY),
                401,
                FAILED,
            )
            with self.settings(
                USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.broken_sign_in"
            ):
                refused = post_credentials(self.client, self.token, "canary", CANARY)
            assert_json(refused, 403, {"url": f"{BASE}/error?error=AccessDenied"})
            assert_json(
                post_credentials(self.client, self.token, "canary", CANARY), 200, HOME
            )
            keys.append(session_key(self.client))
            assert session_json(self.client)["user"]["email"] == "canary@example.com"
            for _ in range(4):
                post_credentials(self.client, csrf_token(self.client), "ada", CANARY)
            assert_json(
                post_credentials(self.client, csrf_token(self.client), "ada", CANARY),
                429,
                THROTTLED,
            )
        assert any("USEAUTH_SIGN_IN_CALLBACK raised" in line for line in lines)
        assert any("Traceback" in line for line in lines)
        for line in lines:
            assert CANARY not in line
            for key in keys:
                assert key not in line

    @override_settings(
        AUTHENTICATION_BACKENDS=["tests.attacks.test_credential_input.ExplodingBackend"]
    )
    def test_M5_error_reports_hide_the_password(self):
        # The report Django's logging mails to ADMINS (or an error tracker
        # collects) when the user database is down during a sign-in.
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        token = csrf_token(client)
        with self.assertLogs("django.request", logging.ERROR) as logs:
            response = post_credentials(client, token, "ada", CANARY, json_mode=False)
        assert response.status_code == 500
        [record] = logs.records
        assert record.exc_info is not None
        exc_type, exc_value, traceback = record.exc_info
        request = record.request  # type: ignore[attr-defined]
        reporter = ExceptionReporter(
            request, exc_type, exc_value, traceback, is_email=True
        )
        text = reporter.get_traceback_text()
        html = reporter.get_traceback_html()
        assert "the user database is down" in text
        assert "password" in text
        assert {"text report": CANARY in text, "HTML report": CANARY in html} == {
            "text report": False,
            "HTML report": False,
        }
