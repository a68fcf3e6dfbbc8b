"""Checks ``check_tokens`` (E060–E070, W061, W062) and ``check_revocation_cache_shared`` (W060): token mode's settings."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.serialization import NoEncryption
from cryptography.hazmat.primitives.serialization import PrivateFormat
from cryptography.hazmat.primitives.serialization import PublicFormat
from django import forms
from django.core.checks import Error
from django.core.checks import Warning
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import SimpleTestCase
from django.urls import URLPattern

from django_useauth.checks import check_tokens
from django_useauth.conf import Settings
from django_useauth.forms import RegistrationForm
from django_useauth.internal.checks.tokens import check_revocation_cache_shared

#: A URLconf without token mode's routes (ROOT_URLCONF = this module).
urlpatterns: list[URLPattern] = []

NOT_MOUNTED = "tests.test_checks_tokens"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
DUMMY = "django.core.cache.backends.dummy.DummyCache"
REDIS = "django.core.cache.backends.redis.RedisCache"
SECRET = "k" * 64


def private_pem(key):
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def public_pem(key):
    return (
        key.public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_1024 = rsa.generate_private_key(public_exponent=65537, key_size=1024)
EC = ec.generate_private_key(ec.SECP256R1())
EC_OTHER = ec.generate_private_key(ec.SECP256R1())
EC_384 = ec.generate_private_key(ec.SECP384R1())
ED = ed25519.Ed25519PrivateKey.generate()


def hs(kid, secret=SECRET, algorithm="HS256"):
    return {"kid": kid, "algorithm": algorithm, "secret": secret}


VALID = {
    "USEAUTH_TOKEN_ACCESS_LIFETIME": 300,
    "USEAUTH_TOKEN_REFRESH_LIFETIME": timedelta(days=30),
    "USEAUTH_TOKEN_ABSOLUTE_MAX_AGE": timedelta(days=90),
    "USEAUTH_TOKEN_ROTATE_REFRESH": False,
    "USEAUTH_TOKEN_SIGNING_KEYS": [
        {
            "kid": "ec",
            "algorithm": "ES256",
            "private_key": private_pem(EC),
            "public_key": public_pem(EC),
        },
        {"kid": "rsa", "algorithm": "RS256", "private_key": private_pem(RSA).encode()},
        {"kid": "ps", "algorithm": "PS512", "public_key": public_pem(RSA)},
        {"kid": "ed", "algorithm": "EdDSA", "private_key": private_pem(ED)},
        hs("hs", SECRET.encode(), "HS512"),
    ],
    "USEAUTH_TOKEN_ISSUER": "https://example.com",
    "USEAUTH_TOKEN_AUDIENCE": "https://api.example.com",
    "USEAUTH_TOKEN_REVOCATION_CACHE": "tokens",
    "CACHES": {"default": {"BACKEND": LOCMEM}, "tokens": {"BACKEND": REDIS}},
    "USEAUTH_TOKEN_REGISTER": True,
    "USEAUTH_TOKEN_REGISTER_FORM": "tests.test_checks_tokens.MyRegistrationForm",
}

NOT_DURATIONS = [0, -1, "900", True, float("inf"), float("nan"), 10**20, timedelta(0)]


class MyRegistrationForm(RegistrationForm):
    pass


class NoSaveForm(forms.Form):
    name = forms.CharField()


def ids():
    return [str(message.id) for message in check_tokens()]


class TokenChecksTests(SimpleTestCase):
    # call_command("check") also runs Django's model checks.
    databases = {"default"}

    def test_defaults_pass(self):
        assert check_tokens() == []

    def test_valid_configuration_passes(self):
        with self.settings(**VALID):
            assert check_tokens() == []
            assert check_revocation_cache_shared() == []

    def test_e060(self):
        for value in [*NOT_DURATIONS, None]:
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_TOKEN_ACCESS_LIFETIME=value),
            ):
                assert ids() == ["useauth.E060"]
        with self.settings(USEAUTH_TOKEN_ACCESS_LIFETIME=0):
            assert check_tokens() == [
                Error(
                    "USEAUTH_TOKEN_ACCESS_LIFETIME should be a positive timedelta "
                    "or number of seconds; got 0.",
                    hint="Set USEAUTH_TOKEN_ACCESS_LIFETIME = timedelta(minutes=15).",
                    id="useauth.E060",
                )
            ]

    def test_e061(self):
        for value in [*NOT_DURATIONS, None]:
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_TOKEN_REFRESH_LIFETIME=value),
            ):
                assert ids() == ["useauth.E061"]

    def test_e061_not_longer_than_the_access_token(self):
        with self.settings(USEAUTH_TOKEN_REFRESH_LIFETIME=900):
            assert check_tokens() == [
                Error(
                    "USEAUTH_TOKEN_REFRESH_LIFETIME should be longer than "
                    "USEAUTH_TOKEN_ACCESS_LIFETIME; 0:15:00 is not longer than "
                    "0:15:00, so a refresh token ends no later than the access "
                    "token it would renew, and every client signs in again instead.",
                    hint="Set USEAUTH_TOKEN_REFRESH_LIFETIME = timedelta(days=14) and "
                    "USEAUTH_TOKEN_ACCESS_LIFETIME = timedelta(minutes=15), or keep "
                    "the first well above the second.",
                    id="useauth.E061",
                )
            ]
        # The default refresh lifetime against a longer access lifetime.
        with self.settings(USEAUTH_TOKEN_ACCESS_LIFETIME=timedelta(days=15)):
            assert ids() == ["useauth.E061"]
        with self.settings(USEAUTH_TOKEN_REFRESH_LIFETIME=901):
            assert ids() == []

    def test_e062(self):
        for value in NOT_DURATIONS:
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_TOKEN_ABSOLUTE_MAX_AGE=value),
            ):
                assert ids() == ["useauth.E062"]
        with self.settings(USEAUTH_TOKEN_ABSOLUTE_MAX_AGE="1"):
            [error] = check_tokens()
            assert error.msg == (
                "USEAUTH_TOKEN_ABSOLUTE_MAX_AGE should be None or a positive "
                "timedelta or number of seconds; got '1'."
            )
        for value in (None, 900, timedelta(hours=1)):
            with self.settings(USEAUTH_TOKEN_ABSOLUTE_MAX_AGE=value):
                assert ids() == []

    def test_e062_shorter_than_the_access_token(self):
        with self.settings(USEAUTH_TOKEN_ABSOLUTE_MAX_AGE=899):
            [error] = check_tokens()
            assert error.id == "useauth.E062"
            assert error.msg.startswith(
                "USEAUTH_TOKEN_ABSOLUTE_MAX_AGE should not be shorter than "
                "USEAUTH_TOKEN_ACCESS_LIFETIME; 0:14:59 is shorter than 0:15:00"
            )

    def test_e063_e069(self):
        for name, check_id in (
            ("USEAUTH_TOKEN_ROTATE_REFRESH", "useauth.E063"),
            ("USEAUTH_TOKEN_REGISTER", "useauth.E069"),
        ):
            for value in ("yes", 1, None):
                with (
                    self.subTest(name=name, value=value),
                    self.settings(**{name: value}),
                ):
                    assert ids() == [check_id]
            for value in (True, False):
                with self.settings(**{name: value}):
                    assert ids() == []

    def test_e064(self):
        cases = [
            (hs("a"), "must be a list of dicts"),
            ("HS256", "must be a list of dicts"),
            ([], "is empty"),
            (["key"], "[0] must be a dict"),
            ([{1: "a"}], "[0] should have string field names"),
            ([hs("a", ["hunter2"] * 32)], "[0]['secret'] should be a string"),
            ([{**hs("a"), "use": "sig"}], "unknown field(s) use"),
            ([hs("")], "needs a 'kid'"),
            ([hs("a", algorithm="none")], "'algorithm' must be one of"),
            ([hs("a", "hunter2")], "at least 32 bytes"),
            ([hs("a", algorithm="RS256")], "takes PEM keys, not a 'secret'"),
            ([hs("a"), hs("a")], "two keys with kid 'a'"),
            (
                [
                    {
                        "kid": "a",
                        "algorithm": "ES256",
                        "private_key": private_pem(EC_384),
                    }
                ],
                "not a PEM key of the kind ES256 needs",
            ),
            (
                [{"kid": "a", "algorithm": "ES256", "public_key": public_pem(EC)}],
                "[0] signs the new tokens",
            ),
            (
                [{"kid": "a", "algorithm": "ES256", "private_key": public_pem(EC)}],
                "'private_key' is a public key",
            ),
        ]
        for value, fragment in cases:
            with (
                self.subTest(fragment),
                self.settings(USEAUTH_TOKEN_SIGNING_KEYS=value),
            ):
                [error] = check_tokens()
                assert error.id == "useauth.E064"
                assert fragment in error.msg
                assert error.msg.startswith("USEAUTH_TOKEN_SIGNING_KEYS")
                # A secret or a key is never shown.
                assert "hunter2" not in error.msg
                assert "PUBLIC KEY" not in error.msg

    def test_e064_keys_that_are_not_a_pair(self):
        key = {
            "kid": "a",
            "algorithm": "ES256",
            "private_key": private_pem(EC),
            "public_key": public_pem(EC_OTHER),
        }
        with self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[hs("hs"), key]):
            assert check_tokens() == [
                Error(
                    "USEAUTH_TOKEN_SIGNING_KEYS key 'a' should have a 'public_key' "
                    "that is the public half of its 'private_key'; they are not a "
                    "pair, so no token it signs verifies.",
                    hint="Give only the 'private_key' (its public half is derived "
                    "from it), or the 'public_key' that belongs to it.",
                    id="useauth.E064",
                )
            ]

    def test_w061(self):
        weak = [
            {"kid": "old", "algorithm": "RS256", "private_key": private_pem(RSA_1024)},
            hs("short", "k" * 32, "HS512"),
        ]
        with self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[hs("hs"), *weak]):
            messages = check_tokens()
        assert [message.id for message in messages] == ["useauth.W061"] * 2
        assert messages[0].msg == (
            "USEAUTH_TOKEN_SIGNING_KEYS key 'old' should be strong enough for "
            "RS256; its RSA key is 1024 bits, under the 2048 that NIST SP "
            "800-131A asks for."
        )
        assert messages[1].msg == (
            "USEAUTH_TOKEN_SIGNING_KEYS key 'short' should be strong enough for "
            "HS512; its secret is 32 bytes, shorter than the 64 bytes of the hash "
            "(RFC 7518 section 3.2 asks for at least as many)."
        )
        assert "k" * 32 not in messages[1].msg

    def test_e065_e066(self):
        for name, check_id in (
            ("USEAUTH_TOKEN_ISSUER", "useauth.E065"),
            ("USEAUTH_TOKEN_AUDIENCE", "useauth.E066"),
        ):
            for value in ("", "  ", 3, None, b"aud"):
                with (
                    self.subTest(name=name, value=value),
                    self.settings(**{name: value}),
                ):
                    assert ids() == [check_id]
            with self.settings(**{name: "urn:example"}):
                assert ids() == []
        # Left out, both follow USEAUTH_URL.
        with self.settings(USEAUTH_URL="https://example.com"):
            assert ids() == []

    def test_e067(self):
        for value in ("nope", None, ["default"]):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_TOKEN_REVOCATION_CACHE=value),
            ):
                assert ids() == ["useauth.E067"]
                assert check_revocation_cache_shared() == []

    def test_e068(self):
        with self.settings(CACHES={"default": {"BACKEND": DUMMY}}):
            assert check_tokens() == [
                Error(
                    "USEAUTH_TOKEN_REVOCATION_CACHE should name a cache that stores; "
                    "'default' is DummyCache, which keeps nothing, so no server ever "
                    "sees a revocation: the access tokens of a signed-out or revoked "
                    "token sign-in are accepted until they expire.",
                    hint="Point USEAUTH_TOKEN_REVOCATION_CACHE at a Redis, Memcached "
                    "or database cache that every server shares "
                    "(docs/tokens.md#revocation).",
                    id="useauth.E068",
                )
            ]
            # A site that does not use token mode keeps its dummy cache...
            for urlconf in (NOT_MOUNTED, None):
                with self.settings(ROOT_URLCONF=urlconf):
                    assert ids() == []
            # ...until it sets a token setting, for issue_tokens().
            with self.settings(
                ROOT_URLCONF=NOT_MOUNTED, USEAUTH_TOKEN_ACCESS_LIFETIME=600
            ):
                assert ids() == ["useauth.E068"]

    def test_w060(self):
        # tests/settings.py: the default cache is local memory.
        assert check_revocation_cache_shared() == [
            Warning(
                "USEAUTH_TOKEN_REVOCATION_CACHE should name a cache shared by every "
                "process; 'default' is LocMemCache, so a token sign-in revoked in "
                "one process (or gunicorn worker) keeps its access tokens in the "
                "others until they expire.",
                hint="Point USEAUTH_TOKEN_REVOCATION_CACHE at a Redis, Memcached or "
                "database cache (docs/tokens.md#revocation).",
                id="useauth.W060",
            )
        ]
        with self.settings(ROOT_URLCONF=NOT_MOUNTED):
            assert check_revocation_cache_shared() == []
        for backend in (REDIS, DUMMY):
            with self.settings(CACHES={"default": {"BACKEND": backend}}):
                assert check_revocation_cache_shared() == []

    def test_e070(self):
        cases = [
            (3, "should be the dotted path of a form class; got 3."),
            (
                "no.such.Form",
                "'no.such.Form' does not import (ModuleNotFoundError: No module named 'no')",
            ),
            ("django_useauth.conf.conf", "'django_useauth.conf.conf' is not a form"),
            (
                "tests.test_checks_tokens.NoSaveForm",
                "'tests.test_checks_tokens.NoSaveForm' has no save()",
            ),
        ]
        for value, fragment in cases:
            with (
                self.subTest(value=value),
                self.settings(
                    USEAUTH_TOKEN_REGISTER=True, USEAUTH_TOKEN_REGISTER_FORM=value
                ),
            ):
                [error] = check_tokens()
                assert error.id == "useauth.E070"
                assert fragment in error.msg
                assert error.hint == (
                    "Set USEAUTH_TOKEN_REGISTER_FORM = "
                    "'django_useauth.forms.RegistrationForm' or the path of a "
                    "subclass of it (docs/tokens.md#registration)."
                )
                # Only POST register imports the form.
                with self.settings(USEAUTH_TOKEN_REGISTER=False):
                    assert ids() == []

    def test_e070_form_module_that_raises(self):
        raises = mock.patch(
            "django_useauth.internal.checks.tokens.import_string",
            side_effect=FieldError("Unknown field(s) (nickname)"),
        )
        with raises, self.settings(USEAUTH_TOKEN_REGISTER=True):
            [error] = check_tokens()
        assert error.id == "useauth.E070"
        assert "does not import (FieldError: Unknown field(s) (nickname))" in error.msg

    def test_w062(self):
        with self.settings(
            USEAUTH_TOKEN_REGISTER=True, USEAUTH_CREDENTIALS_ENABLED=False
        ):
            assert ids() == ["useauth.W062"]
        with self.settings(USEAUTH_TOKEN_REGISTER=True):
            assert ids() == []

    def test_odd_values_never_crash(self):
        names = [name for name in vars(Settings) if name.startswith("TOKEN_")]
        assert len(names) == 11
        for name in names:
            for value in (object(), float("nan"), {"a": [1]}, [[]], b"\xff"):
                with (
                    self.subTest(name=name, value=value),
                    self.settings(
                        **{"USEAUTH_TOKEN_REGISTER": True, f"USEAUTH_{name}": value}
                    ),
                ):
                    messages = check_tokens()
                    assert messages
                    assert all(str(m.id).startswith("useauth.E0") for m in messages)
                    check_revocation_cache_shared()

    def test_call_command_fails(self):
        with (
            self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[]),
            self.assertRaises(SystemCheckError),
        ):
            call_command("check")


class ReuseIntervalCheckTests(SimpleTestCase):
    def test_e071(self):
        for value in (-1, 61, timedelta(minutes=2), "5s", True, float("inf")):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_TOKEN_REUSE_INTERVAL=value),
            ):
                assert [m.id for m in check_tokens()] == ["useauth.E071"]
        for value in (0, 5, 2.5, timedelta(seconds=60)):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_TOKEN_REUSE_INTERVAL=value),
            ):
                assert check_tokens() == []
