"""E-mail sign-in from Python (``request.auth.sign_in("email")``, sync and async), the backend's own refusals, and the template tag."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.core import mail
from django.template import Context
from django.template import Template
from django.test import RequestFactory
from django.test import TestCase
from django.test import override_settings

from django_useauth.internal.email_tokens import Issued
from django_useauth.models import EmailToken
from tests.attacks.base import assert_json
from tests.email_utils import EMAIL_ON
from tests.email_utils import VERIFICATION
from tests.email_utils import EmailTestCase
from tests.email_utils import click
from tests.email_utils import session_email
from tests.utils import build_request
from tests.utils import make_user

SENT_URL = "http://testserver/api/auth/verify-request?provider=email&type=email"


class LockedOutBackend(ModelBackend):
    """A project's backend with a rule of its own: user "locked" may not sign in."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.username != "locked"


@override_settings(**EMAIL_ON)
class RequestAuthTests(TestCase):
    def setUp(self):
        make_user()

    def test_sign_in_sends_the_e_mail(self):
        request = build_request()
        result = request.auth.sign_in("email", email="Ada@Example.com")
        assert (result.ok, result.status, result.error) == (True, 200, None)
        assert result.url == SENT_URL
        assert [message.to for message in mail.outbox] == [["ada@example.com"]]
        # Nobody is signed in by asking.
        assert not request.user.is_authenticated

    def test_sign_in_refuses_a_bad_address(self):
        result = build_request().auth.sign_in("email", email="not an address")
        assert (result.ok, result.error) == (False, "EmailSignin")
        assert mail.outbox == []

    async def test_asign_in_sends_the_e_mail(self):
        request = await sync_to_async(build_request)()
        result = await request.auth.asign_in("email", email="ada@example.com")
        assert (result.ok, result.url) == (True, SENT_URL)
        assert len(mail.outbox) == 1
        assert await EmailToken.objects.acount() == 1


@override_settings(
    **EMAIL_ON,
    AUTHENTICATION_BACKENDS=["tests.test_email_api.LockedOutBackend"],
)
class BackendRuleTests(EmailTestCase):
    def test_the_login_backend_may_refuse(self):
        # login() would record a user the backend's get_user() then drops on
        # the next request: refused before, with nothing changed.
        make_user("locked", email="locked@example.com")
        sent = self.asked("locked@example.com")
        assert_json(click(self.client, sent), 403, VERIFICATION)
        assert session_email(self.client) is None
        # Control: another user of the same backend signs in.
        sent = self.asked("ada@example.com")
        assert click(self.client, sent).status_code == 200
        assert session_email(self.client) == "ada@example.com"


class ReprTests(TestCase):
    def test_no_secret_in_reprs(self):
        user = make_user()
        row = EmailToken.objects.create(
            email="ada@example.com",
            user=user,
            token_digest="a" * 64,
            code_digest="b" * 64,
            expires_at="2030-01-01T00:00:00Z",
        )
        assert str(row) == f"{row.pk}:aaaaaaaa"
        issued = Issued(row=row, token="TOKEN-SECRET", code="CODE-SECR")
        assert "TOKEN-SECRET" not in repr(issued)
        assert "CODE-SECR" not in repr(issued)


class EmailFormTagTests(TestCase):
    def render(self) -> str:
        request = RequestFactory().get("/")
        template = Template("{% load django_useauth %}{% email_form %}")
        return template.render(Context({"request": request}))

    def test_off(self):
        assert self.render() == ""

    @override_settings(**EMAIL_ON, USEAUTH_EMAIL_NAME="Magic link")
    def test_a_named_provider(self):
        assert '<button type="submit">Sign in with Magic link</button>' in self.render()

    @override_settings(**EMAIL_ON)
    def test_default_name(self):
        assert '<button type="submit">Send a sign-in link</button>' in self.render()
