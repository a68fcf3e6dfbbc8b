"""Signing in: the sign-in page, POST signin/<provider> and POST callback/credentials."""

from __future__ import annotations

import json
import re

from django.test import TestCase
from django.test import override_settings
from django.utils import translation

from tests.utils import PASSWORD
from tests.utils import assert_json_headers
from tests.utils import assert_never_cached
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user


class SignInPageTests(TestCase):
    def test_page(self):
        response = self.client.get("/api/auth/signin")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert_never_cached(response)
        html = response.content.decode()
        token = re.search(r'name="csrfToken" value="([^"]+)"', html)
        assert token is not None
        assert (
            '<form class="useauth-credentials" method="post" action="/api/auth/callback/credentials">'
            in html
        )
        assert (
            '<input id="useauth-username" name="username" type="text" dir="auto" autocomplete="username" required>'
            in html
        )
        assert (
            '<input id="useauth-password" name="password" type="password" autocomplete="current-password" required>'
            in html
        )
        assert 'name="callbackUrl"' not in html
        assert 'role="alert"' not in html
        assert "csrftoken" in response.cookies

    def test_callback_url_kept(self):
        html = self.client.get(
            "/api/auth/signin?callbackUrl=%2Fp%3Fa%3D1%26b%3D2"
        ).content.decode()
        assert '<input type="hidden" name="callbackUrl" value="/p?a=1&amp;b=2">' in html

    def test_next_alias(self):
        html = self.client.get("/api/auth/signin?next=/admin/").content.decode()
        assert '<input type="hidden" name="callbackUrl" value="/admin/">' in html

    def test_hostile_callback_url_dropped(self):
        html = self.client.get(
            "/api/auth/signin?callbackUrl=//evil.example"
        ).content.decode()
        assert "evil.example" not in html
        assert 'name="callbackUrl"' not in html

    def test_error_messages(self):
        cases = {
            "CredentialsSignin": "Sign in failed. Check the details you provided are correct.",
            "TooManyAttempts": "Too many failed attempts. Try again later.",
            "SessionRequired": "Please sign in to access this page.",
            "OAuthCallback": "Try signing in with a different account.",
            "<script>": "Unable to sign in.",
        }
        for code, text in cases.items():
            response = self.client.get("/api/auth/signin", {"error": code})
            html = response.content.decode()
            assert (
                f'<div id="useauth-error"><p class="useauth-error" role="alert">{text}</p></div>'
                in html
            ), code
            assert "<script>" not in html
            # Only the answers to the credentials form make its fields invalid:
            # the view says which (credentials_error), not the template.
            credentials = code in ("CredentialsSignin", "TooManyAttempts")
            assert response.context["credentials_error"] is credentials, code
            invalid = 'required aria-invalid="true" aria-describedby="useauth-error"'
            assert (invalid in html) is credentials, code

    def test_no_error(self):
        response = self.client.get("/api/auth/signin")
        assert response.context["error_message"] is None
        assert response.context["credentials_error"] is False

    def test_csrf_message(self):
        html = self.client.get("/api/auth/signin?csrf=true").content.decode()
        assert "The form expired. Please try again." in html

    def test_with_provider_id(self):
        # NextAuth v4 renders the same page; a GET never starts a flow.
        for path in (
            "/api/auth/signin/credentials",
            "/api/auth/signin/github",
            "/api/auth/signin/credentials/",
        ):
            response = self.client.get(path)
            assert response.status_code == 200, path
            assert b'<button type="submit">Sign in</button>' in response.content

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_no_providers(self):
        html = self.client.get("/api/auth/signin").content.decode()
        assert "No sign-in method is configured." in html
        assert "<form" not in html

    @override_settings(
        USEAUTH_CREDENTIALS_FIELDS=["email", "password"],
        USEAUTH_CREDENTIALS_NAME="Email",
    )
    def test_fields(self):
        html = self.client.get("/api/auth/signin").content.decode()
        assert (
            '<label for="useauth-email">Email</label><input id="useauth-email" name="email" type="email" dir="ltr" autocomplete="email" required>'
            in html
        )
        # Not the default name: the button names it.
        assert '<button type="submit">Sign in with Email</button>' in html

    def test_page_frame(self):
        # The language, a favicon, landmarks and a way back to the site.
        html = self.client.get("/api/auth/signin").content.decode()
        assert '<html lang="en-us" dir="ltr">' in html
        assert "<title>Sign in</title>" in html
        assert '<link rel="icon" href="/static/django_useauth/icon.svg">' in html
        assert '<main class="useauth-card">' in html
        assert "<header" not in html
        assert (
            '<footer class="useauth-footer">\n'
            '<a class="useauth-back" href="/">Back to the site</a>\n</footer>'
        ) in html

    @override_settings(
        USEAUTH_SITE_NAME="Example",
        USEAUTH_SITE_LOGO="shop/logo.svg",
        USEAUTH_SITE_URL="/shop/",
        USEAUTH_FAVICON="https://cdn.example.com/favicon.ico",
    )
    def test_page_frame_of_the_site(self):
        html = self.client.get("/api/auth/signin").content.decode()
        assert "<title>Sign in · Example</title>" in html
        assert '<link rel="icon" href="https://cdn.example.com/favicon.ico">' in html
        assert (
            '<header class="useauth-header">\n<a class="useauth-brand" href="/shop/">'
            '<img class="useauth-logo" src="/static/shop/logo.svg" alt=""><span dir="auto">Example</span></a>\n</header>'
        ) in html
        assert (
            '<a class="useauth-back" href="/shop/">Back to <bdi>Example</bdi></a>'
            in html
        )

    @override_settings(USEAUTH_SITE_NAME="Ada's <Shop>!")
    def test_site_name_isolated(self):
        # Inside the translated sentence the name is a <bdi>, escaped: on an
        # Arabic page an English name ending in "!" keeps its "!" at its end.
        # The msgid is still "Back to %(name)s".
        html = self.client.get("/api/auth/signin").content.decode()
        name = "Ada&#x27;s &lt;Shop&gt;!"
        assert f'<span dir="auto">{name}</span>' in html
        assert f'<a class="useauth-back" href="/">Back to <bdi>{name}</bdi></a>' in html
        with translation.override("ar"):
            html = self.client.get("/api/auth/signin").content.decode()
            back = translation.gettext("Back to %(name)s") % {
                "name": f"<bdi>{name}</bdi>"
            }
        assert f'<a class="useauth-back" href="/">{back}</a>' in html
        assert back != f"Back to <bdi>{name}</bdi>"

    @override_settings(USEAUTH_SITE_LOGO="/logo.svg")
    def test_logo_without_a_name(self):
        # The logo is the link's only content: it says where it goes.
        html = self.client.get("/api/auth/signin").content.decode()
        assert (
            '<a class="useauth-brand" href="/"><img class="useauth-logo" src="/logo.svg" alt="Home"></a>'
        ) in html

    @override_settings(
        USEAUTH_SITE_NAME="Example",
        USEAUTH_SITE_LOGO="/logo.svg",
        USEAUTH_SITE_URL=None,
    )
    def test_no_link_to_the_site(self):
        html = self.client.get("/api/auth/signin").content.decode()
        assert (
            '<span class="useauth-brand"><img class="useauth-logo" src="/logo.svg" alt="">'
            '<span dir="auto">Example</span></span>'
        ) in html
        assert "useauth-back" not in html
        assert "<footer" not in html

    @override_settings(USEAUTH_PAGES_SIGN_IN="/login/")
    def test_custom_page(self):
        response = self.client.get(
            "/api/auth/signin?callbackUrl=%2Fx&error=CredentialsSignin&csrf=true"
        )
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/login/?callbackUrl=%2Fx&error=CredentialsSignin&csrf=true"
        )

    @override_settings(USEAUTH_PAGES_SIGN_IN="/login/?theme=dark")
    def test_custom_page_unknown_error_and_hostile_callback_dropped(self):
        response = self.client.get("/api/auth/signin?callbackUrl=//evil&error=<x>")
        assert response["Location"] == "/login/?theme=dark"

    @override_settings(USEAUTH_PAGES_SIGN_IN="protected")
    def test_custom_page_url_name(self):
        response = self.client.get("/api/auth/signin")
        assert response["Location"] == "/protected/"


class SignInProviderTests(TestCase):
    def setUp(self):
        self.client = csrf_client()

    def test_credentials_answers_sign_in_page(self):
        response = self.client.post(
            "/api/auth/signin/credentials",
            {"csrfToken": csrf_token(self.client), "json": "true"},
        )
        assert response.status_code == 200
        assert response.json() == {"url": "http://testserver/api/auth/signin"}

    def test_csrf(self):
        response = self.client.post("/api/auth/signin/nosuchprovider", {"json": "true"})
        assert response.status_code == 200
        assert response.json() == {"url": "http://testserver/api/auth/signin?csrf=true"}

    def test_malformed_body(self):
        response = self.client.post(
            "/api/auth/signin/credentials", b"[", content_type="application/json"
        )
        assert response.status_code == 400


class CredentialsCallbackTests(TestCase):
    def setUp(self):
        self.user = make_user()
        self.client = csrf_client()

    def _post(self, **data):
        data.setdefault("csrfToken", csrf_token(self.client))
        return self.client.post("/api/auth/callback/credentials", data)

    def test_success_json(self):
        response = self._post(
            username="ada", password=PASSWORD, callbackUrl="/after", json="true"
        )
        assert response.status_code == 200
        assert_json_headers(response)
        assert_never_cached(response)
        assert response.content == b'{"url":"http://testserver/after"}'
        assert (
            self.client.get("/api/auth/session").json()["user"]["name"]
            == "Ada Lovelace"
        )

    def test_success_redirect(self):
        response = self._post(
            username="ada", password=PASSWORD, callbackUrl="/after?x=1"
        )
        assert response.status_code == 302
        assert response["Location"] == "http://testserver/after?x=1"
        assert_never_cached(response)

    def test_success_without_callback_url(self):
        response = self._post(username="ada", password=PASSWORD, json="true")
        assert response.json() == {"url": "http://testserver/"}

    @override_settings(USEAUTH_DEFAULT_CALLBACK_URL="/dashboard/")
    def test_default_callback_url(self):
        response = self._post(
            username="ada", password=PASSWORD, callbackUrl="//evil.example", json="true"
        )
        assert response.json() == {"url": "http://testserver/dashboard/"}

    def test_callback_url_from_query(self):
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/callback/credentials?callbackUrl=%2Fq",
            {
                "csrfToken": token,
                "username": "ada",
                "password": PASSWORD,
                "json": "true",
            },
        )
        assert response.json() == {"url": "http://testserver/q"}

    def test_failure_json(self):
        response = self._post(
            username="ada", password="wrong", callbackUrl="/after", json="true"
        )
        assert response.status_code == 401
        assert_never_cached(response)
        assert response.json() == {
            "url": "http://testserver/api/auth/error?error=CredentialsSignin&provider=credentials&callbackUrl=%2Fafter"
        }
        assert self.client.get("/api/auth/session").json() == {}

    def test_failure_redirect(self):
        response = self._post(username="ada", password="wrong")
        assert response.status_code == 302
        assert response["Location"] == (
            "http://testserver/api/auth/error?error=CredentialsSignin&provider=credentials"
        )

    def test_failure_round_trip_keeps_callback_url(self):
        response = self._post(username="ada", password="wrong", callbackUrl="/p?x=1")
        response = self.client.get(response["Location"])
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/api/auth/signin?error=CredentialsSignin&callbackUrl=%2Fp%3Fx%3D1"
        )
        html = self.client.get(response["Location"]).content.decode()
        assert '<input type="hidden" name="callbackUrl" value="/p?x=1">' in html
        assert "Sign in failed." in html

    def test_json_body(self):
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/callback/credentials",
            json.dumps(
                {
                    "csrfToken": token,
                    "username": "ada",
                    "password": PASSWORD,
                    "json": True,
                }
            ),
            content_type="application/json",
        )
        assert response.json() == {"url": "http://testserver/"}

    def test_auth_js_v5_header(self):
        response = self.client.post(
            "/api/auth/callback/credentials",
            {
                "csrfToken": csrf_token(self.client),
                "username": "ada",
                "password": PASSWORD,
            },
            headers={"X-Auth-Return-Redirect": "1"},
        )
        assert response.status_code == 200
        assert response.json() == {"url": "http://testserver/"}

    def test_csrf_bad_redirect(self):
        csrf_token(self.client)
        response = self.client.post(
            "/api/auth/callback/credentials",
            {"csrfToken": "bogus", "username": "ada", "password": PASSWORD},
        )
        assert response.status_code == 302
        assert response["Location"] == "http://testserver/api/auth/signin?csrf=true"

    def test_csrf_middleware_token_field(self):
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/callback/credentials",
            {
                "csrfmiddlewaretoken": token,
                "username": "ada",
                "password": PASSWORD,
                "json": "true",
            },
        )
        assert response.json() == {"url": "http://testserver/"}

    def test_csrf_header(self):
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/callback/credentials",
            {"username": "ada", "password": PASSWORD, "json": "true"},
            headers={"X-CSRFToken": token},
        )
        assert response.json() == {"url": "http://testserver/"}

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_disabled(self):
        response = self.client.post(
            "/api/auth/callback/credentials",
            {"csrfToken": "x", "username": "ada", "password": PASSWORD},
        )
        assert response.status_code == 404
        assert b"This sign-in method is not available." in response.content
