"""Access tokens: short-lived JWTs, signed with the keys of ``signing_keys``, verified without SQL.

A token's claims are the standard ``iss``, ``aud``, ``sub`` (the user's primary
key), ``iat``, ``exp`` and ``jti``, and three of our own: ``fam`` (the token
family, one per token sign-in), ``bkd`` (the authentication backend, as
``login()`` keeps it in a session) and ``sah`` (a digest of the user's session
auth hash, so that a password change ends the token as it ends sessions). The
header carries ``kid`` and ``typ: at+jwt`` (RFC 9068), which is required: no
other JWT the site may sign is taken for an access token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

import jwt
from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.debug import sensitive_variables

from django_useauth.conf import conf
from django_useauth.internal.signing_keys import SigningKeyError
from django_useauth.internal.signing_keys import keyring

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

#: The longest header segment read (ours are about 80 characters).
_MAX_HEADER = 1024

#: The ``typ`` header of an access token (RFC 9068 §2.1).
TOKEN_TYPE = "at+jwt"

_REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "exp", "fam", "bkd", "sah"]

#: Seconds of clock difference between the servers that sign and verify
#: tolerated on ``iat`` and ``exp``: a token from a server whose clock is a
#: little ahead is not "issued in the future". Below the revocation mark's
#: margin (token_families), so a revoked token never outlives its mark.
LEEWAY_SECONDS = 30


class InvalidAccessToken(Exception):
    """The token is not an access token this site accepts; ``code`` says why (for logs, never for clients)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AccessToken:
    """The verified claims of an access token."""

    user_id: str
    family: str
    backend: str
    auth_hash: str
    expires: datetime
    issued_at: datetime
    claims: dict[str, Any]


def auth_hash_digest(session_auth_hash: str) -> str:
    """Return the ``sah`` claim for a user's session auth hash (already an HMAC; this only shortens it)."""
    return hashlib.sha256(session_auth_hash.encode()).hexdigest()[:32]


def user_auth_hash_matches(user: AbstractBaseUser, digest: str) -> bool:
    """Return whether ``digest`` is the ``sah`` of ``user``'s password now, under ``SECRET_KEY`` or a fallback."""
    if constant_time_compare(auth_hash_digest(user.get_session_auth_hash()), digest):
        return True
    # As django.contrib.auth.get_user() accepts a session hashed with a
    # fallback key: rotating SECRET_KEY signs no token sign-in out.
    private = getattr(user, "_get_session_auth_hash", None)
    if private is None:  # pragma: no cover - Django 5.2+ always has it
        return False
    return any(
        constant_time_compare(auth_hash_digest(private(secret=fallback)), digest)
        for fallback in settings.SECRET_KEY_FALLBACKS
    )


def issue(
    user: AbstractBaseUser,
    *,
    family: str,
    backend: str,
    now: datetime | None = None,
    not_after: datetime | None = None,
) -> tuple[str, datetime]:
    """Return a signed access token for ``user`` in ``family``, and when it expires.

    It lives ``USEAUTH_TOKEN_ACCESS_LIFETIME``, but never past ``not_after``
    (the family's end under ``USEAUTH_TOKEN_ABSOLUTE_MAX_AGE``).
    """
    now = now or timezone.now()
    expires = now + conf.TOKEN_ACCESS_LIFETIME
    if not_after is not None:
        expires = min(expires, not_after)
    key = keyring().current
    claims = {
        "iss": conf.TOKEN_ISSUER,
        "aud": conf.TOKEN_AUDIENCE,
        "sub": str(user.pk),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": secrets.token_urlsafe(12),
        "fam": family,
        "bkd": backend,
        "sah": auth_hash_digest(user.get_session_auth_hash()),
    }
    token = jwt.encode(
        claims,
        key.signing,
        algorithm=key.algorithm,
        headers={"kid": key.kid, "typ": TOKEN_TYPE},
    )
    return token, _instant(claims["exp"])


def _header(token: str) -> dict[str, Any] | None:
    # The JOSE header, unverified: the JSON object before the token's first
    # dot, read to find the key (kid) and to compare algorithms. Read here
    # rather than with jwt.get_unverified_header(), which decodes the whole
    # token (PyJWT checks base64url byte by byte, in Python): jwt.decode()
    # then decodes and verifies it once, strictly, as it is.
    head, dot, _ = token.partition(".")
    if not dot or len(head) > _MAX_HEADER:
        return None
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, RecursionError):
        # binascii.Error, JSONDecodeError, UnicodeDecodeError; nested too deep.
        return None
    return header if isinstance(header, dict) else None


def names_our_key(token: str) -> bool:
    """Return whether ``token`` is a JWT whose header names one of our keys (nothing is verified).

    Tells our access tokens from other Bearer tokens a project may accept
    (another JWT library's, an API key): only ours make a request a token
    request. A key that is no longer configured makes its tokens foreign,
    which refuses them all the same.
    """
    header = _header(token)
    if header is None:
        return False
    try:
        ring = keyring()
    except SigningKeyError:
        return False
    kid = header.get("kid")
    return isinstance(kid, str) and kid in ring.by_kid


@sensitive_variables()
def verify(token: str, *, allow_expired: bool = False) -> AccessToken:
    """Return the claims of ``token``; raise :class:`InvalidAccessToken` unless every check passes.

    Checked: the ``kid`` names a configured key, the header's ``alg`` is that
    key's algorithm, ``typ`` is ``at+jwt``, the signature, ``iss``, ``aud``,
    ``exp`` (unless ``allow_expired``, for a sign-out) and the presence of
    every claim. Nothing is read from a database or a cache.
    """
    header = _header(token)
    if header is None:
        raise InvalidAccessToken("malformed")
    try:
        ring = keyring()
    except SigningKeyError:
        # A broken USEAUTH_TOKEN_SIGNING_KEYS (check useauth.E064): no key,
        # so no token is ours.
        raise InvalidAccessToken("unknown-key") from None
    kid = header.get("kid")
    key = ring.by_kid.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise InvalidAccessToken("unknown-key")
    if header.get("alg") != key.algorithm:
        raise InvalidAccessToken("wrong-algorithm")
    if header.get("typ") != TOKEN_TYPE:
        raise InvalidAccessToken("wrong-type")
    try:
        claims = jwt.decode(
            token,
            key.verifying,
            algorithms=[key.algorithm],
            audience=conf.TOKEN_AUDIENCE,
            issuer=conf.TOKEN_ISSUER,
            options={"require": _REQUIRED_CLAIMS, "verify_exp": not allow_expired},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError:
        raise InvalidAccessToken("expired") from None
    except jwt.InvalidAudienceError:
        raise InvalidAccessToken("wrong-audience") from None
    except jwt.InvalidIssuerError:
        raise InvalidAccessToken("wrong-issuer") from None
    except jwt.InvalidSignatureError:
        raise InvalidAccessToken("bad-signature") from None
    except jwt.InvalidTokenError:
        raise InvalidAccessToken("invalid") from None
    strings = ("sub", "fam", "bkd", "sah")
    if not all(isinstance(claims.get(name), str) and claims[name] for name in strings):
        raise InvalidAccessToken("invalid")
    return AccessToken(
        user_id=claims["sub"],
        family=claims["fam"],
        backend=claims["bkd"],
        auth_hash=claims["sah"],
        expires=_instant(claims["exp"]),
        issued_at=_instant(claims["iat"]),
        claims=claims,
    )


def _instant(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)
