"""ATTACKS L1–L3: provider ids in the URL."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from unittest import mock
from urllib.parse import quote

from django.conf import settings
from django.test import override_settings
from django.utils.module_loading import import_string

from tests.attacks.base import TokenAttackTestCase
from tests.attacks.base import assert_json
from tests.utils import BASE
from tests.utils import GITHUB

if TYPE_CHECKING:
    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


@override_settings(**GITHUB)
class ProviderIdTests(TokenAttackTestCase):
    def assert_invalid_provider(self, response: TestResponse, provider: str) -> None:
        assert response.status_code == 404
        assert not response.has_header("Location")
        assert provider.encode() not in response.content
        assert escape(provider).encode() not in response.content

    def test_L1_unknown_provider(self):
        for provider in ("doesnotexist", "<img src=x onerror=alert(1)>", "<script>"):
            with self.subTest(provider=provider):
                route = quote(provider, safe="")
                as_json = self.client.post(
                    f"/api/auth/signin/{route}",
                    {"csrfToken": self.token, "json": "true"},
                )
                assert_json(
                    as_json, 404, {"url": f"{BASE}/error?error=InvalidProvider"}
                )
                for response in (
                    self.client.post(
                        f"/api/auth/signin/{route}", {"csrfToken": self.token}
                    ),
                    self.client.get(f"/api/auth/callback/{route}?code=x&state=y"),
                    self.client.post(f"/api/auth/callback/{route}?code=x&state=y"),
                ):
                    self.assert_invalid_provider(response, provider)
                    assert response["Content-Type"] == "text/html; charset=utf-8"
                    assert b"This sign-in method is not available." in response.content
                callback_json = self.client.post(
                    f"/api/auth/callback/{route}", {"json": "true"}
                )
                assert_json(
                    callback_json, 404, {"url": f"{BASE}/error?error=InvalidProvider"}
                )
        assert "sessionid" not in self.client.cookies

    def test_L2_path_traversal_and_encoded_ids(self):
        routes = [
            "/api/auth/signin/..%2F..%2Fadmin",
            "/api/auth/signin/%2e%2e",
            "/api/auth/callback/%2e%2e",
            "/api/auth/signin/github%2F..%2Fcredentials",
            "/api/auth/signin/credentials%00",
            "/api/auth/signin/CREDENTIALS",
            f"/api/auth/signin/{quote('ｃｒｅｄｅｎｔｉａｌｓ')}",
            "/api/auth/signin/github%00",
            "/api/auth/signin/GITHUB",
            "/api/auth/callback/GITHUB",
            f"/api/auth/signin/{quote('ｇｉｔｈｕｂ')}",
            "/api/auth/signin/social_core.backends.github.GithubOAuth2",
            "/api/auth/signin/django.contrib.auth.backends.ModelBackend",
            "/api/auth/signin/github%20",
        ]
        with mock.patch(
            "django_useauth.internal.providers.import_string", wraps=import_string
        ) as imported:
            for route in routes:
                with self.subTest(route=route):
                    response = self.client.post(
                        route, {"csrfToken": self.token, "json": "true"}
                    )
                    assert response.status_code == 404
                    assert not response.has_header("Location")
                    assert b"github.com" not in response.content
                    # The view's own 404 (an id with an encoded "/" never
                    # reaches it: the URL resolver answers that one).
                    if response["Content-Type"] == "application/json":
                        assert response.json() == {
                            "url": f"{BASE}/error?error=InvalidProvider"
                        }
        # Nothing was imported by a name from a request.
        assert {call.args[0] for call in imported.call_args_list} <= set(
            settings.AUTHENTICATION_BACKENDS
        )
        assert "sessionid" not in self.client.cookies
        # The only other spelling of an id that resolves: a trailing slash, as in Auth.js.
        trailing = self.client.post(
            "/api/auth/signin/github/", {"csrfToken": self.token, "json": "true"}
        )
        assert trailing.json()["url"].startswith(
            "https://github.com/login/oauth/authorize?"
        )

    def test_L3_action_confusion(self):
        for route in (
            "/api/auth/signinn",
            "/api/auth/auth/signin",
            "/api/auth/signin/github/extra",
            "/api/auth/signin/credentials/extra",
            "/api/auth/callback/github/extra",
            "/api/auth/sessions",
            "/api/auth/signin/",
            "/api/auth/callback/",
            "/api/auth/verify-request/",
            "/api/auth/verify-requests",
        ):
            with self.subTest(route=route):
                assert self.client.get(route).status_code == 404
                assert (
                    self.client.post(
                        route, {"csrfToken": self.token, "json": "true"}
                    ).status_code
                    == 404
                )
        assert "sessionid" not in self.client.cookies
