"""``POST /api/token/register`` (nuxt-auth's ``signUp``): off by default, a form with Django's password validators."""

from __future__ import annotations

import threading
from unittest import mock

from django import forms
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.db import connection
from django.db.models.signals import pre_save
from django.test import TestCase
from django.test import TransactionTestCase
from django.test import override_settings

from django_useauth.forms import RegistrationForm
from tests.utils import post_json

REGISTER = "/api/token/register"
VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
GOOD = {
    "username": "grace",
    "email": "grace@example.com",
    "password": "a long and unusual phrase",
}


class RegistrationClosedTests(TestCase):
    def test_off_by_default(self) -> None:
        response = post_json(self.client, REGISTER, GOOD)
        assert response.status_code == 404
        assert response.json() == {"error": "NotFound"}
        assert not User.objects.exists()


@override_settings(USEAUTH_TOKEN_REGISTER=True, AUTH_PASSWORD_VALIDATORS=VALIDATORS)
class RegistrationTests(TestCase):
    def register(self, **fields: object) -> dict[str, object]:
        response = post_json(self.client, REGISTER, {**GOOD, **fields})
        return {"status": response.status_code, **response.json()}

    def test_creates_the_user_who_can_then_sign_in(self) -> None:
        assert self.register() == {
            "status": 201,
            "user": {"name": "grace", "email": "grace@example.com", "image": None},
        }
        user = User.objects.get()
        assert user.check_password(GOOD["password"])
        assert user.is_active
        login = post_json(
            self.client,
            "/api/token/login",
            {"username": "grace", "password": GOOD["password"]},
        )
        assert login.status_code == 200
        assert not login.cookies

    def test_password_validators(self) -> None:
        for password, code in (
            ("short", "password_too_short"),
            ("password123", "password_too_common"),
            ("81726354918273", "password_entirely_numeric"),
            ("grace@example", "password_too_similar"),
        ):
            with self.subTest(password=password):
                body = self.register(password=password)
                assert body["status"] == 400
                assert body["error"] == "InvalidRegistration"
                codes = [error["code"] for error in body["fields"]["password"]]  # type: ignore[index]
                assert code in codes
        assert not User.objects.exists()

    def test_the_model_s_own_validation(self) -> None:
        self.register()
        body = self.register(email="other@example.com")
        assert body["status"] == 400
        assert body["fields"]["username"][0]["code"] == "unique"  # type: ignore[index]
        # Nor one that differs only in case, as Django's UserCreationForm.
        body = self.register(username="Grace", email="g2@example.com")
        assert body["status"] == 400
        assert body["fields"]["username"][0]["code"] == "unique"  # type: ignore[index]
        body = self.register(username="not valid!")
        assert body["fields"]["username"][0]["code"] == "invalid"  # type: ignore[index]
        assert User.objects.count() == 1

    def test_required_fields_and_type_confusion(self) -> None:
        for fields in (
            {"username": ""},
            {"password": ""},
            {"username": ["grace"]},
            {"password": 12345678},
        ):
            with self.subTest(fields=fields):
                body = self.register(**fields)
                assert body["status"] == 400
                assert body["error"] == "InvalidRegistration"
        assert not User.objects.exists()

    def test_no_privilege_fields(self) -> None:
        self.register(is_staff=True, is_superuser="true", is_active="false")
        user = User.objects.get()
        assert not user.is_staff
        assert not user.is_superuser
        assert user.is_active

    def test_malformed_body(self) -> None:
        response = self.client.post(REGISTER, "[1, 2]", content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"error": "MalformedBody"}

    @override_settings(
        USEAUTH_TOKEN_REGISTER_FORM="tests.test_tokens_register.WithTermsForm"
    )
    def test_a_project_s_own_form(self) -> None:
        body = self.register()
        assert body["status"] == 400
        assert body["fields"]["terms"][0]["code"] == "required"  # type: ignore[index]
        assert self.register(terms="yes")["status"] == 201


@override_settings(USEAUTH_TOKEN_REGISTER=True)
class RegistrationRaceTests(TransactionTestCase):
    def test_a_username_taken_meanwhile_is_a_400_not_a_500(self) -> None:
        # Another sign-up saves "grace" (on its own connection, committed)
        # after this one's form found the name free, while it hashes.
        def sneak_in(sender: object, instance: User, **kwargs: object) -> None:
            # The only save of the request: the new user's.
            pre_save.disconnect(sneak_in, sender=User)
            thread = threading.Thread(target=_register_elsewhere, args=("grace",))
            thread.start()
            thread.join()

        pre_save.connect(sneak_in, sender=User)
        self.addCleanup(pre_save.disconnect, sneak_in, sender=User)
        response = post_json(self.client, REGISTER, GOOD)
        assert response.status_code == 400
        assert response.json()["fields"]["username"][0]["code"] == "unique"
        assert User.objects.filter(username="grace").count() == 1


def _register_elsewhere(username: str) -> None:
    try:
        User.objects.create_user(username)
    finally:
        connection.close()


class WithTermsForm(RegistrationForm):
    terms = forms.BooleanField()


class FormTests(TestCase):
    def test_fields_follow_the_user_model(self) -> None:
        from django_useauth import forms as useauth_forms

        assert useauth_forms._fields() == ["username", "email"]
        with self.settings(AUTH_USER_MODEL="tests.Member"):
            # No e-mail field of its own.
            assert useauth_forms._fields() == ["handle"]
        with mock.patch.object(User, "USERNAME_FIELD", "email"):
            # The e-mail field is the username field: asked for once.
            assert useauth_forms._fields() == ["email"]

    @override_settings(AUTH_PASSWORD_VALIDATORS=[])
    def test_save_without_commit(self) -> None:
        form = RegistrationForm(data=GOOD)
        assert form.is_valid(), form.errors
        user = form.save(commit=False)
        assert user.pk is None
        assert user.check_password(GOOD["password"])
        assert not User.objects.exists()


class Failing(RegistrationForm):
    def save(self, commit: bool = True) -> User:
        raise IntegrityError("not a duplicate username")


@override_settings(
    USEAUTH_TOKEN_REGISTER=True,
    USEAUTH_TOKEN_REGISTER_FORM="tests.test_tokens_register.Failing",
)
class OtherIntegrityErrorTests(TestCase):
    def test_is_not_taken_for_a_duplicate(self) -> None:
        with self.assertRaisesMessage(IntegrityError, "not a duplicate username"):
            post_json(self.client, REGISTER, GOOD)
