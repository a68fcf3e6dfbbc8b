"""The keys that sign and verify access tokens (``USEAUTH_TOKEN_SIGNING_KEYS``).

Unset, the keys are HMAC-SHA256 (``HS256``) keys derived from ``SECRET_KEY``
and each of ``SECRET_KEY_FALLBACKS``, so that rotating ``SECRET_KEY`` the way
Django documents rotates the token keys too. Set, it is a list of dicts, the
first of which signs::

    USEAUTH_TOKEN_SIGNING_KEYS = [
        {"kid": "2026-12", "algorithm": "ES256", "private_key": NEW_PEM},
        {"kid": "2026-06", "algorithm": "ES256", "public_key": OLD_PUBLIC_PEM},
    ]

Every key has a ``kid``, written into the header of the tokens it signs; a
token is verified only with the key its ``kid`` names and only with that key's
algorithm, which rules out ``alg`` confusion (``none``, an RSA public key used
as an HMAC secret). The key objects are built once per configuration.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac
from jwt.algorithms import get_default_algorithms

from django_useauth.conf import conf

#: The algorithms a key may use: PyJWT's, without ``none``.
HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset(
    {
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
    }
)
ALGORITHMS = HMAC_ALGORITHMS | ASYMMETRIC_ALGORITHMS

#: The shortest HMAC secret accepted, in bytes (RFC 7518 §3.2 asks for the hash's size).
MIN_SECRET_BYTES = 32

_SALT = "django_useauth.tokens.signing-key"


class SigningKeyError(ValueError):
    """A key of ``USEAUTH_TOKEN_SIGNING_KEYS`` is unusable; the message says which and why."""


@dataclass(frozen=True)
class SigningKey:
    """One key: its ``kid``, its algorithm, and what PyJWT signs or verifies with."""

    kid: str
    algorithm: str
    #: The prepared private key or HMAC secret; ``None`` for a key that only verifies.
    signing: Any
    #: The prepared public key or HMAC secret.
    verifying: Any


@dataclass(frozen=True)
class KeyRing:
    """The configured keys: ``current`` signs, ``by_kid`` verifies."""

    current: SigningKey
    by_kid: Mapping[str, SigningKey]


def keyring() -> KeyRing:
    """Return the keys as configured now; raise :class:`SigningKeyError` for an unusable configuration."""
    configured = conf.TOKEN_SIGNING_KEYS
    if configured is None:
        secrets = (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
        # dict.fromkeys: in order, once each (Django lets SECRET_KEY be among
        # its own fallbacks during a rotation).
        return _derived(tuple(dict.fromkeys(str(secret) for secret in secrets)))
    try:
        return _configured(_frozen(configured))
    except TypeError:
        # Values the cache cannot hash or sort (a list as a value, a field
        # name that is not a string).
        raise SigningKeyError(
            "USEAUTH_TOKEN_SIGNING_KEYS must be a list of dicts with string "
            "fields (kid, algorithm, secret, private_key, public_key) and "
            "string values."
        ) from None


@functools.lru_cache(maxsize=8)
def _derived(secrets: tuple[str, ...]) -> KeyRing:
    keys = []
    for secret in secrets:
        material = salted_hmac(_SALT, "HS256", secret=secret, algorithm="sha256")
        key = material.digest()
        # The kid names the key without revealing it: a digest of the derived
        # key, never of SECRET_KEY itself.
        kid = "dj-" + hashlib.sha256(key).hexdigest()[:16]
        keys.append(SigningKey(kid, "HS256", key, key))
    return _ring(keys)


def _frozen(configured: object) -> tuple[tuple[tuple[str, Any], ...], ...]:
    # A hashable copy of the setting, for the cache of prepared keys.
    if isinstance(configured, (str, bytes)) or not isinstance(configured, Sequence):
        raise SigningKeyError("USEAUTH_TOKEN_SIGNING_KEYS must be a list of dicts.")
    frozen = []
    for index, entry in enumerate(configured):
        if not isinstance(entry, Mapping):
            raise SigningKeyError(
                f"USEAUTH_TOKEN_SIGNING_KEYS[{index}] must be a dict."
            )
        frozen.append(tuple(sorted(entry.items())))
    return tuple(frozen)


@functools.lru_cache(maxsize=8)
def _configured(entries: tuple[tuple[tuple[str, Any], ...], ...]) -> KeyRing:
    if not entries:
        raise SigningKeyError(
            "USEAUTH_TOKEN_SIGNING_KEYS is empty: give at least one key."
        )
    keys = [_prepare(index, dict(entry)) for index, entry in enumerate(entries)]
    if keys[0].signing is None:
        raise SigningKeyError(
            "USEAUTH_TOKEN_SIGNING_KEYS[0] signs the new tokens: give it a "
            "'private_key' (or a 'secret' for an HS algorithm)."
        )
    return _ring(keys)


def _ring(keys: list[SigningKey]) -> KeyRing:
    by_kid: dict[str, SigningKey] = {}
    for key in keys:
        if key.kid in by_kid:
            raise SigningKeyError(
                f"USEAUTH_TOKEN_SIGNING_KEYS has two keys with kid {key.kid!r}: "
                "each key needs its own kid."
            )
        by_kid[key.kid] = key
    return KeyRing(current=keys[0], by_kid=by_kid)


_KEY_KINDS = {
    "RS": "an RSA key",
    "PS": "an RSA key",
    "ES": "an EC key on the algorithm's curve: P-256, P-384 or P-521",
    "Ed": "an Ed25519 or Ed448 key",
}

_KNOWN_FIELDS = frozenset({"kid", "algorithm", "secret", "private_key", "public_key"})


def _prepare(index: int, entry: dict[str, Any]) -> SigningKey:
    where = f"USEAUTH_TOKEN_SIGNING_KEYS[{index}]"
    unknown = sorted(set(entry) - _KNOWN_FIELDS)
    if unknown:
        raise SigningKeyError(
            f"{where} has unknown field(s) {', '.join(unknown)}: the fields are "
            "kid, algorithm, secret (HS), private_key and public_key (PEM)."
        )
    kid = entry.get("kid")
    if not isinstance(kid, str) or not kid:
        raise SigningKeyError(f"{where} needs a 'kid', a non-empty string.")
    algorithm = entry.get("algorithm")
    if algorithm not in ALGORITHMS:
        raise SigningKeyError(
            f"{where}: 'algorithm' must be one of {', '.join(sorted(ALGORITHMS))}, "
            f"not {algorithm!r}."
        )
    implementation = get_default_algorithms()[algorithm]
    if algorithm in HMAC_ALGORITHMS:
        secret = entry.get("secret")
        if "private_key" in entry or "public_key" in entry:
            raise SigningKeyError(
                f"{where}: an {algorithm} key takes a 'secret', not PEM keys."
            )
        if isinstance(secret, str):
            secret = secret.encode()
        if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
            raise SigningKeyError(
                f"{where}: 'secret' must be at least {MIN_SECRET_BYTES} bytes of "
                "random data (e.g. secrets.token_urlsafe(48))."
            )
        return SigningKey(kid, algorithm, secret, secret)
    if "secret" in entry:
        raise SigningKeyError(
            f"{where}: an {algorithm} key takes PEM keys, not a 'secret'."
        )
    private_pem = entry.get("private_key")
    public_pem = entry.get("public_key")
    try:
        private = (
            implementation.prepare_key(private_pem) if private_pem is not None else None
        )
        if private is not None and not hasattr(private, "public_key"):
            raise SigningKeyError(f"{where}: 'private_key' is a public key.")
        if public_pem is not None:
            public = implementation.prepare_key(public_pem)
            if hasattr(public, "private_bytes"):
                raise SigningKeyError(
                    f"{where}: 'public_key' is a private key; give its public half."
                )
        elif private is not None:
            public = private.public_key()
        else:
            raise SigningKeyError(
                f"{where}: give a 'private_key' or a 'public_key' (PEM)."
            )
    except SigningKeyError:
        raise
    except Exception:
        # PyJWT's own messages name its internals; say what is wrong instead.
        raise SigningKeyError(
            f"{where}: not a PEM key of the kind {algorithm} needs "
            f"({_KEY_KINDS[algorithm[:2]]})."
        ) from None
    return SigningKey(kid, algorithm, private, public)
