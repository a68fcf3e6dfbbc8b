"""``USEAUTH_URL``'s origin is trusted by the endpoints' CSRF check: a front end behind a proxy that drops ``Host`` (Nuxt's routeRules proxy)."""

from __future__ import annotations

import logging
from typing import Any

from django.test import TestCase
from django.test import override_settings

from django_useauth.internal import csrf
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user

NUXT = "http://localhost:3000"


class OwnOriginTests(TestCase):
    def setUp(self) -> None:
        make_user()
        self.client = csrf_client()
        csrf._explained.clear()

    def sign_in(self, origin: str | None, **extra: Any) -> str:
        data = {
            "csrfToken": csrf_token(self.client),
            "username": "ada",
            "password": PASSWORD,
            "json": "true",
        }
        # The proxy passes the browser's Origin on, but not its Host.
        headers = {"Origin": origin} if origin is not None else {}
        response = self.client.post(
            "/api/auth/callback/credentials", data, headers=headers, **extra
        )
        url: str = response.json()["url"]
        return url

    @override_settings(USEAUTH_URL=NUXT)
    def test_useauth_url_alone_is_enough(self) -> None:
        assert self.sign_in(NUXT) == f"{NUXT}/"
        assert (
            self.client.get("/api/auth/session").json()["user"]["name"]
            == "Ada Lovelace"
        )

    @override_settings(USEAUTH_URL=f"{NUXT}/app")
    def test_only_its_origin_counts(self) -> None:
        assert "csrf=true" not in self.sign_in(NUXT)

    @override_settings(USEAUTH_URL="https://example.com")
    def test_over_https_without_origin_the_referer_may_name_it(self) -> None:
        url = self.sign_in(None, secure=True, HTTP_REFERER="https://example.com/login")
        assert "csrf=true" not in url
        url = self.sign_in(None, secure=True, HTTP_REFERER="https://evil.example/")
        assert url.endswith("/signin?csrf=true")

    @override_settings(USEAUTH_URL=NUXT)
    def test_other_origins_are_still_refused(self) -> None:
        assert self.sign_in("https://evil.example").endswith("/signin?csrf=true")
        assert self.client.get("/api/auth/session").json() == {}

    def test_without_useauth_url_the_refusal_is_explained_once(self) -> None:
        with self.assertLogs("django_useauth.internal.csrf", logging.ERROR) as logs:
            assert self.sign_in(NUXT).endswith("/signin?csrf=true")
            assert self.sign_in(NUXT).endswith("/signin?csrf=true")
        assert len(logs.records) == 1
        message = logs.records[0].getMessage()
        assert f"USEAUTH_URL = '{NUXT}'" in message
        assert "CSRF_TRUSTED_ORIGINS" in message
        assert "?csrf=true" in message

    def test_an_opaque_origin_gets_no_advice(self) -> None:
        # "Origin: null" (a sandboxed frame, a no-referrer page) is no front
        # end: trusting it as USEAUTH_URL would be wrong advice.
        with self.assertNoLogs("django_useauth.internal.csrf", logging.ERROR):
            assert self.sign_in("null").endswith("/signin?csrf=true")
        assert "null" not in csrf._explained

    def test_a_missing_token_is_not_explained_as_an_origin(self) -> None:
        with self.assertNoLogs("django_useauth.internal.csrf", logging.ERROR):
            response = self.client.post(
                "/api/auth/callback/credentials",
                {"username": "ada", "password": PASSWORD, "json": "true"},
            )
        assert response.json()["url"].endswith("/signin?csrf=true")

    @override_settings(USEAUTH_URL="not a url")
    def test_a_useauth_url_without_origin_trusts_nothing(self) -> None:
        assert self.sign_in(NUXT).endswith("/signin?csrf=true")


class ExplainedOriginsTests(TestCase):
    def setUp(self) -> None:
        csrf._explained.clear()

    def test_only_the_first_few_origins_are_explained(self) -> None:
        # An attacker chooses the Origin header: the log and the memory it
        # takes stay bounded.
        client = csrf_client()
        with self.assertLogs("django_useauth.internal.csrf", logging.ERROR) as logs:
            for number in range(40):
                client.post(
                    "/api/auth/signout",
                    {"csrfToken": csrf_token(client), "json": "true"},
                    headers={"Origin": f"https://evil{number}.example"},
                )
        assert len(logs.records) == csrf._EXPLAINED_AT_MOST
        assert len(csrf._explained) == csrf._EXPLAINED_AT_MOST


class WithoutOwnOriginTests(TestCase):
    def test_https_referer_of_the_site_itself(self) -> None:
        # No USEAUTH_URL: Django's own Referer rule, unchanged.
        make_user()
        client = csrf_client()
        data = {
            "csrfToken": csrf_token(client),
            "username": "ada",
            "password": PASSWORD,
            "json": "true",
        }
        ok = client.post(
            "/api/auth/callback/credentials",
            data,
            secure=True,
            HTTP_REFERER="https://testserver/",
        )
        assert "csrf=true" not in ok.json()["url"]
