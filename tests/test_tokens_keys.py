"""The signing keys' edge cases that the checks cannot see at runtime, and the access token's cap."""

from __future__ import annotations

import time
from datetime import timedelta

from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings

from django_useauth.internal import access_tokens
from django_useauth.internal.signing_keys import SigningKeyError
from django_useauth.internal.signing_keys import keyring
from django_useauth.models import TokenFamily
from django_useauth.tokens import issue_tokens
from tests.tokens_utils import forge
from tests.tokens_utils import rsa_key_pair
from tests.utils import PASSWORD
from tests.utils import make_user
from tests.utils import post_json


class KeyringTests(SimpleTestCase):
    def test_secret_key_among_its_own_fallbacks(self) -> None:
        # Django allows it during a rotation; one key, not two with one kid.
        with self.settings(
            SECRET_KEY="s" * 50, SECRET_KEY_FALLBACKS=["s" * 50, "o" * 50]
        ):
            ring = keyring()
        assert len(ring.by_kid) == 2
        assert ring.current.kid in ring.by_kid

    def test_unhashable_or_unsortable_settings_are_signing_key_errors(self) -> None:
        for value in (
            [{"kid": "a", "algorithm": "HS256", "secret": ["x"] * 40}],
            [{1: "a", "kid": "b"}],
        ):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_TOKEN_SIGNING_KEYS=value),
                self.assertRaisesMessage(SigningKeyError, "list of dicts with string"),
            ):
                keyring()

    def test_a_broken_setting_makes_every_token_foreign_not_a_500(self) -> None:
        token = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImEiLCJ0eXAiOiJhdCtqd3QifQ.e30.x"
        with self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[{"kid": ["a"]}]):
            assert not access_tokens.names_our_key(token)


@override_settings(USEAUTH_TOKEN_ABSOLUTE_MAX_AGE=timedelta(minutes=5))
class CapTests(TestCase):
    def test_no_access_token_outlives_its_family(self) -> None:
        make_user()
        body = post_json(
            self.client, "/api/token/login", {"username": "ada", "password": PASSWORD}
        ).json()
        family = TokenFamily.objects.get()
        assert family.expires_at is not None
        access = access_tokens.verify(body["token"])
        # Whole seconds: a JWT's exp has no fraction.
        assert access.expires == family.expires_at.replace(microsecond=0)
        assert access.expires - access.issued_at <= timedelta(minutes=5)


HS_SECRET = "s" * 40


class VerifyEdgesTests(SimpleTestCase):
    def test_a_broken_setting_refuses_every_token(self) -> None:
        token = forge({}, HS_SECRET, "HS256", {"kid": "a", "typ": "at+jwt"})
        with (
            self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[{"kid": ["a"]}]),
            self.assertRaises(access_tokens.InvalidAccessToken) as refused,
        ):
            access_tokens.verify(token)
        assert refused.exception.code == "unknown-key"

    def test_claims_of_the_wrong_type(self) -> None:
        keys = [{"kid": "k", "algorithm": "HS256", "secret": HS_SECRET}]
        claims = {
            "iss": "django-useauth",
            "aud": "django-useauth",
            "sub": "1",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "fam": "f",
            "bkd": "b",
            "sah": "h",
        }
        with self.settings(USEAUTH_TOKEN_SIGNING_KEYS=keys):
            for name, value in (("sub", 1), ("fam", ""), ("sah", ["h"])):
                token = forge(
                    {**claims, name: value},
                    HS_SECRET,
                    "HS256",
                    {"kid": "k", "typ": "at+jwt"},
                )
                with (
                    self.subTest(name=name),
                    self.assertRaises(access_tokens.InvalidAccessToken),
                ):
                    access_tokens.verify(token)
            token = forge(
                {**claims, "sub": "1"},
                HS_SECRET,
                "HS256",
                {"kid": "k", "typ": "at+jwt"},
            )
            assert access_tokens.verify(token).user_id == "1"
            unknown = forge(
                {**claims, "sub": "1"},
                HS_SECRET,
                "HS256",
                {"kid": "?", "typ": "at+jwt"},
            )
            with self.assertRaises(access_tokens.InvalidAccessToken):
                access_tokens.verify(unknown)

    def test_key_shapes_the_keyring_refuses(self) -> None:
        private, public = rsa_key_pair()
        for entry, fragment in (
            (
                {
                    "kid": "a",
                    "algorithm": "HS256",
                    "secret": HS_SECRET,
                    "public_key": public,
                },
                "takes a 'secret'",
            ),
            (
                {
                    "kid": "a",
                    "algorithm": "RS256",
                    "private_key": private,
                    "public_key": private,
                },
                "is a private key",
            ),
            (
                {"kid": "a", "algorithm": "RS256"},
                "give a 'private_key' or a 'public_key'",
            ),
        ):
            with (
                self.subTest(fragment=fragment),
                self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[entry]),
                self.assertRaisesMessage(SigningKeyError, fragment),
            ):
                keyring()


class LogoutWithBrokenKeysTests(TestCase):
    def test_is_a_401_not_a_500(self) -> None:
        token = forge({}, HS_SECRET, "HS256", {"kid": "a", "typ": "at+jwt"})
        with self.settings(
            USEAUTH_TOKEN_SIGNING_KEYS=[
                {"kid": "a", "algorithm": "HS256", "secret": "short"}
            ]
        ):
            response = self.client.post(
                "/api/token/logout", headers={"Authorization": f"Bearer {token}"}
            )
        assert response.status_code == 401


class OneBackendTests(TestCase):
    @override_settings(
        AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"]
    )
    def test_issue_tokens_takes_the_only_backend(self) -> None:
        pair = issue_tokens(make_user())
        assert TokenFamily.objects.get(pk=pair.family).backend == (
            "django.contrib.auth.backends.ModelBackend"
        )
        family = TokenFamily.objects.get()
        assert str(family) == pair.family
        assert str(family.refresh_tokens.get()).startswith(f"{pair.family}:")


class HeaderTests(SimpleTestCase):
    def test_what_is_no_header_of_ours(self) -> None:
        for token in (
            "no-dot-at-all",
            "%%%.e30.x",  # not base64url
            "bm90IGpzb24.e30.x",  # base64url of "not json"
            "WzFd.e30.x",  # base64url of "[1]": JSON, not an object
            "e30" + "A" * 2000 + ".e30.x",  # a header far longer than ours
        ):
            with self.subTest(token=token[:20]):
                assert not access_tokens.names_our_key(token)
                with self.assertRaises(access_tokens.InvalidAccessToken) as refused:
                    access_tokens.verify(token)
                assert refused.exception.code == "malformed"
