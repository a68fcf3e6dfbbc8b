"""ATTACKS P1–P3: failing closed."""

from __future__ import annotations

import base64
import logging
from importlib import import_module
from typing import Any
from unittest import mock
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.sessions.serializers import JSONSerializer
from django.core import signing
from django.db import DatabaseError
from django.test import Client
from django.test import override_settings
from social_core.backends.base import BaseAuth

from django_useauth.checks import check_providers
from tests.attacks.base import SESSION
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import session_json
from tests.expected import ADA
from tests.utils import BASE
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import sign_in
from tests.utils import store


class FailClosedTests(AttackTestCase):
    def assert_anonymous(self, client: Client, **extra: Any) -> None:
        """``request.auth`` is falsy everywhere, and ``auth_required`` sends to sign-in."""
        assert_json(client.get(SESSION, **extra), 200, {})
        assert client.get("/status/", **extra).json() == {
            "status": "unauthenticated",
            "data": None,
            "lastRefreshedAt": None,
            "bool": False,
        }
        protected = client.get("/protected/", **extra)
        sent = extra.get("headers", {}).get("Authorization", "")
        if sent.lower().startswith("bearer"):
            # An API client with a token: 401 with RFC 6750's challenge, as
            # no sign-in page can help it (docs/tokens.md).
            assert protected.status_code == 401
            assert protected["WWW-Authenticate"].startswith('Bearer realm="api"')
            return
        assert protected.status_code == 302
        assert protected["Location"] == "/api/auth/signin?callbackUrl=%2Fprotected%2F"

    def test_P1_broken_session_store(self):
        sign_in(self.client)
        engine = import_module(settings.SESSION_ENGINE)
        with (
            mock.patch.object(
                engine.SessionStore,
                "load",
                side_effect=DatabaseError("the session store is down"),
            ),
            self.assertLogs("django_useauth.middleware", logging.ERROR) as logs,
        ):
            self.assert_anonymous(self.client)
        assert {line.splitlines()[0] for line in logs.output} == {
            "ERROR:django_useauth.middleware:Could not load the session; treating the request as signed out."
        }
        assert session_json(self.client)["user"] == ADA

    def test_P1_broken_session_callback(self):
        sign_in(self.client)
        for callback in (
            "tests.callbacks.broken_session",
            "tests.callbacks.not_a_dict",
        ):
            with (
                self.subTest(callback=callback),
                self.settings(USEAUTH_SESSION_CALLBACK=callback),
                self.assertLogs("django_useauth.middleware", logging.ERROR),
            ):
                self.assert_anonymous(self.client)

    @override_settings(**GITHUB)
    def test_P1_unreachable_token_endpoint(self):
        start = self.client.post(
            "/api/auth/signin/github",
            {
                "csrfToken": csrf_token(self.client),
                "callbackUrl": "/after",
                "json": "true",
            },
        )
        state = parse_qs(urlsplit(start.json()["url"]).query)["state"][0]
        with (
            mock.patch.object(
                BaseAuth, "request", side_effect=requests.ConnectionError("unreachable")
            ) as upstream,
            self.assertLogs("django_useauth.oauth", logging.ERROR),
        ):
            response = self.client.get(
                f"/api/auth/callback/github?code=x&state={state}"
            )
        upstream.assert_called_once()
        assert response.status_code == 302
        assert (
            response["Location"]
            == f"{BASE}/error?error=OAuthCallback&callbackUrl=%2Fafter"
        )
        self.assert_anonymous(self.client)

    @override_settings(AUTHENTICATION_BACKENDS=GITHUB["AUTHENTICATION_BACKENDS"])
    def test_P1_missing_client_credentials(self):
        assert [message.id for message in check_providers()] == ["useauth.E009"]
        start = self.client.post(
            "/api/auth/signin/github",
            {"csrfToken": csrf_token(self.client), "json": "true"},
        )
        assert start.status_code == 200
        with self.assertLogs("django_useauth.oauth", logging.WARNING):
            callback = self.client.get("/api/auth/callback/github?code=x&state=y")
        assert callback.status_code == 302
        assert callback["Location"] == f"{BASE}/error?error=OAuthCallback"
        self.assert_anonymous(self.client)

    def test_P1_secret_key_rotated_without_fallback(self):
        sign_in(self.client)
        rotated = csrf_client()
        sign_in(rotated)
        with self.settings(
            SECRET_KEY="a-rotated-secret-key",
            SECRET_KEY_FALLBACKS=[settings.SECRET_KEY],
        ):
            assert session_json(rotated)["user"] == ADA
        with (
            self.settings(SECRET_KEY="a-rotated-secret-key", SECRET_KEY_FALLBACKS=[]),
            self.assertLogs("django.security.SuspiciousSession", logging.WARNING),
        ):
            self.assert_anonymous(self.client)

    def test_P2_malformed_authorization_header(self):
        signed_in = csrf_client()
        sign_in(signed_in)
        basic = base64.b64encode(f"ada:{PASSWORD}".encode()).decode()
        for value in (
            "Bearer %E0%A4%A",
            "Bearer",
            "Bearer ",
            "Bearer " + "a" * 100_000,
            f"Basic {basic}",
            "Basic !!!",
            'Digest username="ada"',
            "\u00e9\u00e9",
        ):
            with self.subTest(value=value[:40]):
                headers = {"Authorization": value}
                self.assert_anonymous(self.client, headers=headers)
                assert session_json(signed_in, headers=headers)["user"] == ADA

    def test_P3_session_shaped_junk_cookie(self):
        token = csrf_token(self.client)
        forged = signing.dumps(
            {
                "_auth_user_id": str(self.user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": self.user.get_session_auth_hash(),
            },
            salt="django.contrib.sessions.backends.signed_cookies",
            serializer=JSONSerializer,
            compress=True,
        )
        for value in (self.client.cookies["csrftoken"].value, token, forged):
            with self.subTest(value=value):
                client = csrf_client()
                client.cookies["sessionid"] = value
                response = client.get(SESSION)
                assert_json(response, 200, {})
                assert response.cookies["sessionid"].value == ""
                client.cookies["sessionid"] = value
                self.assert_anonymous(client)
                assert not store().exists(value)
