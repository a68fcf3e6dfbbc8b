"""E039, W023: some authentication backend can sign in with ``USEAUTH_CREDENTIALS_FIELDS``; E041: none that trusts them blindly."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.backends import RemoteUserBackend
from django.core.checks import Error
from django.core.checks import Warning
from django.test import SimpleTestCase
from django.test import override_settings

from django_useauth import checks
from django_useauth.backends import EmailBackend

THROTTLE = "django_useauth.backends.ThrottleBackend"
MODEL = "django.contrib.auth.backends.ModelBackend"
EMAIL = "django_useauth.backends.EmailBackend"
EITHER = "django_useauth.backends.UsernameOrEmailBackend"
GITHUB = "social_core.backends.github.GithubOAuth2"
REMOTE = "django.contrib.auth.backends.RemoteUserBackend"
EMAIL_FIELDS = ["email", "password"]


# Only their signatures matter to E039; a backend need not subclass BaseBackend.
class PinBackend:
    def authenticate(
        self, request: Any, email: str | None = None, pin: str | None = None
    ) -> None: ...


class AnyFieldsBackend(BaseBackend):
    def authenticate(self, request: Any, **credentials: Any) -> None: ...


class PermissionsOnly(BaseBackend):
    pass


class NotABackend:
    pass


class PasswordOnlyBackend:
    def authenticate(self, request: Any, password: str | None = None) -> None: ...


class NeedsArguments(BaseBackend):
    # Django's load_backend() would fail on it too; E039 cannot look inside.
    def __init__(self, directory: str) -> None: ...


class RemoteUserNeedsArguments(RemoteUserBackend):
    def __init__(self, header: str) -> None: ...


class LoginEmailBackend(EmailBackend):
    # Would read another field: E039 cannot know which, so it trusts the backend.
    def _login(self, username: str | None, kwargs: dict[str, Any]) -> Any: ...


def ids() -> list[str]:
    return [str(message.id) for message in checks.check_backends()]


class CredentialsBackendsTests(SimpleTestCase):
    def test_quiet_with_the_test_settings(self):
        assert ids() == []

    @override_settings(USEAUTH_CREDENTIALS_FIELDS=EMAIL_FIELDS)
    def test_e039_email_with_model_backend(self):
        # authenticate() passes email= to ModelBackend, which looks up username.
        assert checks.check_backends() == [
            Error(
                "No backend in AUTHENTICATION_BACKENDS can sign in with "
                "USEAUTH_CREDENTIALS_FIELDS ['email', 'password']: ModelBackend needs "
                "'password' and 'username' (or USERNAME_FIELD 'username'), "
                "EmailBackend 'email' and 'password', and any other backend must "
                "take the fields as keyword arguments, so every credentials sign-in "
                "fails with CredentialsSignin.",
                hint="Add 'django_useauth.backends.EmailBackend' to "
                "AUTHENTICATION_BACKENDS, after ThrottleBackend.",
                id="useauth.E039",
            )
        ]
        with self.settings(AUTHENTICATION_BACKENDS=[THROTTLE, MODEL, EMAIL]):
            assert ids() == []

    def test_e039_hint_names_throttle_backend_only_when_configured(self):
        for backends, after in (
            ([THROTTLE], ", after ThrottleBackend"),
            ([THROTTLE, EMAIL], ", after ThrottleBackend"),
            ([EMAIL], ""),
            ([], ""),
        ):
            with self.subTest(backends=backends):
                with self.settings(AUTHENTICATION_BACKENDS=backends):
                    [message] = checks.check_backends()
                    assert isinstance(message, Error)
                    assert (message.id, message.hint) == (
                        "useauth.E039",
                        "Add 'django.contrib.auth.backends.ModelBackend' to "
                        f"AUTHENTICATION_BACKENDS{after}.",
                    )
                # Nothing to sign in with, nothing to report.
                with self.settings(
                    AUTHENTICATION_BACKENDS=backends, USEAUTH_CREDENTIALS_ENABLED=False
                ):
                    assert ids() == []

    def test_w023_when_no_backend_takes_a_password(self):
        # An OAuth-only site (or one behind RemoteUserBackend) that left the
        # credentials provider on: its likely fix is to switch it off, and it
        # is a warning, so `migrate` and `runserver` still run after an upgrade.
        for backends, after in (
            ([THROTTLE, GITHUB], ", after ThrottleBackend"),
            ([THROTTLE, REMOTE], ", after ThrottleBackend"),
            ([GITHUB], ""),
            ([REMOTE, f"{__name__}.PermissionsOnly"], ""),
        ):
            with (
                self.subTest(backends=backends),
                self.settings(AUTHENTICATION_BACKENDS=backends),
            ):
                assert checks.check_backends() == [
                    Warning(
                        "No backend in AUTHENTICATION_BACKENDS takes a password, yet "
                        "USEAUTH_CREDENTIALS_ENABLED is True: the sign-in page offers "
                        "the credentials provider, and every sign-in with "
                        "USEAUTH_CREDENTIALS_FIELDS ['username', 'password'] fails "
                        "with CredentialsSignin.",
                        hint="Set USEAUTH_CREDENTIALS_ENABLED = False if you sign in "
                        "only with OAuth (or another backend), or add "
                        "'django.contrib.auth.backends.ModelBackend' to "
                        f"AUTHENTICATION_BACKENDS{after}.",
                        id="useauth.W023",
                    )
                ]
        with self.settings(
            AUTHENTICATION_BACKENDS=[THROTTLE, GITHUB],
            USEAUTH_CREDENTIALS_FIELDS=["username", "pin"],
        ):
            assert checks.check_backends()[0].hint == (
                "Set USEAUTH_CREDENTIALS_ENABLED = False if you sign in only with "
                "OAuth (or another backend), or add a backend whose authenticate() "
                "takes these fields as keyword arguments, or set "
                "USEAUTH_CREDENTIALS_FIELDS = ['username', 'password'] and use "
                "'django.contrib.auth.backends.ModelBackend'."
            )

    def test_e039_when_a_backend_takes_a_password_but_not_these_fields(self):
        # Password sign-in is set up, for other fields: an error, whatever
        # else signs visitors in.
        for backends in (
            [THROTTLE, GITHUB, EMAIL],
            [THROTTLE, REMOTE, f"{__name__}.PasswordOnlyBackend"],
        ):
            with (
                self.subTest(backends=backends),
                self.settings(AUTHENTICATION_BACKENDS=backends),
            ):
                assert ids() == ["useauth.E039"]

    def test_e039_when_nothing_signs_anyone_in(self):
        # USEAUTH_CREDENTIALS_ENABLED = False would be E021: the fix is a backend.
        for backends in ([THROTTLE], [THROTTLE, f"{__name__}.NotABackend"]):
            with (
                self.subTest(backends=backends),
                self.settings(AUTHENTICATION_BACKENDS=backends),
            ):
                assert ids() == ["useauth.E039"]
                assert checks.check_backends()[0].hint == (
                    "Add 'django.contrib.auth.backends.ModelBackend' to "
                    "AUTHENTICATION_BACKENDS, after ThrottleBackend."
                )

    def test_model_backend_needs_username_and_password(self):
        for fields in (["username", "password", "otp"], ["password", "username"]):
            with self.settings(USEAUTH_CREDENTIALS_FIELDS=fields):
                assert ids() == []
        with self.settings(USEAUTH_CREDENTIALS_FIELDS=["username", "pin"]):
            assert checks.check_backends()[0].hint == (
                "Add a backend whose authenticate() takes these fields as keyword "
                "arguments, or set USEAUTH_CREDENTIALS_FIELDS = ['username', "
                "'password'] and use 'django.contrib.auth.backends.ModelBackend'."
            )

    @override_settings(AUTH_USER_MODEL="tests.Member")
    def test_model_backend_takes_username_field(self):
        with self.settings(USEAUTH_CREDENTIALS_FIELDS=["handle", "password"]):
            assert ids() == []
        with self.settings(USEAUTH_CREDENTIALS_FIELDS=["login", "password"]):
            assert "(or USERNAME_FIELD 'handle')" in checks.check_backends()[0].msg

    def test_subclass_with_model_backends_authenticate(self):
        subclass = "django.contrib.auth.backends.AllowAllUsersModelBackend"
        with self.settings(
            AUTHENTICATION_BACKENDS=[THROTTLE, subclass],
            USEAUTH_CREDENTIALS_FIELDS=EMAIL_FIELDS,
        ):
            assert ids() == ["useauth.E039"]
        with self.settings(AUTHENTICATION_BACKENDS=[THROTTLE, subclass]):
            assert ids() == []

    def test_our_email_backends(self):
        cases = [
            ([THROTTLE, EMAIL], EMAIL_FIELDS, []),
            ([THROTTLE, EMAIL], ["email", "otp"], ["useauth.E039"]),
            ([THROTTLE, EITHER], ["username", "password"], []),
            ([THROTTLE, EITHER], EMAIL_FIELDS, ["useauth.E039"]),
            ([THROTTLE, f"{__name__}.LoginEmailBackend"], ["login", "password"], []),
        ]
        for backends, fields, expected in cases:
            with (
                self.subTest(backends=backends, fields=fields),
                self.settings(
                    AUTHENTICATION_BACKENDS=backends, USEAUTH_CREDENTIALS_FIELDS=fields
                ),
            ):
                assert ids() == expected

    def test_other_backends_by_their_signature(self):
        cases = [
            # RemoteUserBackend takes remote_user= only, and no password.
            (REMOTE, ["username", "password"], ["useauth.W023"]),
            (f"{__name__}.PasswordOnlyBackend", ["password"], []),
            (f"{__name__}.PasswordOnlyBackend", ["pin"], ["useauth.E039"]),
            (f"{__name__}.PinBackend", ["email", "pin"], []),
            # Takes no password: W023, as for an OAuth-only site.
            (f"{__name__}.PinBackend", EMAIL_FIELDS, ["useauth.W023"]),
            (f"{__name__}.AnyFieldsBackend", ["token"], []),
            # BaseBackend.authenticate() takes anything and returns None.
            (f"{__name__}.PermissionsOnly", ["username", "password"], ["useauth.E039"]),
            (f"{__name__}.NotABackend", ["username", "password"], ["useauth.E039"]),
        ]
        for backend, fields, expected in cases:
            with (
                self.subTest(backend=backend, fields=fields),
                self.settings(
                    AUTHENTICATION_BACKENDS=[THROTTLE, backend],
                    USEAUTH_CREDENTIALS_FIELDS=fields,
                ),
            ):
                assert ids() == expected

    def test_left_to_other_checks(self):
        # A malformed USEAUTH_CREDENTIALS_FIELDS is E015.
        for fields in ("email", [], [1], None):
            with self.settings(
                AUTHENTICATION_BACKENDS=[THROTTLE],
                USEAUTH_CREDENTIALS_FIELDS=fields,
            ):
                assert ids() == []

    def test_a_backend_it_cannot_examine_may_take_the_fields(self):
        # One that does not import, or cannot be made during the checks: no
        # E039 (it may be the one), no crash, and the others are still looked at.
        unknown = ["no.such.Backend", f"{__name__}.NeedsArguments"]
        for backend in unknown:
            with (
                self.subTest(backend=backend),
                self.settings(
                    AUTHENTICATION_BACKENDS=[THROTTLE, backend, MODEL],
                    USEAUTH_CREDENTIALS_FIELDS=EMAIL_FIELDS,
                ),
            ):
                assert ids() == []
        with self.settings(AUTHENTICATION_BACKENDS=[THROTTLE, *unknown, GITHUB]):
            assert ids() == []
        with self.settings(AUTHENTICATION_BACKENDS=[THROTTLE, *reversed(unknown)]):
            assert ids() == []


class TrustingTests(SimpleTestCase):
    """E041: the form's fields never reach a backend that signs in whoever it is named."""

    @override_settings(
        AUTHENTICATION_BACKENDS=[THROTTLE, REMOTE, MODEL],
        USEAUTH_CREDENTIALS_FIELDS=["remote_user"],
    )
    def test_remote_user_from_the_form(self):
        assert checks.check_backends() == [
            Error(
                "USEAUTH_CREDENTIALS_FIELDS ['remote_user'] reach "
                "'django.contrib.auth.backends.RemoteUserBackend', a "
                "RemoteUserBackend: it signs in the user it is named without a "
                "password, so anyone could sign in on the sign-in form as any "
                "user by typing a name.",
                hint="Take 'remote_user' (and whatever else this backend takes) "
                "out of USEAUTH_CREDENTIALS_FIELDS: RemoteUserBackend belongs "
                "with RemoteUserMiddleware and the web server's REMOTE_USER, not "
                "with a form.",
                id="useauth.E041",
            )
        ]

    @override_settings(
        AUTHENTICATION_BACKENDS=[THROTTLE, "tests.broken.Missing", REMOTE],
        USEAUTH_CREDENTIALS_FIELDS=["remote_user"],
    )
    def test_found_past_a_backend_that_does_not_import(self):
        assert ids() == ["useauth.E041"]

    @override_settings(
        AUTHENTICATION_BACKENDS=[
            THROTTLE,
            "django.contrib.auth.backends.AllowAllUsersRemoteUserBackend",
        ],
        USEAUTH_CREDENTIALS_FIELDS=["remote_user", "password"],
    )
    def test_subclasses_and_extra_fields(self):
        # RemoteUserBackend.authenticate() takes no password: these fields do
        # not bind, so the form cannot reach it (W023: nothing takes one).
        assert ids() == ["useauth.W023"]

    @override_settings(AUTHENTICATION_BACKENDS=[THROTTLE, REMOTE, MODEL])
    def test_remote_user_beside_the_default_fields(self):
        # RemoteUserMiddleware's backend beside a password form is a valid
        # set-up: the form's fields never bind to it.
        assert ids() == []

    @override_settings(
        AUTHENTICATION_BACKENDS=[
            THROTTLE,
            "tests.test_checks_backends.RemoteUserNeedsArguments",
            REMOTE,
        ],
        USEAUTH_CREDENTIALS_FIELDS=["remote_user"],
    )
    def test_one_that_cannot_be_built_is_passed_over(self):
        assert [message.id for message in checks.check_backends()] == ["useauth.E041"]
