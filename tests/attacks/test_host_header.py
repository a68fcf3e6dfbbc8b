"""ATTACKS O1–O3: the Host header and absolute URLs."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

from django.test import AsyncClient
from django.test import override_settings
from django.test.client import FakePayload

from tests.attacks.base import CREDENTIALS
from tests.attacks.base import CSRF
from tests.attacks.base import FAILED
from tests.attacks.base import HOME
from tests.attacks.base import ROUTES
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import post_credentials
from tests.attacks.base import session_json
from tests.utils import BASE
from tests.utils import FORM
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import csrf_token


async def asgi_request(
    client: AsyncClient,
    method: str,
    route: str,
    raw_headers: list[tuple[bytes, bytes]],
    body: bytes = b"",
) -> Any:
    """A request whose ASGI header names are sent exactly as given.

    ``AsyncClient``'s ``headers=`` turns ``_`` into ``-``; an ASGI server passes
    the names a client sent as they are.
    """
    headers = [(b"host", b"testserver"), *raw_headers]
    if body:
        headers += [
            (b"content-type", FORM.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
    return await client.request(
        method=method,
        path=route,
        query_string="",
        headers=headers,
        _body_file=FakePayload(body),
    )


@override_settings(**GITHUB)
class HostTests(AttackTestCase):
    def test_O1_foreign_host(self):
        token = csrf_token(self.client)
        for headers, extra_settings in (
            ({"host": "evil.example"}, {}),
            ({"X-Forwarded-Host": "evil.example"}, {"USE_X_FORWARDED_HOST": True}),
        ):
            for route in [
                *ROUTES,
                "/protected/",
                "/api/auth/signin/nope",
                "/api/auth/nope",
            ]:
                for method in ("get", "post"):
                    with (
                        self.subTest(headers=headers, route=route, method=method),
                        self.settings(**extra_settings),
                        self.assertLogs(
                            "django.security.DisallowedHost", logging.ERROR
                        ),
                    ):
                        response = getattr(self.client, method)(
                            route, {"csrfToken": token}, headers=headers
                        )
                        assert response.status_code == 400
                        assert not response.has_header("Location")
                        assert b"evil.example" not in response.content
        assert session_json(self.client) == {}

    def test_O2_forwarded_host_is_ignored(self):
        forwarded = {
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Port": "8443",
            "Forwarded": "host=evil.example;proto=https",
        }
        providers = self.client.get("/api/auth/providers", headers=forwarded).json()
        assert {
            url
            for entry in providers.values()
            for url in (entry["signinUrl"], entry["callbackUrl"])
        } == {
            f"{BASE}/signin/credentials",
            f"{BASE}/callback/credentials",
            f"{BASE}/signin/github",
            f"{BASE}/callback/github",
        }
        token = csrf_token(self.client)
        start = self.client.post(
            "/api/auth/signin/github",
            {"csrfToken": token, "json": "true"},
            headers=forwarded,
        )
        redirect_uri = parse_qs(urlsplit(start.json()["url"]).query)["redirect_uri"][0]
        assert redirect_uri.startswith(f"{BASE}/callback/github")
        assert_json(
            post_credentials(self.client, token, "ada", headers=forwarded), 401, FAILED
        )
        assert_json(
            post_credentials(self.client, token, "ada", PASSWORD, headers=forwarded),
            200,
            HOME,
        )
        out = self.client.post(
            SIGN_OUT,
            {"csrfToken": csrf_token(self.client), "json": "true"},
            headers=forwarded,
        )
        assert_json(out, 200, HOME)
        required = self.client.get(
            "/protected/", headers={**forwarded, "Accept": "application/json"}
        )
        assert_json(
            required,
            401,
            {
                "error": "SessionRequired",
                "url": f"{BASE}/signin?callbackUrl=%2Fprotected%2F",
            },
        )

    @override_settings(
        USEAUTH_TRUSTED_PROXY_COUNT=1,
        USEAUTH_THROTTLE_IP_FAILURES=3,
        USE_X_FORWARDED_HOST=True,
    )
    async def test_O3_underscore_headers_under_asgi(self):
        client = AsyncClient(enforce_csrf_checks=True)
        token = (await client.get(CSRF)).json()["csrfToken"]

        async def attempt(n: int, header: bytes) -> int:
            body = urlencode(
                {
                    "csrfToken": token,
                    "username": f"o3-{n}",
                    "password": "x",
                    "json": "true",
                }
            ).encode()
            response = await asgi_request(
                client, "POST", CREDENTIALS, [(header, f"1.2.3.{n}".encode())], body
            )
            status: int = response.status_code
            return status

        # Dropped: every attempt comes from the ASGI client address (127.0.0.1).
        spoofed = [
            await attempt(n, name)
            for n, name in enumerate(
                [b"x_forwarded_for", b"x-forwarded_for", b"x_forwarded-for"] * 2
            )
        ]
        assert spoofed == [401, 401, 401, 429, 429, 429]
        # The hyphenated header the proxy sets is honoured.
        assert [await attempt(n, b"x-forwarded-for") for n in range(10, 14)] == [
            401
        ] * 4
        for name in (b"x-forwarded_host", b"x_forwarded_host"):
            providers = await asgi_request(
                client, "GET", "/api/auth/providers", [(name, b"localhost")]
            )
            assert (
                providers.json()["credentials"]["signinUrl"]
                == f"{BASE}/signin/credentials"
            )
        honoured = await asgi_request(
            client, "GET", "/api/auth/providers", [(b"x-forwarded-host", b"localhost")]
        )
        assert (
            honoured.json()["credentials"]["signinUrl"]
            == "http://localhost/api/auth/signin/credentials"
        )
