from __future__ import annotations

import json
import re

from django.contrib.sessions.models import Session as SessionRow
from django.test import TestCase
from django.test import override_settings

from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import sign_in

EXPIRES_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def assert_no_store(response):
    assert response["Cache-Control"] == NO_STORE
    assert "Cookie" in response["Vary"]


def assert_json(response):
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"


class CsrfEndpointTests(TestCase):
    def test_get(self):
        response = self.client.get("/api/auth/csrf")
        assert response.status_code == 200
        assert_json(response)
        assert_no_store(response)
        assert list(response.json()) == ["csrfToken"]
        assert re.fullmatch(r"[A-Za-z0-9]{64}", response.json()["csrfToken"])
        assert "csrftoken" in response.cookies

    def test_does_not_create_a_session(self):
        self.client.get("/api/auth/csrf")
        assert SessionRow.objects.count() == 0
        assert "sessionid" not in self.client.cookies

    def test_head(self):
        response = self.client.head("/api/auth/csrf")
        assert response.status_code == 200
        assert response.content == b""
        assert_no_store(response)

    def test_post_not_allowed(self):
        response = self.client.post("/api/auth/csrf")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


class ProvidersEndpointTests(TestCase):
    def test_get(self):
        response = self.client.get("/api/auth/providers")
        assert response.status_code == 200
        assert_json(response)
        assert response.json() == {
            "credentials": {
                "id": "credentials",
                "name": "Credentials",
                "type": "credentials",
                "signinUrl": "http://testserver/api/auth/signin/credentials",
                "callbackUrl": "http://testserver/api/auth/callback/credentials",
            }
        }
        assert "csrftoken" not in response.cookies

    @override_settings(USEAUTH_CREDENTIALS_NAME="Email and password")
    def test_name(self):
        body = self.client.get("/api/auth/providers").json()
        assert body["credentials"]["name"] == "Email and password"

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_credentials_disabled(self):
        assert self.client.get("/api/auth/providers").json() == {}

    @override_settings(USEAUTH_URL="https://app.example.com")
    def test_canonical_url(self):
        body = self.client.get("/api/auth/providers").json()
        assert body["credentials"]["signinUrl"] == (
            "https://app.example.com/api/auth/signin/credentials"
        )

    def test_secure_request(self):
        body = self.client.get("/api/auth/providers", secure=True).json()
        assert body["credentials"]["callbackUrl"] == (
            "https://testserver/api/auth/callback/credentials"
        )


class SessionEndpointTests(TestCase):
    def test_signed_out(self):
        response = self.client.get("/api/auth/session")
        assert response.status_code == 200
        assert_json(response)
        assert_no_store(response)
        assert response.content == b"{}"

    def test_signed_out_ignores_callback_url(self):
        response = self.client.get("/api/auth/session?callbackUrl=%2Fprotected")
        assert response.json() == {}

    def test_signed_in(self):
        make_user()
        sign_in(self.client)
        response = self.client.get("/api/auth/session")
        assert response.status_code == 200
        assert_no_store(response)
        body = response.json()
        assert body == {
            "user": {"name": "Ada Lovelace", "email": "ada@example.com", "image": None},
            "expires": body["expires"],
        }
        assert EXPIRES_RE.fullmatch(body["expires"])

    def test_name_falls_back_to_username_and_email_to_null(self):
        make_user("bob", first_name="", last_name="", email="")
        sign_in(self.client, "bob")
        assert self.client.get("/api/auth/session").json()["user"] == {
            "name": "bob",
            "email": None,
            "image": None,
        }

    def test_unknown_session_cookie_is_deleted(self):
        self.client.cookies["sessionid"] = "attackerchosen0123456789abcdef"
        response = self.client.get("/api/auth/session")
        assert response.json() == {}
        assert response.cookies["sessionid"].value == ""
        assert SessionRow.objects.count() == 0

    def test_head(self):
        response = self.client.head("/api/auth/session")
        assert response.status_code == 200
        assert response.content == b""
        assert_no_store(response)

    def test_methods(self):
        for method in ("put", "patch", "delete", "options"):
            response = getattr(self.client, method)("/api/auth/session")
            assert response.status_code == 405, method
            assert response["Allow"] == "GET, HEAD, POST"


class SessionUpdateTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()

    def _post(self, body, content_type="application/json"):
        data = json.dumps(body) if content_type == "application/json" else body
        return self.client.post("/api/auth/session", data, content_type=content_type)

    def test_signed_in(self):
        sign_in(self.client)
        before = self.client.get("/api/auth/session").json()
        response = self._post({"csrfToken": csrf_token(self.client), "data": {"x": 1}})
        assert response.status_code == 200
        assert_no_store(response)
        assert response.json() == before

    def test_signed_out(self):
        response = self._post({"csrfToken": csrf_token(self.client), "data": {}})
        assert response.status_code == 200
        assert response.json() == {}

    def test_without_token(self):
        sign_in(self.client)
        response = self._post({"data": {"name": "x"}})
        assert response.status_code == 400
        assert response.json() == {}
        assert_no_store(response)

    def test_bad_token(self):
        csrf_token(self.client)
        response = self._post({"csrfToken": "x" * 64, "data": {}})
        assert response.status_code == 400
        assert response.json() == {}

    def test_malformed_json(self):
        response = self.client.post(
            "/api/auth/session", "{bad json", content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json() == {}

    def test_json_array(self):
        response = self._post([1, 2])
        assert response.status_code == 400

    def test_token_in_header(self):
        sign_in(self.client)
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/session",
            json.dumps({"data": {}}),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 200
        assert "user" in response.json()


class SignInPageTests(TestCase):
    def test_page(self):
        response = self.client.get("/api/auth/signin")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert_no_store(response)
        html = response.content.decode()
        token = re.search(r'name="csrfToken" value="([^"]+)"', html)
        assert token is not None
        assert (
            '<form class="useauth-credentials" method="post" action="/api/auth/callback/credentials">'
            in html
        )
        assert (
            '<input id="useauth-username" name="username" type="text" autocomplete="username" required>'
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
            "SessionRequired": "Please sign in to access this page.",
            "OAuthCallback": "Try signing in with a different account.",
            "<script>": "Unable to sign in.",
        }
        for code, text in cases.items():
            html = self.client.get("/api/auth/signin", {"error": code}).content.decode()
            assert f'<p class="useauth-error" role="alert">{text}</p>' in html, code
            assert "<script>" not in html

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
            assert b"Sign in with Credentials" in response.content

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
            '<label for="useauth-email">Email</label><input id="useauth-email" name="email" type="email" autocomplete="email" required>'
            in html
        )
        assert "Sign in with Email" in html

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
        assert_json(response)
        assert_no_store(response)
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
        assert_no_store(response)

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
        assert_no_store(response)
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

    def test_same_answer_for_every_failure(self):
        make_user("inactive", is_active=False)
        oauth_only = make_user("oauthonly")
        oauth_only.set_unusable_password()
        oauth_only.save()
        answers = set()
        for username, password in (
            ("nobody", PASSWORD),
            ("ada", "wrong"),
            ("inactive", PASSWORD),
            ("inactive", "wrong"),
            ("oauthonly", PASSWORD),
            ("", ""),
        ):
            response = self._post(username=username, password=password, json="true")
            answers.add(
                (
                    response.status_code,
                    response.content,
                    tuple(sorted(response.cookies)),
                )
            )
        assert answers == {
            (
                401,
                b'{"url":"http://testserver/api/auth/error?error=CredentialsSignin&provider=credentials"}',
                (),
            ),
        }

    def test_missing_and_non_string_fields(self):
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/callback/credentials",
            json.dumps(
                {
                    "csrfToken": token,
                    "username": ["ada"],
                    "password": {"$ne": ""},
                    "json": True,
                    "callbackUrl": ["/x"],
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 401
        assert response.json() == {
            "url": "http://testserver/api/auth/error?error=CredentialsSignin&provider=credentials"
        }

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

    def test_csrf_missing(self):
        response = self.client.post(
            "/api/auth/callback/credentials",
            {"username": "ada", "password": PASSWORD, "json": "true"},
        )
        assert response.status_code == 200
        assert response.json() == {"url": "http://testserver/api/auth/signin?csrf=true"}
        assert "sessionid" not in response.cookies
        assert self.client.get("/api/auth/session").json() == {}

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

    def test_csrf_text_plain(self):
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/callback/credentials",
            f"csrfToken={token}&username=ada&password={PASSWORD}&json=true",
            content_type="text/plain",
        )
        assert response.status_code == 302
        assert response["Location"] == "http://testserver/api/auth/signin?csrf=true"
        assert self.client.get("/api/auth/session").json() == {}

    def test_csrf_origin_checked_over_https(self):
        token = self.client.get("/api/auth/csrf", secure=True).json()["csrfToken"]
        for origin in ("https://evil.example", "null"):
            response = self.client.post(
                "/api/auth/callback/credentials",
                {
                    "csrfToken": token,
                    "username": "ada",
                    "password": PASSWORD,
                    "json": "true",
                },
                secure=True,
                headers={"Origin": origin},
            )
            assert response.json() == {
                "url": "https://testserver/api/auth/signin?csrf=true"
            }, origin
        response = self.client.post(
            "/api/auth/callback/credentials",
            {
                "csrfToken": token,
                "username": "ada",
                "password": PASSWORD,
                "json": "true",
            },
            secure=True,
            headers={"Origin": "https://testserver"},
        )
        assert response.json() == {"url": "https://testserver/"}

    def test_login_cycles_session_and_rotates_csrf(self):
        token_before = csrf_token(self.client)
        cookie_before = self.client.cookies["csrftoken"].value
        session = self.client.session
        session["planted"] = "anonymous data"
        session.save()
        key_before = session.session_key
        assert key_before is not None
        self.client.cookies["sessionid"] = key_before
        response = self.client.post(
            "/api/auth/callback/credentials",
            {
                "csrfToken": token_before,
                "username": "ada",
                "password": PASSWORD,
                "json": "true",
            },
        )
        assert response.status_code == 200
        assert response.cookies["sessionid"].value != key_before
        assert response.cookies["csrftoken"].value != cookie_before
        assert not SessionRow.objects.filter(session_key=key_before).exists()

    def test_get_not_allowed(self):
        response = self.client.get(
            "/api/auth/callback/credentials?username=ada&password=x"
        )
        assert response.status_code == 405
        assert response["Allow"] == "POST"
        assert self.client.get("/api/auth/session").json() == {}

    def test_malformed_bodies(self):
        for body, content_type in (
            (b"{bad json", "application/json"),
            (b"\xff\xfe", "application/json"),
            (b"--x\r\n", "multipart/form-data"),
        ):
            response = self.client.post(
                "/api/auth/callback/credentials", body, content_type=content_type
            )
            assert response.status_code == 400, content_type

    def test_nul_in_username(self):
        response = self._post(username="ada\x00", password=PASSWORD, json="true")
        assert response.status_code == 401

    def test_overlong_username_is_not_normalized(self):
        response = self._post(username="ａ" * 10_000, password=PASSWORD, json="true")
        assert response.status_code == 401

    def test_nfkc_username_as_django_login_form(self):
        response = self._post(username="ａｄａ", password=PASSWORD, json="true")
        assert response.json() == {"url": "http://testserver/"}

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_disabled(self):
        response = self.client.post(
            "/api/auth/callback/credentials",
            {"csrfToken": "x", "username": "ada", "password": PASSWORD},
        )
        assert response.status_code == 404
        assert b"This sign-in method is not available." in response.content

    def test_unknown_provider_callback(self):
        for method in ("get", "post"):
            response = getattr(self.client, method)("/api/auth/callback/nosuch")
            assert response.status_code == 404, method
            assert b"nosuch" not in response.content

    def test_unknown_provider_callback_json(self):
        response = self.client.post("/api/auth/callback/nosuch", {"json": "true"})
        assert response.status_code == 404
        assert response.json() == {
            "url": "http://testserver/api/auth/error?error=InvalidProvider"
        }

    def test_unknown_provider_callback_malformed_body(self):
        response = self.client.post(
            "/api/auth/callback/nosuch", b"{", content_type="application/json"
        )
        assert response.status_code == 404


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

    def test_unknown_provider(self):
        response = self.client.post(
            "/api/auth/signin/nosuchprovider",
            {"csrfToken": csrf_token(self.client), "json": "true"},
        )
        assert response.status_code == 404
        assert response.json() == {
            "url": "http://testserver/api/auth/error?error=InvalidProvider"
        }

    def test_unknown_provider_html(self):
        response = self.client.post(
            "/api/auth/signin/%3Cscript%3E", {"csrfToken": csrf_token(self.client)}
        )
        assert response.status_code == 404
        assert b"<script>" not in response.content

    def test_csrf(self):
        response = self.client.post("/api/auth/signin/nosuchprovider", {"json": "true"})
        assert response.status_code == 200
        assert response.json() == {"url": "http://testserver/api/auth/signin?csrf=true"}

    def test_malformed_body(self):
        response = self.client.post(
            "/api/auth/signin/credentials", b"[", content_type="application/json"
        )
        assert response.status_code == 400

    def test_provider_id_shapes(self):
        token = csrf_token(self.client)
        for path in (
            "..%2F..%2Fadmin",
            "%2e%2e",
            "github%2F..%2Fcredentials",
            "credentials%00",
            "CREDENTIALS",
            "ｃｒｅｄｅｎｔｉａｌｓ",
        ):
            response = self.client.post(
                f"/api/auth/signin/{path}", {"csrfToken": token, "json": "true"}
            )
            assert response.status_code == 404, path
            # Ids with an encoded "/" never reach the view: the resolver answers 404.
            if response["Content-Type"] == "application/json":
                assert response.json() == {
                    "url": "http://testserver/api/auth/error?error=InvalidProvider"
                }, path

    def test_unknown_actions(self):
        for path in (
            "signinn",
            "auth/signin",
            "signin/credentials/extra",
            "verify-request",
        ):
            assert self.client.get(f"/api/auth/{path}").status_code == 404, path


class SignOutTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()
        sign_in(self.client)

    def test_page_does_not_sign_out(self):
        response = self.client.get("/api/auth/signout?callbackUrl=/bye")
        assert response.status_code == 200
        assert_no_store(response)
        html = response.content.decode()
        assert (
            '<form class="useauth-sign-out" method="post" action="/api/auth/signout">'
            in html
        )
        assert '<input type="hidden" name="callbackUrl" value="/bye">' in html
        assert "Are you sure you want to sign out?" in html
        assert self.client.get("/api/auth/session").json() != {}

    def test_page_csrf_message(self):
        html = self.client.get("/api/auth/signout?csrf=true").content.decode()
        assert "The form expired. Please try again." in html

    def test_sign_out_json(self):
        key = self.client.cookies["sessionid"].value
        response = self.client.post(
            "/api/auth/signout",
            {
                "csrfToken": csrf_token(self.client),
                "callbackUrl": "/after-logout",
                "json": "true",
            },
        )
        assert response.status_code == 200
        assert_no_store(response)
        assert response.json() == {"url": "http://testserver/after-logout"}
        assert response.cookies["sessionid"].value == ""
        assert not SessionRow.objects.filter(session_key=key).exists()
        assert self.client.get("/api/auth/session").json() == {}

    def test_copied_cookie_is_dead_after_sign_out(self):
        key = self.client.cookies["sessionid"].value
        self.client.post("/api/auth/signout", {"csrfToken": csrf_token(self.client)})
        other = csrf_client()
        other.cookies["sessionid"] = key
        assert other.get("/api/auth/session").json() == {}

    def test_sign_out_redirect(self):
        response = self.client.post(
            "/api/auth/signout", {"csrfToken": csrf_token(self.client)}
        )
        assert response.status_code == 302
        assert response["Location"] == "http://testserver/"

    def test_signed_out_already(self):
        client = csrf_client()
        response = client.post(
            "/api/auth/signout",
            {
                "csrfToken": csrf_token(client),
                "callbackUrl": "/after-logout",
                "json": "true",
            },
        )
        assert response.json() == {"url": "http://testserver/after-logout"}

    def test_csrf_missing(self):
        response = self.client.post("/api/auth/signout", {"json": "true"})
        assert response.json() == {
            "url": "http://testserver/api/auth/signout?csrf=true"
        }
        assert self.client.get("/api/auth/session").json() != {}

    def test_token_of_another_client(self):
        other = csrf_client()
        token = csrf_token(other)
        response = self.client.post("/api/auth/signout", {"csrfToken": token})
        assert response["Location"] == "http://testserver/api/auth/signout?csrf=true"
        assert self.client.get("/api/auth/session").json() != {}

    def test_malformed_body(self):
        response = self.client.post(
            "/api/auth/signout", b"{", content_type="application/json"
        )
        assert response.status_code == 400
        assert self.client.get("/api/auth/session").json() != {}

    @override_settings(USEAUTH_PAGES_SIGN_OUT="/goodbye/")
    def test_custom_page(self):
        response = self.client.get("/api/auth/signout?callbackUrl=/x&csrf=true")
        assert response["Location"] == "/goodbye/?callbackUrl=%2Fx&csrf=true"
        assert_no_store(response)
        response = self.client.get("/api/auth/signout")
        assert response["Location"] == "/goodbye/"


class ErrorPageTests(TestCase):
    def test_statuses(self):
        cases = {
            "Configuration": (
                500,
                "Server error",
                "There is a problem with the server configuration.",
            ),
            "configuration": (
                500,
                "Server error",
                "Check the server logs for more information.",
            ),
            "AccessDenied": (
                403,
                "Access Denied",
                "You do not have permission to sign in.",
            ),
            "Verification": (
                403,
                "Unable to sign in",
                "The sign in link is no longer valid.",
            ),
            "InvalidProvider": (
                404,
                "Unable to sign in",
                "This sign-in method is not available.",
            ),
            "Default": (200, "Error", "testserver"),
        }
        for code, (status, heading, text) in cases.items():
            response = self.client.get("/api/auth/error", {"error": code})
            html = response.content.decode()
            assert response.status_code == status, code
            assert f"<h1>{heading}</h1>" in html, code
            assert text in html, code
            assert_no_store(response)

    def test_no_code(self):
        response = self.client.get("/api/auth/error")
        assert response.status_code == 200
        assert (
            '<a href="http://testserver/">testserver</a>' in response.content.decode()
        )

    def test_unknown_code_not_reflected(self):
        for code in ("<script>alert(1)</script>", "Configuration\r\nX: 1", "x" * 5000):
            response = self.client.get("/api/auth/error", {"error": code})
            assert response.status_code == 200
            assert b"<h1>Error</h1>" in response.content
            assert b"script>alert" not in response.content
            assert "X" not in response.headers

    def test_sign_in_errors_go_to_sign_in_page(self):
        for code in (
            "Signin",
            "OAuthSignin",
            "OAuthCallback",
            "OAuthCreateAccount",
            "EmailCreateAccount",
            "Callback",
            "OAuthAccountNotLinked",
            "EmailSignin",
            "CredentialsSignin",
            "SessionRequired",
        ):
            response = self.client.get("/api/auth/error", {"error": code})
            assert response.status_code == 302, code
            assert response["Location"] == f"/api/auth/signin?error={code}"

    def test_sign_in_link(self):
        html = self.client.get("/api/auth/error?error=AccessDenied").content.decode()
        assert '<a class="useauth-button" href="/api/auth/signin">Sign in</a>' in html

    @override_settings(USEAUTH_PAGES_ERROR="/oops/")
    def test_custom_page(self):
        response = self.client.get("/api/auth/error?error=AccessDenied&callbackUrl=/p")
        assert response["Location"] == "/oops/?error=AccessDenied&callbackUrl=%2Fp"
        response = self.client.get("/api/auth/error?error=junk")
        assert response["Location"] == "/oops/?error=Default"

    @override_settings(USEAUTH_PAGES_SIGN_IN="/login/")
    def test_sign_in_error_with_custom_sign_in_page(self):
        response = self.client.get(
            "/api/auth/error?error=CredentialsSignin&callbackUrl=/p"
        )
        assert (
            response["Location"] == "/login/?error=CredentialsSignin&callbackUrl=%2Fp"
        )


class LogTests(TestCase):
    def test_beacon(self):
        response = csrf_client().post(
            "/api/auth/_log",
            {"level": "error", "code": "CLIENT_FETCH_ERROR", "message": "x"},
        )
        assert response.status_code == 200
        assert response.content == b""

    def test_get(self):
        assert self.client.get("/api/auth/_log").status_code == 405


@override_settings(
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
        "django_useauth.middleware.AuthMiddleware",
    ]
)
class LoginRequiredMiddlewareTests(TestCase):
    def test_endpoints_are_reachable_signed_out(self):
        for path in (
            "csrf",
            "providers",
            "session",
            "signin",
            "signout",
            "error",
            "signin/credentials",
        ):
            response = self.client.get(f"/api/auth/{path}")
            assert response.status_code == 200, path

    def test_posts_are_reachable_signed_out(self):
        make_user()
        response = sign_in(self.client)
        assert response.json() == {"url": "http://testserver/"}

    def test_decorated_views_answer_themselves(self):
        response = self.client.get("/protected/?x=1")
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Fprotected%2F%3Fx%3D1"
        )
        assert self.client.get("/guest/").status_code == 200
        assert self.client.get("/cbv-guest/").status_code == 200

    def test_plain_view_still_protected(self):
        response = self.client.get("/plain/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        make_user()
        sign_in(self.client)
        assert self.client.get("/plain/").content == b"plain"
