"""ATTACKS K1–K6: request bodies and content types."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING
from unittest import mock
from urllib.parse import urlencode

from django.contrib.auth import hashers
from django.test import Client
from django.test import override_settings

from tests.attacks.base import CREDENTIALS
from tests.attacks.base import FAILED
from tests.attacks.base import HOME
from tests.attacks.base import SESSION
from tests.attacks.base import SIGN_IN_CSRF
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import SIGN_OUT_CSRF
from tests.attacks.base import TokenAttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import post_credentials
from tests.attacks.base import post_json
from tests.attacks.base import session_json
from tests.expected import ADA
from tests.utils import FORM
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import assert_never_cached
from tests.utils import csrf_client
from tests.utils import csrf_token

if TYPE_CHECKING:
    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

MALFORMED = b"Malformed request body."


class RequestBodyTests(TokenAttackTestCase):
    def credentials(self, **extra: str) -> dict[str, str]:
        return {
            "csrfToken": self.token,
            "username": "ada",
            "password": PASSWORD,
            **extra,
        }

    def test_K1_oversized_body(self):
        padding = "x" * (3 * 1024 * 1024)
        for route in (CREDENTIALS, SIGN_OUT, SESSION):
            for content_type, body in (
                (FORM, urlencode(self.credentials(padding=padding))),
                ("application/json", json.dumps(self.credentials(padding=padding))),
            ):
                with (
                    self.subTest(route=route, content_type=content_type),
                    self.assertLogs("django.security.RequestDataTooBig", logging.ERROR),
                ):
                    response = self.client.post(route, body, content_type=content_type)
                    assert response.status_code == 400
                    assert "sessionid" not in response.cookies
        assert session_json(self.client) == {}

    def test_K2_too_many_fields(self):
        fields = self.credentials(**{f"f{n}": "x" for n in range(1001)})
        for content_type, body in ((FORM, urlencode(fields)), (None, fields)):
            with (
                self.subTest(content_type=content_type),
                self.assertLogs("django.security.TooManyFieldsSent", logging.ERROR),
            ):
                if content_type is None:
                    response = self.client.post(CREDENTIALS, body)  # multipart
                else:
                    response = self.client.post(
                        CREDENTIALS, body, content_type=content_type
                    )
                assert response.status_code == 400
        assert session_json(self.client) == {}

    def test_K3_huge_field_values(self):
        hasher_class = type(hashers.get_hasher())
        for name, username, password in (
            ("10k-character username", "\ufdfa" * 10_000, PASSWORD),
            ("10k-character username of ASCII", "a" * 10_000, PASSWORD),
            ("10k-character username, NFKC to ASCII", "ａ" * 10_000, PASSWORD),
            ("1 MB password", "ada", "p" * 1_000_000),
            ("both", "\ufdfa" * 10_000, "p" * 1_000_000),
        ):
            with (
                self.subTest(name),
                mock.patch.object(
                    hasher_class,
                    "encode",
                    autospec=True,
                    side_effect=hasher_class.encode,
                ) as encode,
            ):
                started = time.perf_counter()
                response = post_credentials(self.client, self.token, username, password)
                elapsed = time.perf_counter() - started
                assert_json(response, 401, FAILED)
                assert encode.call_count == 1
                assert elapsed < 2
        assert session_json(self.client) == {}

    @override_settings(**GITHUB)
    def test_K4_malformed_bodies(self):
        malformed = [
            ("application/json", b"{bad json"),
            ("application/json", b"{"),
            ("application/json", b"\xff\xfe"),
            ("application/json", b'{"username": "\xff\xfe"}'),
            ("application/json", b"[1, 2]"),
            ("application/json", b"null"),
            ("application/json", b'"csrfToken"'),
            ("application/vnd.api+json", b"{"),
            ("multipart/form-data", b"csrfToken=x&username=ada"),
            ("multipart/form-data", b"--x\r\n"),
            # Deeper than the parser's recursion limit.
            ("application/json", b'{"username": ' + b"[" * 100_000),
            # A lone surrogate parses, but is not text anything can encode.
            ("application/json", b'{"username": "\\ud800", "password": "x"}'),
            ("application/json", b'{"password": "\\udfff", "username": "ada"}'),
            ("application/json", b'{"data": {"name": "\\ud800"}}'),
        ]
        for route in (CREDENTIALS, "/api/auth/signin/github", SIGN_OUT, SESSION):
            for content_type, body in malformed:
                with self.subTest(route=route, content_type=content_type, body=body):
                    response = self.client.post(route, body, content_type=content_type)
                    assert response.status_code == 400
                    assert_never_cached(response)
                    if route == SESSION:
                        assert_json(response, 400, {})
                    else:
                        assert response.content == MALFORMED
        # Well-formed but 5,000 levels deep: malformed where Python's JSON
        # parser cannot go that deep (3.11), an ordinary body without a CSRF
        # token where it can (3.12 and later). Never a 500.
        deep = b'{"json": true, "data": ' + b"[" * 5000 + b"]" * 5000 + b"}"
        for route, refused in (
            (CREDENTIALS, SIGN_IN_CSRF),
            ("/api/auth/signin/github", SIGN_IN_CSRF),
            (SIGN_OUT, SIGN_OUT_CSRF),
        ):
            with self.subTest(route=route, body="deep"):
                response = self.client.post(
                    route, deep, content_type="application/json"
                )
                assert_never_cached(response)
                compact = json.dumps(refused, separators=(",", ":")).encode()
                assert (response.status_code, response.content) in {
                    (400, MALFORMED),
                    (200, compact),
                }
        assert_json(
            self.client.post(SESSION, deep, content_type="application/json"), 400, {}
        )
        # An unknown provider's callback answers its 404 whatever the body.
        for content_type, body in malformed:
            with self.subTest(route="callback/nosuch", body=body):
                unknown = self.client.post(
                    "/api/auth/callback/nosuch", body, content_type=content_type
                )
                assert unknown.status_code == 404
        # Bodies that parse, with junk in them: the generic failure.
        prefix = f"csrfToken={self.token}&json=true&".encode()
        for body in (
            prefix + b"username=\xff\xfe&password=x",
            prefix + b"username=%zz&password=%zz",
            prefix + b"username=ada&password=%ff%fe",
            prefix + b"username=ada&password=%",
        ):
            with self.subTest(body=body):
                response = self.client.post(CREDENTIALS, body, content_type=FORM)
                assert_json(response, 401, FAILED)
        assert session_json(self.client) == {}

    def test_K5_content_types(self):
        fields = {"username": "ada", "password": PASSWORD, "json": "true"}

        def post(client: Client, token: str | None, content_type: str) -> TestResponse:
            data = {**fields, "csrfToken": token} if token else dict(fields)
            if content_type == "application/json":
                return post_json(client, CREDENTIALS, data)
            if content_type == FORM:
                return client.post(CREDENTIALS, urlencode(data), content_type=FORM)
            return client.post(CREDENTIALS, data)  # multipart

        # Each accepted content type is CSRF-checked, then signs in.
        for content_type in ("application/json", FORM, "multipart"):
            with self.subTest(content_type=content_type):
                client = csrf_client()
                token = csrf_token(client)
                assert_json(post(client, None, content_type), 200, SIGN_IN_CSRF)
                assert session_json(client) == {}
                assert_json(post(client, token, content_type), 200, HOME)
                assert session_json(client)["user"] == ADA
        # No content type, or one Django does not parse: an empty body, so no
        # token (CSRF-rejected) even when the body carries one...
        for content_type in ("", "text/plain", "application/xml"):
            with self.subTest(content_type=content_type):
                client = csrf_client()
                body = urlencode({**fields, "csrfToken": csrf_token(client)})
                response = client.generic(
                    "POST", CREDENTIALS, body, content_type=content_type
                )
                assert response.status_code == 302
                assert response["Location"] == SIGN_IN_CSRF["url"]
                # ...and with the token in the header, no credentials.
                response = client.generic(
                    "POST",
                    CREDENTIALS,
                    body,
                    content_type=content_type,
                    headers={"X-CSRFToken": csrf_token(client)},
                )
                assert response.status_code == 302
                assert response["Location"] == FAILED["url"]
                assert session_json(client) == {}

    def test_K6_type_confusion(self):
        for fields in (
            {"username": ["ada", "b"], "password": {"$ne": ""}, "callbackUrl": ["/x"]},
            {"username": ["ada"], "password": {"$ne": ""}, "callbackUrl": ["/x"]},
            {"username": {"$gt": ""}, "password": PASSWORD},
            {"username": ["ada"], "password": PASSWORD},
            {"username": "ada", "password": [PASSWORD]},
            {"username": 1, "password": 1},
            {"username": None, "password": None},
            {"username": True, "password": PASSWORD},
            {"username": "ada"},
        ):
            with self.subTest(fields=fields):
                response = post_json(
                    self.client,
                    CREDENTIALS,
                    {"csrfToken": self.token, "json": True, **fields},
                )
                assert_json(response, 401, FAILED)
        # A token that is not a string is no token.
        no_token = post_json(
            self.client,
            CREDENTIALS,
            {**self.credentials(), "csrfToken": [self.token], "json": "true"},
        )
        assert_json(no_token, 200, SIGN_IN_CSRF)
        # A json flag that is not true or "true" is not JSON mode.
        redirect = post_json(
            self.client,
            CREDENTIALS,
            {**self.credentials(password="x"), "json": ["true"]},
        )
        assert redirect.status_code == 302
        assert redirect["Location"] == FAILED["url"]
        assert session_json(self.client) == {}
        # A callbackUrl that is not a string is ignored.
        signed = post_json(
            self.client,
            CREDENTIALS,
            {
                **self.credentials(),
                "json": True,
                "callbackUrl": {"url": "//evil.example"},
            },
        )
        assert_json(signed, 200, HOME)
