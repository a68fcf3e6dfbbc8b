"""Checks ``check_email`` (E080–E092) and ``check_email_deploy`` (W080–W083): the email provider."""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock
from unittest import skipIf

from django.contrib.auth.base_user import AbstractBaseUser
from django.core import mail
from django.core.checks import Error
from django.core.checks import Warning
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.db.models import CheckConstraint
from django.db.models import Q
from django.db.models import UniqueConstraint
from django.db.models.functions import Lower
from django.test import SimpleTestCase
from django.test.utils import isolate_apps

from django_useauth import checks
from django_useauth.checks import check_email
from django_useauth.conf import Settings
from django_useauth.internal.checks.email import check_email_deploy

ON = {"USEAUTH_EMAIL_ENABLED": True}
MODULE = "django_useauth.internal.checks.email"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
#: Django 6.1 names the backend in MAILERS, and refuses EMAIL_BACKEND beside it.
MAILERS = hasattr(mail, "mailers")

#: A production set-up of the provider that no deploy check objects to.
PRODUCTION = {
    **ON,
    "USEAUTH_EMAIL_FROM": "Example <noreply@example.com>",
    "USEAUTH_THROTTLE_ENABLED": True,
}

VALID = {
    **ON,
    "USEAUTH_EMAIL_NAME": "Magic link",
    "USEAUTH_EMAIL_FROM": "Example <noreply@example.com>",
    "USEAUTH_EMAIL_TOKEN_LIFETIME": timedelta(minutes=15),
    "USEAUTH_EMAIL_CODE_ATTEMPTS": 3,
    "USEAUTH_EMAIL_CREATE_USERS": True,
    "USEAUTH_EMAIL_CREATE_USER_CALLBACK": "tests.test_checks_email.create_user",
    "USEAUTH_EMAIL_NOTIFY_UNKNOWN": True,
    "USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS": 3,
    "USEAUTH_THROTTLE_EMAIL_IP_SENDS": 100,
    "USEAUTH_PAGES_VERIFY_REQUEST": "verify",
}

NOT_BOOLS = [1, 0, "True", None]


def create_user(*, request, email, **kwargs):  # pragma: no cover - only imported
    return None


#: A module attribute that is not a function.
NOT_CALLABLE = "create_user"


class MyConsoleBackend(ConsoleBackend):
    pass


def ids():
    return [str(message.id) for message in check_email()]


def deploy_ids():
    return [str(message.id) for message in check_email_deploy()]


def mailer(path):
    """The settings that make `path` the backend sign-in e-mails go through, and the setting's name."""
    if MAILERS:  # pragma: no cover - Django 6.1 and later
        return {"MAILERS": {"default": {"BACKEND": path}}}, (
            "MAILERS['default']['BACKEND']"
        )
    return {"EMAIL_BACKEND": path}, "EMAIL_BACKEND"  # pragma: no cover - before 6.1


class EmailSettingsChecksTests(SimpleTestCase):
    # call_command("check") also runs Django's model checks.
    databases = {"default"}

    def test_defaults_pass(self):
        assert check_email() == []
        assert check_email_deploy() == []
        with self.settings(**ON):
            assert check_email() == []

    def test_valid_configuration_passes(self):
        with self.settings(**VALID):
            assert check_email() == []

    def test_e080(self):
        for value in NOT_BOOLS:
            with self.subTest(value=value), self.settings(USEAUTH_EMAIL_ENABLED=value):
                assert ids() == ["useauth.E080"]
        with self.settings(USEAUTH_EMAIL_ENABLED="yes"):
            assert check_email() == [
                Error(
                    "USEAUTH_EMAIL_ENABLED should be True or False; got 'yes'.",
                    hint="Set USEAUTH_EMAIL_ENABLED = True to offer sign-in by "
                    "e-mail, or False.",
                    id="useauth.E080",
                )
            ]
            # Not a switch that is on: nothing else is checked for it.
            assert check_email_deploy() == []

    def test_e082(self):
        for value in ("", "  ", None, 3, b"Email"):
            with self.subTest(value=value), self.settings(USEAUTH_EMAIL_NAME=value):
                assert ids() == ["useauth.E082"]
        with self.settings(USEAUTH_EMAIL_NAME=""):
            assert check_email()[0] == Error(
                "USEAUTH_EMAIL_NAME should be a non-empty string; got ''.",
                hint="Set USEAUTH_EMAIL_NAME = 'Email' or another label.",
                id="useauth.E082",
            )

    def test_e083(self):
        for value in ("", " ", 3, b"a@example.com", ["a@example.com"]):
            with self.subTest(value=value), self.settings(USEAUTH_EMAIL_FROM=value):
                assert ids() == ["useauth.E083"]
        with self.settings(USEAUTH_EMAIL_FROM=""):
            assert check_email()[0] == Error(
                "USEAUTH_EMAIL_FROM should be None (DEFAULT_FROM_EMAIL) or a "
                "non-empty sender address; got ''.",
                hint="Set USEAUTH_EMAIL_FROM = 'Example <noreply@example.com>', or "
                "None to send from DEFAULT_FROM_EMAIL.",
                id="useauth.E083",
            )
        for sender in (None, "noreply@example.com", "Example <noreply@example.com>"):
            with self.subTest(sender=sender), self.settings(USEAUTH_EMAIL_FROM=sender):
                assert ids() == []

    def test_e084(self):
        for value in (
            0,
            -1,
            "600",
            True,
            None,
            float("inf"),
            float("nan"),
            10**20,
            timedelta(0),
            timedelta(seconds=-1),
        ):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_EMAIL_TOKEN_LIFETIME=value),
            ):
                assert ids() == ["useauth.E084"]
        with self.settings(USEAUTH_EMAIL_TOKEN_LIFETIME=0):
            assert check_email() == [
                Error(
                    "USEAUTH_EMAIL_TOKEN_LIFETIME should be a positive timedelta or "
                    "number of seconds, at most 24 hours; got 0.",
                    hint="Set USEAUTH_EMAIL_TOKEN_LIFETIME = timedelta(minutes=10) "
                    "(the default), or up to timedelta(hours=24).",
                    id="useauth.E084",
                )
            ]
        for value in (1, 1.5, 600, timedelta(minutes=10), 86400, timedelta(hours=24)):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_EMAIL_TOKEN_LIFETIME=value),
            ):
                assert ids() == []

    def test_e084_longer_than_a_day(self):
        for value in (86401, timedelta(days=7), timedelta(hours=24, microseconds=1)):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_EMAIL_TOKEN_LIFETIME=value),
            ):
                assert ids() == ["useauth.E084"]
        with self.settings(USEAUTH_EMAIL_TOKEN_LIFETIME=timedelta(days=2)):
            assert check_email() == [
                Error(
                    "USEAUTH_EMAIL_TOKEN_LIFETIME should be at most 24 hours; 2 days, "
                    "0:00:00 keeps each sign-in link and code working that long in a "
                    "mailbox that is synced, forwarded and archived, where whoever "
                    "reads it signs in.",
                    hint="Set USEAUTH_EMAIL_TOKEN_LIFETIME = timedelta(minutes=10) "
                    "(the default), or up to timedelta(hours=24).",
                    id="useauth.E084",
                )
            ]

    def test_e085(self):
        for value in (0, -1, 21, 1000, "5", True, 5.0, None):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_EMAIL_CODE_ATTEMPTS=value),
            ):
                assert ids() == ["useauth.E085"]
        with self.settings(USEAUTH_EMAIL_CODE_ATTEMPTS=21):
            assert check_email() == [
                Error(
                    "USEAUTH_EMAIL_CODE_ATTEMPTS should be a whole number from 1 to "
                    "20; got 21.",
                    hint="Set USEAUTH_EMAIL_CODE_ATTEMPTS = 5 (the default): a code "
                    "stops working after that many wrong tries.",
                    id="useauth.E085",
                )
            ]
        for value in (1, 5, 20):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_EMAIL_CODE_ATTEMPTS=value),
            ):
                assert ids() == []

    def test_e086(self):
        for value in NOT_BOOLS:
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_EMAIL_CREATE_USERS=value),
            ):
                assert ids() == ["useauth.E086"]
        with self.settings(USEAUTH_EMAIL_CREATE_USERS="no"):
            assert check_email()[0] == Error(
                "USEAUTH_EMAIL_CREATE_USERS should be True or False; got 'no'.",
                hint="Set USEAUTH_EMAIL_CREATE_USERS = True to create an account for "
                "an address that has none when its link is followed, or False.",
                id="useauth.E086",
            )

    def test_e087(self):
        hint = (
            "Set USEAUTH_EMAIL_CREATE_USER_CALLBACK = "
            "'django_useauth.email.create_user' (the default) or the path of your "
            "own function taking (*, request, email, **kwargs)."
        )
        with self.settings(USEAUTH_EMAIL_CREATE_USER_CALLBACK="no.such.create_user"):
            assert check_email() == [
                Error(
                    "USEAUTH_EMAIL_CREATE_USER_CALLBACK should be the dotted path of a "
                    "function; 'no.such.create_user' does not import "
                    "(ModuleNotFoundError: No module named 'no'), so no account can "
                    "be created for a new address (EmailCreateAccount).",
                    hint=hint,
                    id="useauth.E087",
                )
            ]
        path = "tests.test_checks_email.NOT_CALLABLE"
        with self.settings(USEAUTH_EMAIL_CREATE_USER_CALLBACK=path):
            [error] = check_email()
            assert error.id == "useauth.E087"
            assert f"; {path!r} is not callable, so" in error.msg
        for value in (None, 3, ["a.b"]):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_EMAIL_CREATE_USER_CALLBACK=value),
            ):
                assert check_email() == [
                    Error(
                        "USEAUTH_EMAIL_CREATE_USER_CALLBACK should be the dotted path "
                        f"of a function; got {value!r}.",
                        hint=hint,
                        id="useauth.E087",
                    )
                ]

    def test_e087_module_that_raises(self):
        raises = mock.patch(
            f"{MODULE}.import_string", side_effect=RuntimeError("settings not ready")
        )
        with raises, self.settings(USEAUTH_EMAIL_CREATE_USERS=True):
            [error] = check_email()
        assert error.id == "useauth.E087"
        assert "does not import (RuntimeError: settings not ready)" in error.msg

    def test_e087_checked_when_set_or_used(self):
        # Unset, it is the default, which imports; set, a typo shows before
        # the switch is turned on.
        bad = {"USEAUTH_EMAIL_CREATE_USER_CALLBACK": "no.such.create_user"}
        with self.settings(USEAUTH_EMAIL_CREATE_USERS=True):
            assert ids() == []
        for create in (True, False):
            with (
                self.subTest(create=create),
                self.settings(**bad, USEAUTH_EMAIL_CREATE_USERS=create),
            ):
                assert ids() == ["useauth.E087"]
        with mock.patch(f"{MODULE}.import_string") as import_string:
            assert ids() == []
        import_string.assert_not_called()

    def test_e088(self):
        for value in NOT_BOOLS:
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_EMAIL_NOTIFY_UNKNOWN=value),
            ):
                assert ids() == ["useauth.E088"]
        with self.settings(USEAUTH_EMAIL_NOTIFY_UNKNOWN=1):
            assert check_email()[0] == Error(
                "USEAUTH_EMAIL_NOTIFY_UNKNOWN should be True or False; got 1.",
                hint="Set USEAUTH_EMAIL_NOTIFY_UNKNOWN = True to tell an address with "
                "no account that it has none, or False to send it nothing.",
                id="useauth.E088",
            )

    def test_e089_e090(self):
        expected = {
            "USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS": (
                "useauth.E089",
                "Set USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS = 5 (e-mails to one "
                "address per USEAUTH_THROTTLE_WINDOW).",
            ),
            "USEAUTH_THROTTLE_EMAIL_IP_SENDS": (
                "useauth.E090",
                "Set USEAUTH_THROTTLE_EMAIL_IP_SENDS = 20 (e-mails one client may "
                "ask for per USEAUTH_THROTTLE_WINDOW).",
            ),
        }
        for name, (code, hint) in expected.items():
            for value in (0, -1, "5", True, None, 1.5):
                with (
                    self.subTest(name=name, value=value),
                    self.settings(**{name: value}),
                ):
                    assert ids() == [code]
            with self.settings(**{name: 0}):
                assert check_email() == [
                    Error(
                        f"{name} should be a positive integer; got 0.",
                        hint=hint,
                        id=code,
                    )
                ]
            for value in (1, 1000):
                with (
                    self.subTest(name=name, value=value),
                    self.settings(**{name: value}),
                ):
                    assert ids() == []

    def test_e091(self):
        # As USEAUTH_PAGES_SIGN_IN (E016): None, or a URL or URL name.
        for value in ("", "   ", 3, ["verify"], b"/verify/"):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_PAGES_VERIFY_REQUEST=value),
            ):
                assert ids() == ["useauth.E091"]
        with self.settings(USEAUTH_PAGES_VERIFY_REQUEST=""):
            assert check_email() == [
                Error(
                    "USEAUTH_PAGES_VERIFY_REQUEST should be None or a URL or URL "
                    "name; got ''.",
                    hint="Set USEAUTH_PAGES_VERIFY_REQUEST = 'my-verify-page' (a URL "
                    "name) or '/check-your-email/'.",
                    id="useauth.E091",
                )
            ]
        for page in (None, "verify", "/check-your-email/", "https://app.example"):
            with (
                self.subTest(page=page),
                self.settings(USEAUTH_PAGES_VERIFY_REQUEST=page),
            ):
                assert ids() == []

    def test_settings_checked_with_the_provider_off(self):
        # As the credentials provider's: a value set is a value checked.
        with self.settings(
            USEAUTH_EMAIL_ENABLED=False,
            USEAUTH_EMAIL_NAME="",
            USEAUTH_EMAIL_CODE_ATTEMPTS=0,
            USEAUTH_THROTTLE_EMAIL_IP_SENDS=0,
        ):
            assert ids() == ["useauth.E082", "useauth.E085", "useauth.E090"]

    def test_odd_values_never_crash(self):
        names = [
            name
            for name in vars(Settings)
            if name.startswith(("EMAIL_", "THROTTLE_EMAIL_"))
            or name == "PAGES_VERIFY_REQUEST"
        ]
        assert len(names) == 11
        for name in names:
            for value in (object(), float("nan"), {"a": [1]}, [[]], b"\xff"):
                with (
                    self.subTest(name=name, value=value),
                    self.settings(**{**ON, f"USEAUTH_{name}": value}),
                ):
                    messages = check_email()
                    assert messages
                    assert all(str(m.id).startswith("useauth.E0") for m in messages)
                    check_email_deploy()

    def test_call_command_fails(self):
        with (
            self.settings(USEAUTH_EMAIL_CODE_ATTEMPTS=0),
            self.assertRaises(SystemCheckError),
        ):
            call_command("check")


class EmailProviderChecksTests(SimpleTestCase):
    """What the provider needs once it is on: E081, E092, E093 (and W080, with ``--deploy``)."""

    def test_e093(self):
        with self.settings(**ON, ALLOWED_HOSTS=["*"]):
            assert ids() == ["useauth.E093"]
            [message] = check_email()
            assert "USEAUTH_URL should be set" in message.msg
            assert message.hint is not None and "USEAUTH_URL" in message.hint
        # The site's own origin, or named hosts, or the provider off: fine.
        with self.settings(
            **ON, ALLOWED_HOSTS=["*"], USEAUTH_URL="https://example.com"
        ):
            assert ids() == []
        with self.settings(**ON, ALLOWED_HOSTS=[".example.com", "example.com"]):
            assert ids() == []
        with self.settings(ALLOWED_HOSTS=["*"]):
            assert ids() == []

    def test_e081(self):
        throttle_only = ["django_useauth.backends.ThrottleBackend"]
        with self.settings(**ON, AUTHENTICATION_BACKENDS=throttle_only):
            assert check_email() == [
                Error(
                    "AUTHENTICATION_BACKENDS should contain "
                    "'django.contrib.auth.backends.ModelBackend' (or a subclass) while "
                    "USEAUTH_EMAIL_ENABLED is True: login() records it in the session "
                    "and it loads the user on each request, so without it every "
                    "e-mail sign-in fails with Configuration.",
                    hint="Add 'django.contrib.auth.backends.ModelBackend' to "
                    "AUTHENTICATION_BACKENDS (after "
                    "'django_useauth.backends.ThrottleBackend', if you use it), or set "
                    "USEAUTH_EMAIL_ENABLED = False.",
                    id="useauth.E081",
                )
            ]
        # Off, the provider needs nothing.
        with self.settings(AUTHENTICATION_BACKENDS=throttle_only):
            assert ids() == []
        for backends in (
            [],
            ["social_core.backends.github.GithubOAuth2"],
            # As email_sign_in.login_backend(): what does not import is left out.
            ["no.such.Backend", "django.contrib.auth.backends.ModelBackendz"],
        ):
            with (
                self.subTest(backends=backends),
                self.settings(**ON, AUTHENTICATION_BACKENDS=backends),
            ):
                assert ids() == ["useauth.E081"]

    def test_e081_subclasses_accepted(self):
        for backend in (
            "django.contrib.auth.backends.ModelBackend",
            "django.contrib.auth.backends.AllowAllUsersModelBackend",
            "django_useauth.backends.EmailBackend",
            "django_useauth.backends.UsernameOrEmailBackend",
        ):
            with (
                self.subTest(backend=backend),
                self.settings(
                    **ON,
                    AUTHENTICATION_BACKENDS=[
                        "no.such.Backend",
                        "django_useauth.backends.ThrottleBackend",
                        backend,
                    ],
                ),
            ):
                assert ids() == []

    def test_e081_backend_module_that_raises(self):
        # It may be the one: the check does not hold it against the site.
        raises = mock.patch(f"{MODULE}.import_string", side_effect=RuntimeError)
        with raises, self.settings(**ON):
            assert ids() == []

    def test_e092(self):
        # tests.Member has no email field, and names none (EMAIL_FIELD).
        with self.settings(**ON, AUTH_USER_MODEL="tests.Member"):
            assert check_email() == [
                Error(
                    "The user model tests.Member should have a concrete email field "
                    "while USEAUTH_EMAIL_ENABLED is True; get_email_field_name() "
                    "returns 'email', which is not a field of its table, so every "
                    "e-mail sign-in fails with a 500 (FieldError).",
                    hint="Set EMAIL_FIELD on tests.Member to the name of the field "
                    "that holds the address, or set USEAUTH_EMAIL_ENABLED = False.",
                    id="useauth.E092",
                )
            ]
            # The uniqueness of a field that is not there is not asked.
            assert "useauth.W080" not in deploy_ids()
        with self.settings(AUTH_USER_MODEL="tests.Member"):
            assert ids() == []

    @isolate_apps("tests")
    def test_e092_not_a_column(self):
        class Holder(AbstractBaseUser):
            handle = models.CharField(max_length=50, unique=True)
            USERNAME_FIELD = "handle"
            # A reverse relation: a field of the model, but no column of it.
            EMAIL_FIELD = "contact"

            class Meta:
                app_label = "tests"

        class Address(models.Model):  # noqa: DJ008
            holder = models.ForeignKey(Holder, models.CASCADE, related_name="contact")

            class Meta:
                app_label = "tests"

        with (
            mock.patch(f"{MODULE}.get_user_model", return_value=Holder),
            self.settings(**ON),
        ):
            assert ids() == ["useauth.E092"]

    def test_user_model_that_does_not_load(self):
        # Django reports it; the check does not fail on it.
        with self.settings(**ON, AUTH_USER_MODEL="tests.Nobody"):
            assert ids() == []
            assert "useauth.W080" not in deploy_ids()


_models = itertools.count()


def user_model(*, email=None, meta=None):
    """A user model (of the isolated app registry) with `email` and `meta`'s Meta options."""
    attrs = {
        "__module__": __name__,
        "handle": models.CharField(max_length=50, unique=True),
        "email": email or models.EmailField(blank=True),
        "USERNAME_FIELD": "handle",
        "Meta": type("Meta", (), {"app_label": "tests", **(meta or {})}),
    }
    # A name of its own: declaring a model twice warns.
    return type(f"Account{next(_models)}", (AbstractBaseUser,), attrs)


with isolate_apps("tests"):
    #: A user model whose email is unique: W080 stays quiet.
    UNIQUE_USER = user_model(email=models.EmailField(unique=True, blank=True))


def unique_user():
    return mock.patch(f"{MODULE}.get_user_model", return_value=UNIQUE_USER)


class DeployChecksTests(SimpleTestCase):
    """``check --deploy``: W080–W083, with the provider on."""

    def production(self, **overrides):
        """The production set-up, sending through SMTP, with `overrides`."""
        return self.settings(**{**PRODUCTION, **mailer(SMTP)[0], **overrides})

    def deploy(self, **overrides):
        with self.production(**overrides):
            return deploy_ids()

    def test_production_passes(self):
        with unique_user():
            assert self.deploy() == []
        # Off, nothing is sent: nothing to object to.
        with self.settings(**mailer(CONSOLE)[0], USEAUTH_THROTTLE_ENABLED=False):
            assert deploy_ids() == []

    def test_w080(self):
        # django.contrib.auth's User: the email field is not unique.
        assert self.deploy() == ["useauth.W080"]
        backend, _ = mailer(SMTP)
        with self.settings(**PRODUCTION, **backend):
            assert check_email_deploy() == [
                Warning(
                    "auth.User.email should be unique while USEAUTH_EMAIL_ENABLED is "
                    "True: an address that two active accounts share signs neither of "
                    "them in by e-mail, as the sign-in will not guess which one is "
                    "meant.",
                    hint="Add UniqueConstraint(Lower('email'), name='unique_email') to "
                    "Meta.constraints of your user model (or give the field "
                    "unique=True). With django.contrib.auth's User, keep addresses "
                    "distinct where accounts are created and silence this warning.",
                    id="useauth.W080",
                )
            ]
            # A deploy check only: `manage.py check` stays quiet on the default
            # user model.
            assert ids() == []

    @isolate_apps("tests")
    def test_w080_unique_ways(self):
        for meta in (
            {"constraints": [UniqueConstraint("email", name="u1")]},
            {"constraints": [UniqueConstraint(fields=["email"], name="u2")]},
            {"constraints": [UniqueConstraint(Lower("email"), name="u3")]},
            {
                "constraints": [
                    UniqueConstraint(Lower("email"), condition=~Q(email=""), name="u4")
                ]
            },
            {"unique_together": [("email",)]},
        ):
            with (
                self.subTest(meta=meta),
                mock.patch(
                    f"{MODULE}.get_user_model", return_value=user_model(meta=meta)
                ),
            ):
                assert self.deploy() == []
        unique = user_model(email=models.EmailField(unique=True))
        with mock.patch(f"{MODULE}.get_user_model", return_value=unique):
            assert self.deploy() == []

    @isolate_apps("tests")
    def test_w080_not_unique_alone(self):
        # Unique with another field, or only checked: one address, two accounts.
        for meta in (
            {},
            {"constraints": [UniqueConstraint(fields=["email", "handle"], name="u5")]},
            {"constraints": [UniqueConstraint(Lower("email"), "handle", name="u6")]},
            {"constraints": [CheckConstraint(condition=~Q(email=""), name="c1")]},
            {"unique_together": [("email", "handle")]},
        ):
            with (
                self.subTest(meta=meta),
                mock.patch(
                    f"{MODULE}.get_user_model", return_value=user_model(meta=meta)
                ),
            ):
                assert self.deploy() == ["useauth.W080"]

    def test_w081(self):
        expected = {
            CONSOLE: "writes e-mails to the terminal",
            "django.core.mail.backends.filebased.EmailBackend": "writes e-mails to files",
            "django.core.mail.backends.locmem.EmailBackend": "keeps e-mails in memory",
            "django.core.mail.backends.dummy.EmailBackend": "drops e-mails",
            "tests.test_checks_email.MyConsoleBackend": "writes e-mails to the terminal",
        }
        for path, does in expected.items():
            backend, setting = mailer(path)
            with (
                self.subTest(path=path),
                unique_user(),
                self.settings(**PRODUCTION, **backend),
            ):
                assert check_email_deploy() == [
                    Warning(
                        f"{setting} should deliver e-mail in production while "
                        f"USEAUTH_EMAIL_ENABLED is True; {path!r} {does}, so nobody "
                        "receives a sign-in link or code.",
                        hint=f"Set {setting} = "
                        "'django.core.mail.backends.smtp.EmailBackend' (with "
                        "EMAIL_HOST and its credentials, e.g. from EMAIL_URL with "
                        "django-environ) or an e-mail service's backend.",
                        id="useauth.W081",
                    )
                ]
        # What does not import, or is no class, is sending's to report.
        for unknown in (
            "no.such.EmailBackend",
            "tests.test_checks_email.create_user",
            None,
        ):
            with self.subTest(path=unknown), unique_user():
                assert self.deploy(**mailer(unknown)[0]) == []

    def test_w081_mailers(self):
        # Django 6.1 sends through MAILERS["default"] when MAILERS is set.
        mailers = {"MAILERS": {"default": {"BACKEND": CONSOLE}}}
        with (
            mock.patch(f"{MODULE}.mail", SimpleNamespace(mailers=None)),
            unique_user(),
            self.settings(**PRODUCTION, **mailers),
        ):
            [warning] = check_email_deploy()
        assert warning.id == "useauth.W081"
        assert warning.msg.startswith(
            "MAILERS['default']['BACKEND'] should deliver e-mail in production"
        )
        assert str(warning.hint).startswith(
            "Set MAILERS['default']['BACKEND'] = "
            "'django.core.mail.backends.smtp.EmailBackend'"
        )

    @skipIf(MAILERS, "Django 6.1 refuses EMAIL_BACKEND beside MAILERS")
    def test_w081_email_backend_without_a_default_mailer(self):
        # Before Django 6.1 MAILERS means nothing; without a default mailer
        # named there, EMAIL_BACKEND.
        cases = [
            (SimpleNamespace(), {"default": {"BACKEND": SMTP}}),
            (SimpleNamespace(mailers=None), {"other": {"BACKEND": SMTP}}),
            (SimpleNamespace(mailers=None), {"default": {}}),
            (SimpleNamespace(mailers=None), None),
        ]
        for namespace, mailers in cases:
            with (
                self.subTest(mailers=mailers),
                mock.patch(f"{MODULE}.mail", namespace),
                unique_user(),
                self.settings(**PRODUCTION, MAILERS=mailers, EMAIL_BACKEND=CONSOLE),
            ):
                [warning] = check_email_deploy()
                assert warning.msg.startswith(
                    "EMAIL_BACKEND should deliver e-mail in production"
                )

    def test_w082(self):
        expected: dict[tuple[str, str], dict[str, str | None]] = {
            # Django's default sender, with no USEAUTH_EMAIL_FROM.
            ("DEFAULT_FROM_EMAIL", "webmaster@localhost"): {"USEAUTH_EMAIL_FROM": None},
            ("DEFAULT_FROM_EMAIL", "Demo <noreply@localhost>"): {
                "USEAUTH_EMAIL_FROM": None,
                "DEFAULT_FROM_EMAIL": "Demo <noreply@localhost>",
            },
            ("USEAUTH_EMAIL_FROM", "noreply@app.localhost"): {
                "USEAUTH_EMAIL_FROM": "noreply@app.localhost",
                "DEFAULT_FROM_EMAIL": "noreply@example.com",
            },
            ("USEAUTH_EMAIL_FROM", "NoReply@LOCALHOST"): {
                "USEAUTH_EMAIL_FROM": "NoReply@LOCALHOST"
            },
        }
        for (setting, sender), overrides in expected.items():
            with (
                self.subTest(sender=sender),
                unique_user(),
                self.production(**overrides),
            ):
                assert check_email_deploy() == [
                    Warning(
                        f"{setting} should be an address of the site's own "
                        "domain in production while USEAUTH_EMAIL_ENABLED is "
                        f"True; {sender!r} is at localhost, so mail servers "
                        "refuse the sign-in e-mails or file them as spam.",
                        hint=f"Set {setting} = 'Example <noreply@example.com>' "
                        "(a domain whose SPF and DKIM records allow your mail "
                        "server).",
                        id="useauth.W082",
                    )
                ]
        quiet: list[dict[str, object]] = [
            {"USEAUTH_EMAIL_FROM": None, "DEFAULT_FROM_EMAIL": "noreply@example.com"},
            # USEAUTH_EMAIL_FROM wins over Django's default.
            {"USEAUTH_EMAIL_FROM": "noreply@example.com"},
            {"USEAUTH_EMAIL_FROM": "noreply@notlocalhost.com"},
            # Not an address: E083's to report.
            {"USEAUTH_EMAIL_FROM": 3},
        ]
        for settings in quiet:
            with self.subTest(settings=settings), unique_user():
                assert self.deploy(**settings) == []

    def test_w083(self):
        with unique_user():
            with self.production(USEAUTH_THROTTLE_ENABLED=False):
                assert check_email_deploy() == [
                    Warning(
                        "USEAUTH_THROTTLE_ENABLED should be True in production while "
                        "USEAUTH_EMAIL_ENABLED is True: without the limits anyone can "
                        "have the site send any number of sign-in e-mails, to flood "
                        "one mailbox or to spend the site's sending reputation.",
                        hint="Set USEAUTH_THROTTLE_ENABLED = True; "
                        "USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS and "
                        "USEAUTH_THROTTLE_EMAIL_IP_SENDS set the limits.",
                        id="useauth.W083",
                    )
                ]
            # Not a bool: E025's to report.
            assert self.deploy(USEAUTH_THROTTLE_ENABLED="no") == []

    def test_check_deploy_includes_them(self):
        backend, _ = mailer(CONSOLE)
        with self.settings(**PRODUCTION, **backend):
            assert "useauth.W081" in [m.id for m in checks.check_deploy()]
