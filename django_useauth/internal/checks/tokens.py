"""Token mode's settings, ``USEAUTH_TOKEN_*`` (E060–E071, W061, W062), and its revocation cache (W060).

``check_tokens``: the lifetimes, the signing keys, the claims, the revocation
cache and registration. ``check_revocation_cache_shared`` is the one that
only production settings answer (``check --deploy``, through
``check_deploy``). Token mode has no switch: the middleware reads any access
token it is sent, and tokens exist once ``django_useauth.token_urls`` is
mounted or ``issue_tokens()`` is called. So the revocation cache's backend is
checked only when the URLs are mounted or a ``USEAUTH_TOKEN_*`` setting is
set, and a site that never issues a token keeps whatever default cache it
has. The keys' messages never show a secret or a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.serialization import PublicFormat
from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Warning
from django.forms import BaseForm
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils.module_loading import import_string

from django_useauth.conf import UNSET
from django_useauth.conf import Settings
from django_useauth.conf import conf
from django_useauth.internal.checks.values import DUMMY_CACHE
from django_useauth.internal.checks.values import LOCMEM_CACHE
from django_useauth.internal.checks.values import POSITIVE_DURATION
from django_useauth.internal.checks.values import cache_backend
from django_useauth.internal.checks.values import invalid
from django_useauth.internal.signing_keys import ASYMMETRIC_ALGORITHMS
from django_useauth.internal.signing_keys import KeyRing
from django_useauth.internal.signing_keys import SigningKey
from django_useauth.internal.signing_keys import SigningKeyError
from django_useauth.internal.signing_keys import keyring

_TOKEN_SETTINGS = tuple(
    name
    for name, value in vars(Settings).items()
    if name.startswith("TOKEN_") and isinstance(value, property)
)

# Ids that two messages share (a shape, and a relation to another setting):
# written once, as tests/test_checks.py finds each id's literal only once.
_REFRESH_ID = "useauth.E061"
_ABSOLUTE_ID = "useauth.E062"
_KEYS_ID = "useauth.E064"
_FORM_ID = "useauth.E070"

_KEYS = "USEAUTH_TOKEN_SIGNING_KEYS"
_KEYS_HINT = (
    f"Fix the key as the message says (docs/tokens.md#signing-keys), or set "
    f"{_KEYS} = None to sign with HS256 keys derived from SECRET_KEY."
)
#: The size of each HMAC algorithm's hash, in bytes: the shortest secret it should have.
_HASH_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
_FORM = "django_useauth.forms.RegistrationForm"
_FORM_HINT = (
    f"Set USEAUTH_TOKEN_REGISTER_FORM = {_FORM!r} or the path of a subclass of "
    "it (docs/tokens.md#registration)."
)


def _as_duration(value: object) -> timedelta | None:
    # What conf's _seconds() makes of `value`, or None where it is no
    # duration or raises (inf, nan, 10**20 seconds).
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return timedelta(seconds=value)
    except (OverflowError, ValueError):
        return None


def _positive(name: str) -> timedelta | None:
    # USEAUTH_<name> (its default when unset) if it is a positive duration.
    written = conf.configured(name)
    value: timedelta | None = (
        getattr(conf, name) if written is UNSET else _as_duration(written)
    )
    return value if value is not None and value > timedelta(0) else None


def _check_lifetimes() -> list[CheckMessage]:
    # E060–E062. The comparisons wait for valid values: an invalid
    # USEAUTH_TOKEN_ACCESS_LIFETIME is E060's alone.
    errors: list[CheckMessage] = []
    access = _positive("TOKEN_ACCESS_LIFETIME")
    if access is None:
        errors.append(
            invalid(
                "USEAUTH_TOKEN_ACCESS_LIFETIME",
                conf.configured("TOKEN_ACCESS_LIFETIME"),
                POSITIVE_DURATION,
                "Set USEAUTH_TOKEN_ACCESS_LIFETIME = timedelta(minutes=15).",
                "useauth.E060",
            )
        )
    refresh = _positive("TOKEN_REFRESH_LIFETIME")
    if refresh is None:
        errors.append(
            invalid(
                "USEAUTH_TOKEN_REFRESH_LIFETIME",
                conf.configured("TOKEN_REFRESH_LIFETIME"),
                POSITIVE_DURATION,
                "Set USEAUTH_TOKEN_REFRESH_LIFETIME = timedelta(days=14).",
                _REFRESH_ID,
            )
        )
    elif access is not None and refresh <= access:
        errors.append(
            Error(
                "USEAUTH_TOKEN_REFRESH_LIFETIME should be longer than "
                f"USEAUTH_TOKEN_ACCESS_LIFETIME; {refresh} is not longer than "
                f"{access}, so a refresh token ends no later than the access token "
                "it would renew, and every client signs in again instead.",
                hint="Set USEAUTH_TOKEN_REFRESH_LIFETIME = timedelta(days=14) and "
                "USEAUTH_TOKEN_ACCESS_LIFETIME = timedelta(minutes=15), or keep "
                "the first well above the second.",
                id=_REFRESH_ID,
            )
        )
    written = conf.configured("TOKEN_ABSOLUTE_MAX_AGE")
    if written is UNSET or written is None:
        return errors
    absolute = _as_duration(written)
    if absolute is None or absolute <= timedelta(0):
        errors.append(
            invalid(
                "USEAUTH_TOKEN_ABSOLUTE_MAX_AGE",
                written,
                f"None or {POSITIVE_DURATION}",
                "Set USEAUTH_TOKEN_ABSOLUTE_MAX_AGE = timedelta(days=90), or None "
                "for no cap.",
                _ABSOLUTE_ID,
            )
        )
    elif access is not None and absolute < access:
        errors.append(
            Error(
                "USEAUTH_TOKEN_ABSOLUTE_MAX_AGE should not be shorter than "
                f"USEAUTH_TOKEN_ACCESS_LIFETIME; {absolute} is shorter than "
                f"{access}, so a token sign-in's first access token outlives the "
                "cap, and a client that refreshes when its access token expires is "
                "always refused.",
                hint="Raise USEAUTH_TOKEN_ABSOLUTE_MAX_AGE (e.g. timedelta(days=90)) "
                "or lower USEAUTH_TOKEN_ACCESS_LIFETIME, or set it to None for no "
                "cap.",
                id=_ABSOLUTE_ID,
            )
        )
    return errors


def _shape_problem(configured: object) -> str | None:
    # What keyring() would raise TypeError for rather than SigningKeyError:
    # a field name that is not a string, or a value it cannot hash (its
    # cache's key). The rest of the shape is keyring()'s to report.
    if isinstance(configured, (str, bytes)) or not isinstance(configured, Sequence):
        return None
    for index, entry in enumerate(configured):
        if not isinstance(entry, Mapping):
            continue
        for field, value in entry.items():
            if not isinstance(field, str):
                return (
                    f"{_KEYS}[{index}] should have string field names (kid, "
                    f"algorithm, secret, private_key, public_key); got {field!r}."
                )
            try:
                hash(value)
            except TypeError:
                # The value itself may be a secret: only its type is shown.
                return (
                    f"{_KEYS}[{index}][{field!r}] should be a string (or bytes "
                    f"for a secret or a PEM key); got a {type(value).__name__}."
                )
    return None


def _public_der(key: Any) -> bytes:
    der: bytes = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return der


def _check_pairs(ring: KeyRing) -> list[CheckMessage]:
    # E064: keyring() takes a 'private_key' and a 'public_key' that are not
    # each other's halves; tokens signed with the first would fail with the
    # second.
    return [
        Error(
            f"{_KEYS} key {kid!r} should have a 'public_key' that is the public "
            "half of its 'private_key'; they are not a pair, so no token it "
            "signs verifies.",
            hint="Give only the 'private_key' (its public half is derived from "
            "it), or the 'public_key' that belongs to it.",
            id=_KEYS_ID,
        )
        for kid, key in ring.by_kid.items()
        if key.algorithm in ASYMMETRIC_ALGORITHMS
        and key.signing is not None
        and _public_der(key.signing.public_key()) != _public_der(key.verifying)
    ]


def _weakness(key: SigningKey) -> str | None:
    # What makes `key` weaker than its algorithm asks, or None: the tests of
    # check_key_length() in recent PyJWT versions (which then warn on every
    # token signed), made here whatever version is installed.
    if key.algorithm in _HASH_BYTES:
        size, hash_size = len(key.verifying), _HASH_BYTES[key.algorithm]
        if size < hash_size:
            return (
                f"its secret is {size} bytes, shorter than the {hash_size} bytes of "
                "the hash (RFC 7518 section 3.2 asks for at least as many)"
            )
        return None
    if isinstance(key.verifying, RSAPublicKey) and key.verifying.key_size < 2048:
        return (
            f"its RSA key is {key.verifying.key_size} bits, under the 2048 that "
            "NIST SP 800-131A asks for"
        )
    return None


def _check_strength(ring: KeyRing) -> list[CheckMessage]:
    # W061: a key that works, but is weak.
    messages: list[CheckMessage] = []
    for kid, key in ring.by_kid.items():
        weakness = _weakness(key)
        if weakness is None:
            continue
        messages.append(
            Warning(
                f"{_KEYS} key {kid!r} should be strong enough for "
                f"{key.algorithm}; {weakness}.",
                hint="Put a new key first (RSA: 2048 bits or more; HS384 or HS512: "
                "a secret of 48 or 64 bytes or more, e.g. secrets.token_urlsafe(64)) "
                "and keep this one after it only until its tokens have expired "
                "(docs/tokens.md#signing-keys).",
                id="useauth.W061",
            )
        )
    return messages


def _check_signing_keys() -> list[CheckMessage]:
    # E064, W061. Unset, the keys are derived from SECRET_KEY: nothing to check.
    configured: object = conf.TOKEN_SIGNING_KEYS
    if configured is None:
        return []
    problem = _shape_problem(configured)
    if problem is None:
        try:
            ring = keyring()
        except SigningKeyError as error:
            problem = str(error)
        else:
            return [*_check_pairs(ring), *_check_strength(ring)]
    return [Error(problem, hint=_KEYS_HINT, id=_KEYS_ID)]


def _check_claims() -> list[CheckMessage]:
    # E065, E066: left out, they default to USEAUTH_URL (E010's to check)
    # and the issuer.
    claims = (
        (
            "TOKEN_ISSUER",
            "Set USEAUTH_TOKEN_ISSUER = 'https://example.com' (the site's origin), "
            "or leave it out to use USEAUTH_URL.",
            "useauth.E065",
        ),
        (
            "TOKEN_AUDIENCE",
            "Set USEAUTH_TOKEN_AUDIENCE = 'https://api.example.com' (what the APIs "
            "that take the tokens expect), or leave it out to use the issuer.",
            "useauth.E066",
        ),
    )
    errors: list[CheckMessage] = []
    for name, hint, id in claims:
        written = conf.configured(name)
        if written is UNSET or (isinstance(written, str) and written.strip()):
            continue
        errors.append(
            invalid(f"USEAUTH_{name}", written, "a non-empty string", hint, id)
        )
    return errors


def _token_mode_used() -> bool:
    # Whether this site issues tokens: it set a USEAUTH_TOKEN_* setting, or
    # ROOT_URLCONF mounts django_useauth.token_urls.
    if any(conf.configured(name) is not UNSET for name in _TOKEN_SETTINGS):
        return True
    if not getattr(settings, "ROOT_URLCONF", None):
        return False
    try:
        reverse("useauth_token:refresh")
    except NoReverseMatch:
        return False
    return True


def _check_revocation_cache() -> list[CheckMessage]:
    # E067, E068: the cache exists, and keeps what it is given.
    alias: object = conf.TOKEN_REVOCATION_CACHE
    if not isinstance(alias, str) or alias not in settings.CACHES:
        return [
            invalid(
                "USEAUTH_TOKEN_REVOCATION_CACHE",
                alias,
                "the alias of a cache in CACHES",
                "Set USEAUTH_TOKEN_REVOCATION_CACHE = 'default' or another alias "
                "of CACHES that every server shares.",
                "useauth.E067",
            )
        ]
    if cache_backend(alias) != DUMMY_CACHE or not _token_mode_used():
        return []
    return [
        Error(
            "USEAUTH_TOKEN_REVOCATION_CACHE should name a cache that stores; "
            f"{alias!r} is DummyCache, which keeps nothing, so no server ever sees "
            "a revocation: the access tokens of a signed-out or revoked token "
            "sign-in are accepted until they expire.",
            hint="Point USEAUTH_TOKEN_REVOCATION_CACHE at a Redis, Memcached or "
            "database cache that every server shares (docs/tokens.md#revocation).",
            id="useauth.E068",
        )
    ]


def _form_problem(path: str) -> str | None:
    # Why POST register cannot use the form at `path`, or None.
    try:
        form_class = import_string(path)
    except Exception as error:
        # Importing a project's module may raise anything (a ModelForm of a
        # field the user model lacks raises FieldError); a check reports it.
        return f"{path!r} does not import ({type(error).__name__}: {error})"
    if not (isinstance(form_class, type) and issubclass(form_class, BaseForm)):
        return f"{path!r} is not a form class"
    if not callable(getattr(form_class, "save", None)):
        return f"{path!r} has no save() to create the user with"
    return None


def _check_registration() -> list[CheckMessage]:
    # E069, E070, W062. The form is imported only when POST register is on,
    # as the view imports it only then.
    register: object = conf.TOKEN_REGISTER
    if not isinstance(register, bool):
        return [
            invalid(
                "USEAUTH_TOKEN_REGISTER",
                register,
                "True or False",
                "Set USEAUTH_TOKEN_REGISTER = True to let POST register create "
                "accounts, or False.",
                "useauth.E069",
            )
        ]
    if not register:
        return []
    messages: list[CheckMessage] = []
    path: object = conf.TOKEN_REGISTER_FORM
    if not isinstance(path, str):
        messages.append(
            invalid(
                "USEAUTH_TOKEN_REGISTER_FORM",
                path,
                "the dotted path of a form class",
                _FORM_HINT,
                _FORM_ID,
            )
        )
    elif problem := _form_problem(path):
        messages.append(
            Error(
                "USEAUTH_TOKEN_REGISTER_FORM should be the dotted path of a form "
                f"class with save() (a ModelForm); {problem}, so POST register "
                "fails with a 500.",
                hint=_FORM_HINT,
                id=_FORM_ID,
            )
        )
    if conf.CREDENTIALS_ENABLED is False:
        messages.append(
            Warning(
                "USEAUTH_TOKEN_REGISTER should be False while "
                "USEAUTH_CREDENTIALS_ENABLED is False: POST register creates "
                "accounts with a password, but no password sign-in is offered "
                "(POST login answers 404), so they can never sign in.",
                hint="Set USEAUTH_CREDENTIALS_ENABLED = True, or "
                "USEAUTH_TOKEN_REGISTER = False.",
                id="useauth.W062",
            )
        )
    return messages


def _check_reuse_interval() -> list[CheckMessage]:
    # E071: 0 or more, and below a minute: beyond the few seconds two
    # overlapping requests of one client take, it lets a stolen token fork
    # the sign-in unnoticed for longer.
    written = conf.configured("TOKEN_REUSE_INTERVAL")
    if written is UNSET:
        return []
    value = _as_duration(written)
    if value is not None and timedelta(0) <= value <= timedelta(minutes=1):
        return []
    return [
        invalid(
            "USEAUTH_TOKEN_REUSE_INTERVAL",
            written,
            "a timedelta or number of seconds from 0 to 60",
            "Set USEAUTH_TOKEN_REUSE_INTERVAL = 0 (reuse always revokes), or a "
            "few seconds (docs/tokens.md#refresh-and-rotation).",
            "useauth.E071",
        )
    ]


def check_tokens(**kwargs: Any) -> list[CheckMessage]:
    """E060–E071, W061, W062: token mode's lifetimes, signing keys, claims, revocation cache and registration."""
    errors = _check_lifetimes()
    rotate: object = conf.TOKEN_ROTATE_REFRESH
    if not isinstance(rotate, bool):
        errors.append(
            invalid(
                "USEAUTH_TOKEN_ROTATE_REFRESH",
                rotate,
                "True or False",
                "Set USEAUTH_TOKEN_ROTATE_REFRESH = True (each refresh token is "
                "used once) or False.",
                "useauth.E063",
            )
        )
    errors.extend(_check_reuse_interval())
    return [
        *errors,
        *_check_signing_keys(),
        *_check_claims(),
        *_check_revocation_cache(),
        *_check_registration(),
    ]


def check_revocation_cache_shared(**kwargs: Any) -> list[CheckMessage]:
    """W060 (``--deploy``, from ``check_deploy``): every process sees a revocation."""
    alias: object = conf.TOKEN_REVOCATION_CACHE
    # A missing alias is E067's to report.
    if (
        not isinstance(alias, str)
        or cache_backend(alias) != LOCMEM_CACHE
        or not _token_mode_used()
    ):
        return []
    return [
        Warning(
            "USEAUTH_TOKEN_REVOCATION_CACHE should name a cache shared by every "
            f"process; {alias!r} is LocMemCache, so a token sign-in revoked in "
            "one process (or gunicorn worker) keeps its access tokens in the "
            "others until they expire.",
            hint="Point USEAUTH_TOKEN_REVOCATION_CACHE at a Redis, Memcached or "
            "database cache (docs/tokens.md#revocation).",
            id="useauth.W060",
        )
    ]
