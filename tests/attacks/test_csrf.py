"""ATTACKS A1–A8: CSRF on every endpoint that changes state."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib.sessions.models import Session as SessionRow
from django.test import override_settings

from django_useauth.signals import session_updated
from tests import callbacks
from tests.attacks.base import CREDENTIALS
from tests.attacks.base import CSRF
from tests.attacks.base import HOME
from tests.attacks.base import SESSION
from tests.attacks.base import SIGN_IN_CSRF
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import SIGN_OUT_CSRF
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import post_credentials
from tests.attacks.base import post_json
from tests.attacks.base import session_json
from tests.attacks.base import session_key
from tests.expected import ADA
from tests.utils import BASE
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import assert_never_cached
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import sign_in
from tests.utils import store


class CsrfTests(AttackTestCase):
    @override_settings(**GITHUB)
    def test_A1_signin_provider_without_token(self):
        token = csrf_token(self.client)
        # A valid CSRF cookie, but no token (or a wrong one) in the form.
        redirect = self.client.post(
            "/api/auth/signin/github", {"callbackUrl": "/after"}
        )
        assert redirect.status_code == 302
        assert redirect["Location"] == f"{BASE}/signin?csrf=true"
        assert_never_cached(redirect)
        for body in (
            {"callbackUrl": "/after", "json": "true"},
            {"csrfToken": "x" * 64, "json": "true"},
            {"csrfToken": "", "json": "true"},
        ):
            with self.subTest(body=body):
                assert_json(
                    self.client.post("/api/auth/signin/github", body), 200, SIGN_IN_CSRF
                )
        # No authorize URL, and no state or callbackUrl written: no session at all.
        assert "sessionid" not in self.client.cookies
        assert SessionRow.objects.count() == 0
        # The same request with the token does start the flow.
        started = self.client.post("/api/auth/signin/github", {"csrfToken": token})
        assert started["Location"].startswith(
            "https://github.com/login/oauth/authorize?"
        )
        assert any(key.startswith("github_") for key in self.client.session.keys())  # noqa: SIM118

    def test_A2_credentials_without_token(self):
        for has_csrf_cookie in (False, True):
            with self.subTest(has_csrf_cookie=has_csrf_cookie):
                victim = csrf_client()
                if has_csrf_cookie:
                    csrf_token(victim)
                form = post_credentials(
                    victim, None, "ada", PASSWORD, json_mode=False, callbackUrl="/after"
                )
                assert form.status_code == 302
                assert form["Location"] == f"{BASE}/signin?csrf=true"
                assert_never_cached(form)
                as_json = post_credentials(victim, None, "ada", PASSWORD)
                assert_json(as_json, 200, SIGN_IN_CSRF)
                assert "sessionid" not in victim.cookies
                assert session_json(victim) == {}
        assert SessionRow.objects.count() == 0

    def test_A3_token_from_another_session(self):
        attacker = csrf_client()
        token = csrf_token(attacker)
        sign_in(self.client)
        key = session_key(self.client)
        assert_json(
            self.client.post(SIGN_OUT, {"csrfToken": token, "json": "true"}),
            200,
            SIGN_OUT_CSRF,
        )
        redirect = self.client.post(SIGN_OUT, {"csrfToken": token})
        assert redirect.status_code == 302
        assert redirect["Location"] == f"{BASE}/signout?csrf=true"
        assert_json(
            post_json(self.client, SESSION, {"csrfToken": token, "data": {}}), 400, {}
        )
        assert session_json(self.client)["user"] == ADA
        assert store().exists(key)

    def test_A4_signout_without_token(self):
        sign_in(self.client)
        key = session_key(self.client)
        redirect = self.client.post(SIGN_OUT, {"callbackUrl": "/bye"})
        assert redirect.status_code == 302
        assert redirect["Location"] == f"{BASE}/signout?csrf=true"
        assert_json(self.client.post(SIGN_OUT, {"json": "true"}), 200, SIGN_OUT_CSRF)
        # GET only renders the confirmation page.
        page = self.client.get(SIGN_OUT)
        assert page.status_code == 200
        assert page["Content-Type"] == "text/html; charset=utf-8"
        assert_never_cached(page)
        assert b'<form class="useauth-sign-out" method="post"' in page.content
        assert session_json(self.client)["user"] == ADA
        assert store().exists(key)
        # With the token it signs out.
        done = self.client.post(
            SIGN_OUT, {"csrfToken": csrf_token(self.client), "json": "true"}
        )
        assert_json(done, 200, HOME)
        assert session_json(self.client) == {}
        assert not store().exists(key)

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session")
    def test_A5_session_update_without_token(self):
        callbacks.calls.clear()
        self.addCleanup(callbacks.calls.clear)
        received: list[object] = []

        def receiver(sender: object, data: object, **kwargs: object) -> None:
            received.append(data)

        session_updated.connect(receiver)
        self.addCleanup(session_updated.disconnect, receiver)
        sign_in(self.client)
        key = session_key(self.client)
        before = session_json(self.client)
        stored = dict(store(key).items())
        for body in (
            {"data": {"theme": "dark"}},
            {"csrfToken": "x" * 64, "data": {"theme": "dark"}},
            {"csrfToken": ["x"], "data": {"theme": "dark"}},
        ):
            with self.subTest(body=body):
                response = post_json(self.client, SESSION, body)
                assert_json(response, 400, {})
                assert_never_cached(response)
        assert_json(self.client.post(SESSION, {"data": "x"}), 400, {})
        assert received == []
        assert {call["trigger"] for call in callbacks.calls} == {"read"}
        assert session_json(self.client) == before
        assert dict(store(key).items()) == stored
        # With the token, the update reaches the session callback.
        token = csrf_token(self.client)
        response = post_json(
            self.client, SESSION, {"csrfToken": token, "data": {"theme": "dark"}}
        )
        assert response.status_code == 200
        assert response.json()["theme"] == "dark"
        assert received == [{"theme": "dark"}]

    def test_A6_cross_origin_post_over_https(self):
        https: dict[str, Any] = {"secure": True}
        token = self.client.get(CSRF, **https).json()["csrfToken"]
        signed = post_credentials(
            self.client,
            token,
            "ada",
            PASSWORD,
            headers={"Origin": "https://testserver"},
            **https,
        )
        assert_json(signed, 200, {"url": "https://testserver/"})
        key = session_key(self.client)
        token = self.client.get(CSRF, **https).json()["csrfToken"]
        for origin in ("https://evil.example", "null"):
            with self.subTest(origin=origin):
                headers = {"Origin": origin}
                login_csrf = csrf_client()
                login_token = login_csrf.get(CSRF, **https).json()["csrfToken"]
                with self.assertLogs("django.security.csrf", logging.WARNING) as logs:
                    sign_in_attempt = post_credentials(
                        login_csrf,
                        login_token,
                        "ada",
                        PASSWORD,
                        headers=headers,
                        **https,
                    )
                    sign_out = self.client.post(
                        SIGN_OUT,
                        {"csrfToken": token, "json": "true"},
                        headers=headers,
                        **https,
                    )
                    update = post_json(
                        self.client,
                        SESSION,
                        {"csrfToken": token, "data": {}},
                        headers=headers,
                        **https,
                    )
                assert_json(
                    sign_in_attempt,
                    200,
                    {"url": "https://testserver/api/auth/signin?csrf=true"},
                )
                assert_json(
                    sign_out,
                    200,
                    {"url": "https://testserver/api/auth/signout?csrf=true"},
                )
                assert_json(update, 400, {})
                reason = f"Origin checking failed - {origin} does not match any trusted origins."
                assert logs.output == [
                    f"WARNING:django.security.csrf:Forbidden ({reason}): {route}"
                    for route in (CREDENTIALS, SIGN_OUT, SESSION)
                ]
                assert "sessionid" not in login_csrf.cookies
                assert session_json(self.client, **https)["user"] == ADA
                assert store().exists(key)
        # Only an origin the project trusts is let through.
        trusting = csrf_client()
        trusted_token = trusting.get(CSRF, **https).json()["csrfToken"]
        with self.settings(CSRF_TRUSTED_ORIGINS=["https://evil.example"]):
            trusted = post_credentials(
                trusting,
                trusted_token,
                "ada",
                PASSWORD,
                headers={"Origin": "https://evil.example"},
                **https,
            )
        assert_json(trusted, 200, {"url": "https://testserver/"})

    def test_A7_csrf_token_rotates_on_sign_in(self):
        old_token = csrf_token(self.client)
        old_cookie = self.client.cookies["csrftoken"].value
        response = post_credentials(self.client, old_token, "ada", PASSWORD)
        assert_json(response, 200, HOME)
        new_cookie = response.cookies["csrftoken"].value
        assert new_cookie != old_cookie
        assert self.client.cookies["csrftoken"].value == new_cookie
        # The token captured before sign-in cannot be replayed after it.
        replay = self.client.post(SIGN_OUT, {"csrfToken": old_token, "json": "true"})
        assert_json(replay, 200, SIGN_OUT_CSRF)
        assert session_json(self.client)["user"] == ADA
        fresh = self.client.post(
            SIGN_OUT, {"csrfToken": csrf_token(self.client), "json": "true"}
        )
        assert_json(fresh, 200, HOME)

    def test_A8_simple_request_content_type(self):
        token = csrf_token(self.client)
        for body in (
            urlencode({"username": "ada", "password": PASSWORD}),
            urlencode(
                {
                    "csrfToken": token,
                    "username": "ada",
                    "password": PASSWORD,
                    "json": "true",
                }
            ),
        ):
            with self.subTest(body=body):
                response = self.client.post(
                    CREDENTIALS, body, content_type="text/plain"
                )
                # Not parsed, so no token: CSRF-rejected (and not in JSON mode).
                assert response.status_code == 302
                assert response["Location"] == f"{BASE}/signin?csrf=true"
        assert "sessionid" not in self.client.cookies
        assert session_json(self.client) == {}
