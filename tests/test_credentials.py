from __future__ import annotations

from unittest import mock

from django.contrib.auth import hashers
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from django.utils.module_loading import import_string

from django_useauth.backends import EmailBackend
from django_useauth.internal.credentials import is_secret
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user


class HasherCountTests(TestCase):
    """E2: the password hasher runs exactly once per attempt, whatever the case."""

    def _count(self, **fields):
        client = csrf_client()
        data = {"csrfToken": csrf_token(client), "json": "true", **fields}
        hasher_class = type(hashers.get_hasher())
        with mock.patch.object(
            hasher_class, "encode", autospec=True, side_effect=hasher_class.encode
        ) as encode:
            response = client.post("/api/auth/callback/credentials", data)
        return response.status_code, encode.call_count

    def test_once_in_every_case(self):
        make_user()
        make_user("inactive", is_active=False)
        oauth_only = make_user("oauthonly")
        oauth_only.set_unusable_password()
        oauth_only.save()
        cases = {
            "unknown user": {"username": "nobody", "password": PASSWORD},
            "wrong password": {"username": "ada", "password": "wrong"},
            "inactive, right password": {"username": "inactive", "password": PASSWORD},
            "inactive, wrong password": {"username": "inactive", "password": "wrong"},
            "oauth-only user": {"username": "oauthonly", "password": PASSWORD},
            "NUL in username": {"username": "ada\x00", "password": PASSWORD},
            "missing password": {"username": "ada"},
            "right password": {"username": "ada", "password": PASSWORD},
        }
        for name, fields in cases.items():
            status, count = self._count(**fields)
            assert count == 1, name
            assert status == (200 if name == "right password" else 401), name


class LoginFailedSignalTests(TestCase):
    def test_sent_for_input_no_backend_sees(self):
        from django.contrib.auth.signals import user_login_failed

        received = []

        def receiver(sender, credentials, request, **kwargs):
            received.append(credentials)

        user_login_failed.connect(receiver)
        self.addCleanup(user_login_failed.disconnect, receiver)
        client = csrf_client()
        client.post(
            "/api/auth/callback/credentials",
            {
                "csrfToken": csrf_token(client),
                "username": "ada\x00",
                "password": "secret",
            },
        )
        client.post(
            "/api/auth/callback/credentials",
            {"csrfToken": csrf_token(client), "password": "x"},
        )
        assert received == [
            {"username": "ada\x00", "password": "********************"},
            {"password": "********************"},
        ]


class FieldsTests(TestCase):
    @override_settings(
        USEAUTH_CREDENTIALS_FIELDS=["email", "password"],
        AUTHENTICATION_BACKENDS=["django_useauth.backends.EmailBackend"],
    )
    def test_email_login(self):
        make_user(email="Ada@Example.com")
        client = csrf_client()
        data = {"csrfToken": csrf_token(client), "json": "true", "password": PASSWORD}
        response = client.post(
            "/api/auth/callback/credentials", {**data, "email": "ada@example.COM"}
        )
        assert response.status_code == 200
        other = csrf_client()
        data["csrfToken"] = csrf_token(other)
        response = other.post(
            "/api/auth/callback/credentials", {**data, "username": "ada"}
        )
        assert response.status_code == 401


@override_settings(
    AUTHENTICATION_BACKENDS=["django_useauth.backends.UsernameOrEmailBackend"]
)
class UsernameOrEmailBackendTests(TestCase):
    def _post(self, username, password=PASSWORD):
        self.client = csrf_client()
        data = {
            "csrfToken": csrf_token(self.client),
            "json": "true",
            "username": username,
            "password": password,
        }
        return self.client.post("/api/auth/callback/credentials", data).status_code

    def test_username_or_email(self):
        make_user()
        assert self._post("ada") == 200
        assert self._post("ADA@example.com") == 200
        assert self._post("ada@example.com", "wrong") == 401
        assert self._post("nobody@example.com") == 401

    def test_username_wins_over_someone_elses_email(self):
        make_user("bob@example.com", email="bob-real@example.com")
        make_user("bob", email="bob@example.com")
        assert self._post("bob@example.com") == 200
        assert (
            self.client.get("/api/auth/session").json()["user"]["email"]
            == "bob-real@example.com"
        )

    def test_shared_email_identifies_nobody(self):
        make_user("one", email="shared@example.com")
        make_user("two", email="shared@example.com")
        assert self._post("shared@example.com") == 401

    def test_inactive(self):
        make_user(is_active=False)
        assert self._post("ada@example.com") == 401


class BackendUnitTests(TestCase):
    def test_missing_arguments(self):
        backend = EmailBackend()
        assert backend.authenticate(None, password=PASSWORD) is None
        assert backend.authenticate(None, email="ada@example.com") is None

    def test_username_field_keyword(self):
        from django_useauth.backends import UsernameOrEmailBackend

        make_user()
        assert (
            UsernameOrEmailBackend().authenticate(
                None, password=PASSWORD, **{"username": None}
            )
            is None
        )
        user = UsernameOrEmailBackend().authenticate(
            None, password=PASSWORD, **{"username": "ada"}
        )
        assert user is not None

    async def test_async_unusable_input(self):
        from django_useauth.internal.credentials import aauthenticate_credentials

        assert await aauthenticate_credentials(None, {"username": "ada"}) is None  # type: ignore[arg-type]

    async def test_async(self):
        from asgiref.sync import sync_to_async

        await sync_to_async(make_user)()
        user = await EmailBackend().aauthenticate(
            None, email="ada@example.com", password=PASSWORD
        )
        assert user is not None
        assert user.username == "ada"


class SecretNameTests(SimpleTestCase):
    """The one copy of the pattern Django's authenticate() hides credentials by."""

    def test_agrees_with_djangos_clean_credentials(self):
        names = [
            "username",
            "email",
            "password",
            "PASSWORD2",
            "api_key",
            "token",
            "otp",
            "signature",
            "client_secret",
            "one_time_code",
        ]
        # Django's private function: the pattern has no public name.
        clean = import_string("django.contrib.auth._clean_credentials")
        hidden = clean(dict.fromkeys(names, "value"))
        assert {name: is_secret(name) for name in names} == {
            name: hidden[name] != "value" for name in names
        }
