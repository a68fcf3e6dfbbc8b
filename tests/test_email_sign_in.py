"""Following the e-mailed link: the confirmation page (GET spends nothing), the sign-in (its POST), and where it ends (the callbackUrl)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.test import RequestFactory
from django.test import override_settings

from django_useauth import signals
from django_useauth.internal import email_sign_in
from django_useauth.models import EmailToken
from tests import callbacks
from tests.attacks.base import SIGN_IN_CSRF
from tests.attacks.base import assert_json
from tests.email_utils import ACCESS_DENIED
from tests.email_utils import CALLBACK_EMAIL
from tests.email_utils import DASHBOARD
from tests.email_utils import EMAIL_ON
from tests.email_utils import HOME
from tests.email_utils import SENT
from tests.email_utils import SIGN_IN_EMAIL
from tests.email_utils import VERIFICATION
from tests.email_utils import EmailTestCase
from tests.email_utils import browser_origin
from tests.email_utils import click
from tests.email_utils import confirmation_fields
from tests.email_utils import expire_all
from tests.email_utils import open_link
from tests.email_utils import post_token
from tests.email_utils import read_sent
from tests.email_utils import session_email
from tests.utils import NEVER_CACHE
from tests.utils import auth_request
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import post_json


@override_settings(**EMAIL_ON)
class LinkTests(EmailTestCase):
    def test_scanner_spends_nothing(self):
        # A mail security gateway fetches every link before the person clicks.
        sent = self.asked()
        scanner = csrf_client()
        for _ in range(3):
            page = open_link(scanner, sent.link)
            assert confirmation_fields(page) == {
                "csrfToken": page.context["csrf_token"],
                "email": "ada@example.com",
                "token": sent.token,
            }
        assert open_link(scanner, sent.link, method="head").status_code == 200
        assert session_email(scanner) is None
        assert EmailToken.objects.count() == 1
        assert_json(click(self.client, sent), 200, HOME)
        assert session_email(self.client) == "ada@example.com"

    def test_confirmation_page(self):
        sent = self.asked()
        page = open_link(self.client, sent.link)
        assert page.status_code == 200
        # Referers to other origins would carry the token; under no-referrer
        # the page's POST would carry "Origin: null" (see below).
        assert page["Referrer-Policy"] == "strict-origin"
        assert page["Cache-Control"] == NEVER_CACHE
        assert b"Sign in as <strong><bdi>ada@example.com</bdi></strong>?" in (
            page.content
        )

    def test_the_pages_form_works_in_a_browser(self):
        # A browser sends an Origin header with the form's POST, which
        # Django's CSRF origin check compares with the site. Under the page's
        # Referrer-Policy that header must still be the site's origin: under
        # no-referrer it would be "null", and the check would refuse the
        # sign-in (tests/test_email_browser.py runs it in Chromium).
        sent = self.asked()
        page = open_link(self.client, sent.link)
        fields = {**confirmation_fields(page), "json": "true"}
        origin = browser_origin(page)
        response = self.client.post(CALLBACK_EMAIL, fields, headers={"Origin": origin})
        assert_json(response, 200, HOME)

    def test_sign_in(self):
        logged_in = []
        signed_in = []

        def on_logged_in(sender, user, request, **kwargs):
            logged_in.append(user)

        def on_signed_in(sender, user, request, provider, **kwargs):
            signed_in.append((user, provider))

        user_logged_in.connect(on_logged_in)
        self.addCleanup(user_logged_in.disconnect, on_logged_in)
        signals.signed_in.connect(on_signed_in)
        self.addCleanup(signals.signed_in.disconnect, on_signed_in)
        sent = self.asked(callback_url="/dashboard")
        response = click(self.client, sent)
        assert_json(response, 200, DASHBOARD)
        assert response["Referrer-Policy"] == "no-referrer"
        assert "sessionid" in response.cookies
        assert session_email(self.client) == "ada@example.com"
        assert logged_in == [self.user]
        assert signed_in == [(self.user, "email")]
        assert not EmailToken.objects.exists()

    def test_sign_in_html(self):
        sent = self.asked(callback_url="/dashboard")
        response = click(self.client, sent, json_mode=False)
        assert response.status_code == 302
        assert response["Location"] == DASHBOARD["url"]
        assert session_email(self.client) == "ada@example.com"

    def test_used_link(self):
        sent = self.asked()
        assert_json(click(self.client, sent), 200, HOME)
        again = csrf_client()
        assert open_link(again, sent.link)["Location"] == VERIFICATION["url"]
        assert_json(post_token(again, sent.email, sent.token), 403, VERIFICATION)
        assert session_email(again) is None

    def test_used_link_html(self):
        sent = self.asked()
        click(self.client, sent)
        response = post_token(self.client, sent.email, sent.token, json_mode=False)
        assert response.status_code == 302
        assert response["Location"] == VERIFICATION["url"]
        assert self.client.get(response["Location"]).status_code == 403

    @override_settings(USEAUTH_EMAIL_TOKEN_LIFETIME=timedelta(minutes=3))
    def test_expired_link(self):
        sent = self.asked()
        row = EmailToken.objects.get()
        assert row.expires_at - row.created_at == timedelta(minutes=3)
        page = open_link(self.client, sent.link)
        expire_all()
        assert open_link(self.client, sent.link)["Location"] == VERIFICATION["url"]
        # The page opened in time, posted too late.
        fields = {**confirmation_fields(page), "json": "true"}
        response = self.client.post(CALLBACK_EMAIL, fields)
        assert_json(response, 403, VERIFICATION)
        assert session_email(self.client) is None

    def test_other_address(self):
        make_user("bob")
        sent = self.asked()
        for email in ("bob@example.com", "ADA@example.com", "", "ada@example.com "):
            with self.subTest(email=email):
                assert_json(
                    post_token(self.client, email, sent.token), 403, VERIFICATION
                )
                query = urlencode({"token": sent.token, "email": email})
                page = open_link(self.client, f"{CALLBACK_EMAIL}?{query}")
                assert page["Location"] == VERIFICATION["url"]
        # Nothing was spent.
        assert_json(click(self.client, sent), 200, HOME)

    def test_missing_or_wrong_token(self):
        sent = self.asked()
        for query in (
            {"email": sent.email},
            {"email": sent.email, "token": ""},
            {"email": sent.email, "token": sent.token[:-1]},
            {"token": sent.token},
            {},
        ):
            with self.subTest(query=query):
                page = open_link(self.client, f"{CALLBACK_EMAIL}?{urlencode(query)}")
                assert page.status_code == 302
                assert page["Location"] == VERIFICATION["url"]
        assert_json(post_token(self.client, sent.email, ""), 403, VERIFICATION)
        assert_json(click(self.client, sent), 200, HOME)

    def test_csrf(self):
        sent = self.asked()
        response = post_token(self.client, sent.email, sent.token, csrf=False)
        assert_json(response, 200, SIGN_IN_CSRF)
        assert session_email(self.client) is None
        assert EmailToken.objects.count() == 1
        assert_json(click(self.client, sent), 200, HOME)

    def test_deactivated_since(self):
        sent = self.asked()
        User.objects.update(is_active=False)
        assert_json(click(self.client, sent), 403, VERIFICATION)
        assert session_email(self.client) is None

    def test_address_changed_since(self):
        sent = self.asked()
        User.objects.update(email="ada@elsewhere.example")
        assert_json(click(self.client, sent), 403, VERIFICATION)
        assert session_email(self.client) is None

    def test_address_case_changed_since(self):
        # The same address in another case is the same address.
        sent = self.asked()
        User.objects.update(email="ADA@Example.com")
        assert_json(click(self.client, sent), 200, HOME)

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse")
    def test_sign_in_callback_refuses(self):
        callbacks.calls.clear()
        self.addCleanup(callbacks.calls.clear)
        sent = self.asked()
        assert_json(click(self.client, sent), 403, ACCESS_DENIED)
        assert callbacks.calls == [{"user": "ada", "provider": "email"}]
        assert session_email(self.client) is None

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse_with_code")
    def test_sign_in_callback_code(self):
        sent = self.asked()
        response = click(self.client, sent)
        assert_json(
            response,
            403,
            {"url": "http://testserver/api/auth/error?error=EmailNotVerified"},
        )

    @override_settings(
        AUTHENTICATION_BACKENDS=[
            "tests.no_such_module.Backend",
            "django.contrib.auth.backends.ModelBackend",
        ]
    )
    def test_first_model_backend_signs_in(self):
        sent = self.asked()
        assert_json(click(self.client, sent), 200, HOME)
        assert self.client.session[BACKEND_SESSION_KEY] == (
            "django.contrib.auth.backends.ModelBackend"
        )

    @override_settings(
        AUTHENTICATION_BACKENDS=["social_core.backends.github.GithubOAuth2"]
    )
    def test_no_model_backend(self):
        sent = self.asked()
        with self.assertLogs("django_useauth.email", "ERROR"):
            response = click(self.client, sent)
        assert_json(
            response,
            500,
            {"url": "http://testserver/api/auth/error?error=Configuration"},
        )
        assert session_email(self.client) is None


@override_settings(**EMAIL_ON)
class CallbackUrlTests(EmailTestCase):
    """The callbackUrl asked for with the e-mail goes through the redirect policy of the click."""

    def test_hostile_at_the_request(self):
        sent = self.asked(callback_url="https://evil.example/")
        assert_json(click(self.client, sent), 200, HOME)

    def test_hostile_dropped_at_the_request(self):
        # As NextAuth (its callbackUrl goes through callbacks.redirect before
        # the e-mail is built), and as EmailToken.callback_url documents it:
        # "as the redirect policy allowed it then". A refused callbackUrl is
        # neither stored nor put in the e-mailed link.
        sent = self.asked(callback_url="https://evil.example/")
        assert sent.callback_url is None
        assert "evil.example" not in sent.text + sent.html
        assert EmailToken.objects.get().callback_url == ""

    def test_refused_by_the_time_of_the_click(self):
        app = "https://app.example/after"
        allow_app = override_settings(
            USEAUTH_ALLOWED_REDIRECT_ORIGINS=["https://app.example"]
        )
        with allow_app:
            sent = self.asked(callback_url=app)
        assert sent.callback_url == app
        assert_json(click(self.client, sent), 200, HOME)
        # Control: allowed at both moments.
        with allow_app:
            again = self.asked(callback_url=app)
            assert_json(click(csrf_client(), again), 200, {"url": app})

    def test_edited_link(self):
        sent = self.asked(callback_url="/dashboard")
        edited = sent.link.replace(
            "callbackUrl=%2Fdashboard", "callbackUrl=https%3A%2F%2Fevil.example%2F"
        )
        assert edited != sent.link
        assert_json(click(self.client, edited), 200, DASHBOARD)

    def test_posted_callback_url_ignored(self):
        sent = self.asked(callback_url="/dashboard")
        response = post_token(
            self.client, sent.email, sent.token, callbackUrl="https://evil.example/"
        )
        assert_json(response, 200, DASHBOARD)

    def test_without_callback_url(self):
        sent = self.asked()
        assert sent.callback_url is None
        assert_json(click(self.client, sent), 200, HOME)

    @override_settings(USEAUTH_REDIRECT_CALLBACK="tests.callbacks.always_dashboard")
    def test_redirect_callback_decides_at_the_click(self):
        callbacks.calls.clear()
        self.addCleanup(callbacks.calls.clear)
        sent = self.asked(callback_url="https://anything.example/x")
        assert sent.callback_url == "https://anything.example/x"
        assert callbacks.calls == []
        assert_json(
            click(self.client, sent), 200, {"url": "http://testserver/dashboard/"}
        )
        assert callbacks.calls == [
            {"url": "https://anything.example/x", "base_url": "http://testserver"}
        ]

    @override_settings(USEAUTH_REDIRECT_CALLBACK="tests.callbacks.always_dashboard")
    def test_unstorable_callback_url_dropped(self):
        # (A lone surrogate never gets here: a JSON body holding one is a 400.)
        for value in ("/x\x00y", "/" + "a" * 2048, 5, None):
            with self.subTest(value=repr(value)[:20]):
                body = {
                    "email": "ada@example.com",
                    "callbackUrl": value,
                    "csrfToken": csrf_token(self.client),
                    "json": "true",
                }
                response = post_json(self.client, SIGN_IN_EMAIL, body)
                assert_json(response, 200, SENT)
                assert read_sent().callback_url is None
                assert EmailToken.objects.get().callback_url == ""

    @override_settings(USEAUTH_REDIRECT_CALLBACK="tests.callbacks.always_dashboard")
    def test_lone_surrogate_dropped(self):
        # HTTP bodies cannot bring one (a JSON body holding one is a 400), a
        # project's own view calling request_sign_in() can.
        request = auth_request(RequestFactory().post(SIGN_IN_EMAIL))
        result = email_sign_in.request_sign_in(
            request, "ada@example.com", callback_url="/\ud800"
        )
        assert result.ok
        assert read_sent().callback_url is None
        assert EmailToken.objects.get().callback_url == ""
