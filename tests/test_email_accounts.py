"""``USEAUTH_EMAIL_CREATE_USERS``: the account of an address that has none is created when its link is followed, by a hook that may refuse."""

from __future__ import annotations

import re

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.test import TestCase
from django.test import override_settings

from django_useauth.email import create_user
from django_useauth.models import EmailToken
from tests.attacks.base import assert_json
from tests.email_utils import ACCESS_DENIED
from tests.email_utils import CREATE_FAILED
from tests.email_utils import DASHBOARD
from tests.email_utils import EMAIL_ON
from tests.email_utils import HOME
from tests.email_utils import SENT
from tests.email_utils import VERIFICATION
from tests.email_utils import EmailTestCase
from tests.email_utils import ask_email
from tests.email_utils import click
from tests.email_utils import outbox
from tests.email_utils import session_email
from tests.models import EmailUser
from tests.utils import make_user


@override_settings(**EMAIL_ON, USEAUTH_EMAIL_CREATE_USERS=True)
class CreateAccountTests(EmailTestCase):
    """An address with no account, ``USEAUTH_EMAIL_CREATE_USERS`` on: the account is created at the click."""

    def test_created_at_the_click(self):
        sent = self.asked("New@Example.com", callback_url="/dashboard")
        assert not User.objects.filter(email="new@example.com").exists()
        assert_json(click(self.client, sent), 200, DASHBOARD)
        user = User.objects.get(email="new@example.com")
        assert user.username == "new@example.com"
        assert not user.has_usable_password()
        assert session_email(self.client) == "new@example.com"

    @override_settings(
        USEAUTH_EMAIL_CREATE_USER_CALLBACK="tests.email_utils.refuse_account"
    )
    def test_hook_answers_none(self):
        sent = self.asked("new@example.com")
        assert_json(click(self.client, sent), 403, ACCESS_DENIED)
        assert not User.objects.filter(email="new@example.com").exists()
        assert session_email(self.client) is None

    @override_settings(
        USEAUTH_EMAIL_CREATE_USER_CALLBACK="tests.email_utils.forbid_account"
    )
    def test_hook_raises_permission_denied(self):
        sent = self.asked("new@example.com")
        assert_json(click(self.client, sent), 403, ACCESS_DENIED)
        assert not User.objects.filter(email="new@example.com").exists()

    @override_settings(
        USEAUTH_EMAIL_CREATE_USER_CALLBACK="tests.email_utils.broken_account"
    )
    def test_hook_raises(self):
        sent = self.asked("new@example.com")
        with self.assertLogs("django_useauth.email", "ERROR") as logs:
            assert_json(click(self.client, sent), 403, CREATE_FAILED)
        assert "account hook bug" in logs.output[0]
        assert sent.token not in logs.output[0]
        assert not User.objects.filter(email="new@example.com").exists()
        assert session_email(self.client) is None

    def test_username_taken(self):
        # The address is someone else's username: the new account gets a
        # username of its own, from the address's local part.
        make_user("new@example.com", email="someone-else@example.com")
        sent = self.asked("new@example.com")
        assert_json(click(self.client, sent), 200, HOME)
        user = User.objects.get(email="new@example.com")
        assert re.fullmatch(r"new-[0-9a-f]{8}", user.username)
        assert not user.has_usable_password()
        assert session_email(self.client) == "new@example.com"

    def test_address_that_is_no_username(self):
        # "'" and "&" may be in an address, not in Django's usernames.
        sent = self.asked("o'brien&co@example.com")
        assert_json(click(self.client, sent), 200, HOME)
        user = User.objects.get(email="o'brien&co@example.com")
        assert re.fullmatch(r"obrienco-[0-9a-f]{8}", user.username)

    @override_settings(
        USEAUTH_EMAIL_CREATE_USER_CALLBACK="tests.email_utils.invalid_account"
    )
    def test_hook_validation_error(self):
        sent = self.asked("new@example.com")
        with self.assertLogs("django_useauth.email", "WARNING"):
            assert_json(click(self.client, sent), 403, CREATE_FAILED)
        assert not User.objects.filter(email="new@example.com").exists()
        assert session_email(self.client) is None

    def test_not_for_a_deactivated_accounts_address(self):
        make_user("gone", email="gone@example.com", is_active=False)
        assert ask_email(self.client, "gone@example.com").json() == SENT
        assert outbox() == []
        assert not EmailToken.objects.exists()

    def test_not_for_a_shared_address(self):
        make_user("one", email="shared@example.com")
        make_user("two", email="shared@example.com")
        with self.assertLogs("django_useauth.email", "WARNING"):
            assert ask_email(self.client, "shared@example.com").json() == SENT
        assert outbox() == []
        assert User.objects.filter(email="shared@example.com").count() == 2

    def test_address_taken_since(self):
        sent = self.asked("new@example.com")
        make_user("gone", email="new@example.com", is_active=False)
        assert_json(click(self.client, sent), 403, VERIFICATION)
        assert User.objects.filter(email="new@example.com").count() == 1

    def test_turned_off_since(self):
        sent = self.asked("new@example.com")
        with override_settings(USEAUTH_EMAIL_CREATE_USERS=False):
            assert_json(click(self.client, sent), 403, VERIFICATION)
        assert not User.objects.filter(email="new@example.com").exists()

    def test_account_created_since(self):
        sent = self.asked("new@example.com")
        newcomer = make_user("newcomer", email="new@example.com")
        assert_json(click(self.client, sent), 200, HOME)
        assert User.objects.filter(email="new@example.com").count() == 1
        assert self.client.session[SESSION_KEY] == str(newcomer.pk)


class DefaultHookTests(TestCase):
    @override_settings(AUTH_USER_MODEL="tests.EmailUser")
    def test_email_as_username_field(self):
        # The address is the username: nothing else is made up.
        user = create_user(request=RequestFactory().get("/"), email="new@example.com")
        assert user is not None
        assert EmailUser.objects.get(pk=user.pk).email == "new@example.com"
        assert user.get_username() == str(user) == "new@example.com"
        assert not user.has_usable_password()
