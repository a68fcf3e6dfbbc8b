"""ATTACKS J1–J4: HTTP methods."""

from __future__ import annotations

from urllib.parse import urlencode

from django.test import override_settings

from tests.attacks.base import CREDENTIALS
from tests.attacks.base import CSRF
from tests.attacks.base import ROUTES
from tests.attacks.base import SESSION
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_no_cors
from tests.attacks.base import session_json
from tests.attacks.base import session_key
from tests.expected import ADA
from tests.utils import FORM
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import sign_in
from tests.utils import store

UNKNOWN_ROUTES = (
    "/api/auth/",
    "/api/auth/verify-request/",
    "/api/auth/error/Configuration",
    "/api/auth/session/",
)


class MethodTests(AttackTestCase):
    @override_settings(**GITHUB)
    def test_J1_unknown_and_unsafe_methods(self):
        sign_in(self.client)
        key = session_key(self.client)
        stored = dict(store(key).items())
        body = urlencode(
            {
                "csrfToken": csrf_token(self.client),
                "username": "ada",
                "password": PASSWORD,
            }
        )
        for method in ("PUT", "PATCH", "DELETE", "TRACE", "FOO"):
            for route, allow in ROUTES.items():
                with self.subTest(method=method, route=route):
                    response = self.client.generic(
                        method, route, body, content_type=FORM
                    )
                    assert response.status_code == 405
                    assert response["Allow"] == allow
                    assert response.content == b""
            for route in UNKNOWN_ROUTES:
                with self.subTest(method=method, route=route):
                    assert self.client.generic(method, route).status_code == 404
        assert session_json(self.client)["user"] == ADA
        assert dict(store(key).items()) == stored

    def test_J2_head(self):
        fresh = csrf_client()
        head = fresh.head(CSRF)
        assert head.status_code == 200
        assert head.content == b""
        issued = head.cookies["csrftoken"].value
        assert fresh.get(CSRF).cookies["csrftoken"].value == issued
        sign_in(self.client)
        key = session_key(self.client)
        stored = dict(store(key).items())
        cookie = self.client.cookies["csrftoken"].value
        for route in (SESSION, CSRF):
            with self.subTest(route=route):
                get = self.client.get(route)
                head = self.client.head(route)
                assert head.status_code == 200
                assert head.content == b""
                for header in (
                    "Content-Type",
                    "Cache-Control",
                    "Vary",
                    "X-Content-Type-Options",
                ):
                    assert head[header] == get[header]
        assert self.client.head(SIGN_OUT).status_code == 200
        callback = self.client.head(CREDENTIALS)
        assert callback.status_code == 405
        assert callback["Allow"] == "POST"
        assert self.client.cookies["csrftoken"].value == cookie
        assert session_json(self.client)["user"] == ADA
        assert dict(store(key).items()) == stored

    @override_settings(**GITHUB)
    def test_J3_options(self):
        sign_in(self.client)
        key = session_key(self.client)
        stored = dict(store(key).items())
        for route, allow in ROUTES.items():
            with self.subTest(route=route):
                response = self.client.options(
                    route, headers={"Origin": "https://evil.example"}
                )
                assert response.status_code == 405
                assert response["Allow"] == allow
                assert_no_cors(response)
        for route in UNKNOWN_ROUTES:
            with self.subTest(route=route):
                assert self.client.options(route).status_code == 404
        assert session_json(self.client)["user"] == ADA
        assert dict(store(key).items()) == stored

    @override_settings(**GITHUB)
    def test_J4_get_on_post_only_actions(self):
        start = self.client.get("/api/auth/signin/github?callbackUrl=/x")
        assert start.status_code == 200
        assert start["Content-Type"] == "text/html; charset=utf-8"
        assert b"Sign in with GitHub" in start.content
        assert b"github.com" not in start.content
        assert "sessionid" not in self.client.cookies
        credentials = self.client.get(f"{CREDENTIALS}?username=ada&password=x")
        assert credentials.status_code == 405
        assert credentials["Allow"] == "POST"
        assert session_json(self.client) == {}
        sign_in(self.client)
        assert self.client.get(SIGN_OUT).status_code == 200
        assert session_json(self.client)["user"] == ADA
