"""Helpers for the tests of token mode: sign-ins for tokens, Bearer headers, keys and forged JWTs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import get_default_algorithms
from jwt.utils import base64url_decode
from jwt.utils import base64url_encode

from tests.utils import PASSWORD
from tests.utils import post_json

if TYPE_CHECKING:
    from django.test import Client
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

#: Token mode's routes, as tests/urls.py mounts them.
TOKEN_LOGIN = "/api/token/login"
TOKEN_SESSION = "/api/token/session"
TOKEN_REFRESH = "/api/token/refresh"
TOKEN_LOGOUT = "/api/token/logout"

#: The ``typ`` header of an access token (RFC 9068).
ACCESS_TOKEN_TYPE = "at+jwt"


def token_login(
    client: Client, username: str = "ada", password: str = PASSWORD, **extra: Any
) -> dict[str, Any]:
    """``POST /api/token/login`` with JSON credentials, which must succeed; its body (``token``, ``refreshToken``, ``expires``)."""
    response = post_json(
        client, TOKEN_LOGIN, {"username": username, "password": password}, **extra
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header that sends ``token``, for the test client's ``headers=``."""
    return {"Authorization": f"Bearer {token}"}


def token_refresh(client: Client, refresh_token: str) -> TestResponse:
    """``POST /api/token/refresh`` with ``refresh_token``, as nuxt-auth's ``local`` provider sends it."""
    return post_json(client, TOKEN_REFRESH, {"refreshToken": refresh_token})


def _pem(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> tuple[str, str]:
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem.decode(), public_pem.decode()


def rsa_key_pair() -> tuple[str, str]:
    """A new RSA 2048 key: its private and public halves as PEM text."""
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def ec_key_pair() -> tuple[str, str]:
    """A new EC P-256 key (for ES256): its private and public halves as PEM text."""
    return _pem(ec.generate_private_key(ec.SECP256R1()))


def _segment(value: dict[str, Any]) -> str:
    return base64url_encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def forge(
    claims: dict[str, Any],
    key: str | bytes,
    alg: str,
    headers: dict[str, Any] | None = None,
) -> str:
    """A compact JWS of ``claims`` with the header ``{"alg": alg, **headers}``, signed with ``key``.

    Built by hand with PyJWT's algorithms, so that it can sign what
    ``jwt.encode()`` refuses to: ``alg: none`` (an empty signature), and an
    HMAC whose secret is a PEM public key (the RS/HS confusion). ``key`` is the
    HMAC secret for ``HS*``, a PEM private key otherwise, unused for ``none``
    (in any case).
    """
    signing_input = f"{_segment({'alg': alg, **(headers or {})})}.{_segment(claims)}"
    if alg.lower() == "none":
        signature = b""
    else:
        algorithm = get_default_algorithms()[alg]
        if alg.startswith("HS"):
            # The secret as raw bytes: HMACAlgorithm.prepare_key() would
            # refuse a PEM, which is the point of the attack.
            secret = key.encode() if isinstance(key, str) else key
            signature = algorithm.sign(signing_input.encode(), secret)
        else:
            signature = algorithm.sign(
                signing_input.encode(), algorithm.prepare_key(key)
            )
    return f"{signing_input}.{base64url_encode(signature).decode()}"


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The header and claims of a compact JWS, unverified, and its signature segment."""
    header, claims, signature = token.split(".")
    return (
        json.loads(base64url_decode(header)),
        json.loads(base64url_decode(claims)),
        signature,
    )
