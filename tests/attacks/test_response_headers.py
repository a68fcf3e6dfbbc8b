"""ATTACKS G1–G6: the JSON endpoints, caching and response headers."""

from __future__ import annotations

import json
import re
from html import escape
from html import unescape

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.test import override_settings
from django.urls import path
from social_django.models import UserSocialAuth

from tests import urls as test_urls
from tests.attacks.base import CSRF
from tests.attacks.base import SESSION
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import AttackTestCase
from tests.attacks.base import cached_middleware
from tests.attacks.base import post_credentials
from tests.attacks.base import post_json
from tests.attacks.base import session_json
from tests.attacks.base import session_key
from tests.expected import ADA
from tests.utils import EXPIRES_RE
from tests.utils import GITHUB
from tests.utils import HIDDEN_CALLBACK
from tests.utils import PASSWORD
from tests.utils import assert_never_cached
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import sign_in


def tags_page(request: HttpRequest) -> HttpResponse:
    """Every template tag of ``{% load django_useauth %}``, and the ``auth`` context variable."""
    template = engines["django"].from_string(TAGS_PAGE)
    return HttpResponse(template.render(request=request))


TAGS_PAGE = """{% load django_useauth %}<head>{% useauth_script %}</head>
<p id="status">{% auth_status %}</p>
<p id="name">{% auth_user %}</p>
<p id="email">{% auth_user "email" %}</p>
<p id="context">{{ auth.data.user.name }}</p>
<a id="url" href="{% sign_in_url %}">sign in</a>
{% sign_in_link "Sign in" %}
{% sign_out_form "Sign out" %}
{% provider_buttons %}
{% credentials_form %}"""


class TagsUrlconf:
    """The test URLs plus ``/tags/`` (G6)."""

    urlpatterns = [*test_urls.urlpatterns, path("tags/", tags_page)]


class ResponseHeaderTests(AttackTestCase):
    def test_G1_auth_responses_are_not_cacheable(self):
        client = self.client
        responses = {
            "GET session, signed out": client.get(SESSION),
            "GET csrf": client.get(CSRF),
            "HEAD session": client.head(SESSION),
            "POST session, CSRF failure": post_json(client, SESSION, {"data": {}}),
            "POST callback, CSRF failure": post_credentials(
                client, None, "ada", PASSWORD
            ),
            "POST callback, failure": post_credentials(
                client, csrf_token(client), "ada"
            ),
            "POST callback, failure, 302": post_credentials(
                client, csrf_token(client), "ada", json_mode=False
            ),
            "POST callback, success": post_credentials(
                client, csrf_token(client), "ada", PASSWORD
            ),
            "GET session, signed in": client.get(SESSION),
            "POST session": post_json(
                client, SESSION, {"csrfToken": csrf_token(client), "data": {}}
            ),
            "POST signout, CSRF failure": client.post(SIGN_OUT, {"json": "true"}),
            "POST signout": client.post(SIGN_OUT, {"csrfToken": csrf_token(client)}),
            "POST callback, success, 302": post_credentials(
                client, csrf_token(client), "ada", PASSWORD, json_mode=False
            ),
            "POST signout, JSON": client.post(
                SIGN_OUT, {"csrfToken": csrf_token(client), "json": "true"}
            ),
        }
        for name, response in responses.items():
            with self.subTest(name):
                assert response.status_code in (200, 302, 400, 401)
                assert_never_cached(response)

    def test_G2_shared_cache_does_not_mix_users(self):
        make_user("bob", first_name="Bob", last_name="", email="bob@example.com")
        ada = csrf_client()
        sign_in(ada)
        bob = csrf_client()
        sign_in(bob, "bob")
        bob.cookies["lang"] = "fr"
        stranger = Client()
        stranger.cookies["lang"] = "fr"
        with self.settings(MIDDLEWARE=cached_middleware()):
            for _ in range(2):
                assert session_json(ada)["user"] == ADA
                assert session_json(bob)["user"]["name"] == "Bob"
                assert session_json(stranger) == {}
                assert session_json(Client()) == {}
                # A page that embeds the session varies by cookie.
                assert ada.get("/status/").json()["data"]["user"] == ADA
                assert bob.get("/status/").json()["data"]["user"]["name"] == "Bob"
                assert stranger.get("/status/").json()["status"] == "unauthenticated"
                assert Client().get("/status/").json()["status"] == "unauthenticated"

    @override_settings(**GITHUB)
    def test_G3_json_content_type_and_nosniff(self):
        client = self.client
        token = csrf_token(client)
        responses = [
            client.get(CSRF),
            client.get("/api/auth/providers"),
            client.get(SESSION),
            client.get(f"{SESSION}?callback=alert"),
            post_json(client, SESSION, {"data": {}}),
            post_credentials(client, None, "ada", PASSWORD),
            post_credentials(client, token, "ada"),
            client.post(
                "/api/auth/signin/github", {"csrfToken": token, "json": "true"}
            ),
            client.post("/api/auth/signin/nope", {"csrfToken": token, "json": "true"}),
            client.get("/protected/", headers={"Accept": "application/json"}),
            post_credentials(client, token, "ada", PASSWORD),
            client.get(SESSION),
            post_json(client, SESSION, {"csrfToken": csrf_token(client), "data": {}}),
            client.post(SIGN_OUT, {"csrfToken": csrf_token(client), "json": "true"}),
        ]
        for response in responses:
            with self.subTest(path=response.request["PATH_INFO"]):
                assert response["Content-Type"] == "application/json"
                assert response["X-Content-Type-Options"] == "nosniff"
                assert isinstance(json.loads(response.content), dict)
                assert response.content.startswith(b"{")

    def test_G4_minimal_session_payload(self):
        UserSocialAuth.objects.create(
            user=self.user,
            provider="github",
            uid="4242",
            extra_data={
                "access_token": "gho_accesstoken",
                "refresh_token": "ghr_refreshtoken",
                "id_token": "eyJidtoken",
            },
        )
        sign_in(self.client)
        response = self.client.get(SESSION)
        body = response.json()
        assert body == {"user": ADA, "expires": body["expires"]}
        assert EXPIRES_RE.fullmatch(body["expires"])
        user = User.objects.get(username="ada")
        for secret in (
            user.password,
            "gho_accesstoken",
            "ghr_refreshtoken",
            "eyJidtoken",
            session_key(self.client),
        ):
            assert secret.encode() not in response.content

    def test_G5_error_page_does_not_reflect_input(self):
        for code in ("<script>alert(1)</script>", "Configuration\r\nX: 1", "x" * 5000):
            with self.subTest(code=code[:40]):
                hostile = self.client.get("/api/auth/error", {"error": code})
                assert hostile.status_code == 200
                assert b"<h1>Error</h1>" in hostile.content
                assert b"alert(1)" not in hostile.content
                assert b"<script" not in hostile.content
                assert not hostile.has_header("X")
        injected = self.client.get("/api/auth/error?error=Configuration%0d%0aX:1")
        assert injected.status_code == 200
        assert not injected.has_header("X")
        assert b"X:1" not in injected.content
        for code, status in (
            ("AccessDenied", 403),
            ("accessdenied", 403),
            ("Verification", 403),
            ("Configuration", 500),
            ("InvalidProvider", 404),
            ("Default", 200),
            ("Nope", 200),
        ):
            with self.subTest(code=code):
                response = self.client.get(
                    "/api/auth/error",
                    {"error": code, "callbackUrl": "javascript:alert(1)"},
                )
                assert response.status_code == status
                assert response["Content-Type"] == "text/html; charset=utf-8"
                assert_never_cached(response)
                assert b"javascript" not in response.content
        sign_in_page = self.client.get(
            "/api/auth/signin", {"error": "<script>alert(1)</script>"}
        )
        assert (
            b'<p class="useauth-error" role="alert">Unable to sign in.</p>'
            in sign_in_page.content
        )
        assert b"alert(1)" not in sign_in_page.content
        with self.settings(USEAUTH_PAGES_ERROR="/custom-error/"):
            custom = self.client.get(
                "/api/auth/error?error=%3Cscript%3E&callbackUrl=//evil.example"
            )
        assert custom.status_code == 302
        assert custom["Location"] == "/custom-error/?error=Default"

    @override_settings(ROOT_URLCONF=TagsUrlconf, **GITHUB)
    def test_G6_template_tags_escape_user_data(self):
        first = "<img src=x onerror=alert(1)>"
        last = '"><script>alert(2)</script>'
        email = '"onmouseover="alert(3)"@example.com'
        make_user("mallory", first_name=first, last_name=last, email=email)
        sign_in(self.client, "mallory")
        response = self.client.get('/tags/?q="><svg onload=alert(4)>')
        assert response.status_code == 200
        html = response.content.decode()
        for raw in (
            "<img",
            "<script>alert",
            "<svg",
            'onmouseover="alert',
            "onload=alert(4)>",
        ):
            assert raw not in html, raw
        name = f"{first} {last}"
        assert '<p id="status">authenticated</p>' in html
        assert f'<p id="name">{escape(name)}</p>' in html
        assert f'<p id="context">{escape(name)}</p>' in html
        assert f'<p id="email">{escape(email)}</p>' in html
        data = re.search(
            r'<script id="useauth-data" type="application/json">(.*?)</script>', html
        )
        assert data is not None
        assert "<" not in data.group(1)
        assert json.loads(data.group(1))["session"]["user"] == {
            "name": name,
            "email": email,
            "image": None,
        }
        callback_urls = HIDDEN_CALLBACK.findall(html)
        assert (
            len(callback_urls) == 3
        )  # sign-out form, provider button, credentials form
        assert {unescape(value) for value in callback_urls} == {
            "/tags/?q=%22%3E%3Csvg%20onload=alert(4)%3E"
        }
        assert (
            'href="/api/auth/signin?callbackUrl=%2Ftags%2F%3Fq%3D%2522%253E%253Csvg%2520onload%3Dalert%284%29%253E"'
            in html
        )
