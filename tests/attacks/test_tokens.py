"""ATTACKS TOK1–TOK23: token mode (``/api/token/``, ``Authorization: Bearer``).

Every request goes over HTTP through the test client, with CSRF really
checked. The forged tokens are signed by hand (tests/tokens_utils.py), and
each refusal has a control beside it: the same request with the genuine token
is accepted, so a test cannot pass because nothing is accepted at all.
TOK24 and TOK25, under real concurrency, are in tests/test_tokens_concurrency.py.
docs/security.md, "Tokens", lists the rows.

This module is also the URLconf of its tests (``ROOT_URLCONF=__name__``):
tests/urls.py, plus one state-changing view per kind of view a token may
reach: a Django view under ``CsrfViewMiddleware``, a DRF view with
``UseAuthAuthentication`` and a django-ninja operation with ``useauth_bearer``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth import hashers
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from django.http import JsonResponse
from django.test import Client
from django.test import override_settings
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST
from jwt.utils import base64url_encode
from ninja import NinjaAPI
from ninja import Schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django_useauth.conf import conf
from django_useauth.decorators import auth_required
from django_useauth.internal import access_tokens
from django_useauth.internal.signing_keys import keyring
from django_useauth.models import RefreshToken
from django_useauth.models import TokenFamily
from django_useauth.ninja import useauth_bearer
from django_useauth.rest_framework import IsSignedIn
from django_useauth.rest_framework import UseAuthAuthentication
from tests import urls as test_urls
from tests.attacks.base import FAILED
from tests.attacks.base import THROTTLED
from tests.attacks.base import WINDOW
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import frozen_time
from tests.attacks.base import post_credentials
from tests.attacks.base import session_json
from tests.expected import ADA
from tests.tokens_utils import ACCESS_TOKEN_TYPE
from tests.tokens_utils import TOKEN_LOGIN
from tests.tokens_utils import TOKEN_LOGOUT
from tests.tokens_utils import TOKEN_SESSION
from tests.tokens_utils import bearer
from tests.tokens_utils import ec_key_pair
from tests.tokens_utils import forge
from tests.tokens_utils import rsa_key_pair
from tests.tokens_utils import segments
from tests.tokens_utils import token_login
from tests.tokens_utils import token_refresh
from tests.utils import CACHED_SESSIONS
from tests.utils import FORM
from tests.utils import NEVER_CACHE
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_headers
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import post_json
from tests.utils import session_key
from tests.utils import sign_in
from tests.utils import store
from tests.utils import user_cache_key

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

GRACE = {"name": "Grace Hopper", "email": "grace@example.com", "image": None}

#: The three state-changing views of this URLconf; each renames ``request.user``.
DJANGO_RENAME = "/tok/django/rename"
DRF_RENAME = "/tok/drf/rename"
NINJA_RENAME = "/tok/ninja/rename"
RENAMES = (DJANGO_RENAME, DRF_RENAME, NINJA_RENAME)
#: What each of them answers to a request that fails the CSRF check.
CSRF_REFUSALS = {
    DJANGO_RENAME: b"CSRF verification failed",
    DRF_RENAME: b"CSRF Failed: CSRF token missing.",
    NINJA_RENAME: b"CSRF check Failed",
}

#: What a refused access token is answered (RFC 6750).
INVALID_TOKEN = {"error": "InvalidToken"}
CHALLENGE = 'Bearer realm="api", error="invalid_token"'

#: Two keys for the configured-keys rows, made once for the module.
RSA_PRIVATE, RSA_PUBLIC = rsa_key_pair()
EC_PRIVATE, EC_PUBLIC = ec_key_pair()
RS_KEY = {"kid": "rs-2026-06", "algorithm": "RS256", "private_key": RSA_PRIVATE}
RS_VERIFY_ONLY = {"kid": "rs-2026-06", "algorithm": "RS256", "public_key": RSA_PUBLIC}
ES_KEY = {"kid": "es-2026-12", "algorithm": "ES256", "private_key": EC_PRIVATE}

OLD_SECRET = "django-useauth-tests-old-secret-key-not-secret"
NEW_SECRET = "django-useauth-tests-new-secret-key-not-secret"


class UnreachableCache(LocMemCache):
    """A cache whose server is down: every read and write fails, as a Redis client's does."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the cache server is down")

    def set(self, *args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the cache server is down")


def _rename(user: Any, name: str) -> dict[str, str]:
    User.objects.filter(pk=user.pk).update(first_name=name)
    return {"renamed": user.get_username()}


@require_POST
@auth_required
def django_rename(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_rename(request.user, json.loads(request.body)["name"]))


class DrfRename(APIView):
    authentication_classes = [UseAuthAuthentication]
    permission_classes = [IsSignedIn]

    def post(self, request: Request) -> Response:
        data = request.data
        assert isinstance(data, dict)
        return Response(_rename(request.user, data["name"]))


class Rename(Schema):
    name: str


ninja_api = NinjaAPI(urls_namespace="useauth-token-attacks")


@ninja_api.post("/rename", auth=useauth_bearer)
def ninja_rename(request: HttpRequest, body: Rename) -> dict[str, str]:
    return _rename(request.user, body.name)


urlpatterns = [
    *test_urls.urlpatterns,
    path("tok/django/rename", django_rename),
    path("tok/drf/rename", DrfRename.as_view()),
    path("tok/ninja/", ninja_api.urls),
]


def _first_name(username: str) -> str:
    return User.objects.get(username=username).first_name


def _with_claims(token: str, **changes: Any) -> str:
    # The token with its claims segment replaced, header and signature kept.
    header, _, signature = token.split(".")
    _, decoded, _ = segments(token)
    forged = forge({**decoded, **changes}, "", "none").split(".")[1]
    return f"{header}.{forged}.{signature}"


@override_settings(ROOT_URLCONF=__name__)
class TokenTestCase(AttackTestCase):
    """ada and grace; ``self.client`` checks CSRF and carries no cookie."""

    grace: User

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.grace = make_user("grace", first_name="Grace", last_name="Hopper")

    def session_of(self, token: str) -> TestResponse:
        response: TestResponse = self.client.get(TOKEN_SESSION, headers=bearer(token))
        return response

    def assert_accepted(self, token: str, user: dict[str, Any] = ADA) -> None:
        response = self.session_of(token)
        assert response.status_code == 200, response.content
        assert response.json()["user"] == user

    def assert_refused(self, token: str) -> None:
        # GET session, and views behind @auth_required: 401 with RFC 6750's
        # challenge; the request is signed out.
        response = self.session_of(token)
        assert_json(response, 401, INVALID_TOKEN)
        assert response["WWW-Authenticate"] == CHALLENGE
        for view in ("/protected/", "/aprotected/"):  # sync and async guards
            protected = self.client.get(view, headers=bearer(token))
            assert protected.status_code == 401
            assert protected["WWW-Authenticate"] == CHALLENGE

    def genuine(self, username: str = "ada") -> tuple[str, dict[str, Any]]:
        """A token from POST login, and its claims."""
        token: str = token_login(Client(), username)["token"]
        _, claims, _ = segments(token)
        return token, claims

    def derived(self) -> tuple[bytes, str]:
        """The HS256 key derived from SECRET_KEY that signs now, and its kid."""
        key = keyring().current
        assert key.algorithm == "HS256"
        return key.signing, key.kid


class ForgedTokenTests(TokenTestCase):
    """TOK1–TOK7: tokens the site did not issue, or not as they are."""

    def test_TOK1_alg_none(self):
        token, claims = self.genuine()
        secret, kid = self.derived()
        # Control: the same claims, signed as the site signs them.
        self.assert_accepted(forge(claims, secret, "HS256", segments(token)[0]))
        for alg in ("none", "None", "NONE"):
            for headers in (
                {"kid": kid, "typ": ACCESS_TOKEN_TYPE},
                {"typ": ACCESS_TOKEN_TYPE},
            ):
                with self.subTest(alg=alg, headers=headers):
                    self.assert_refused(forge(claims, "", alg, headers))

    def test_TOK2_hmac_with_the_public_key_as_secret(self):
        # The RS/HS confusion: the public key is public, and a verifier that
        # lets the token choose its algorithm takes it as an HMAC secret.
        for key, private, public, others in (
            (RS_KEY, RSA_PRIVATE, RSA_PUBLIC, ("RS512", "PS256")),
            (ES_KEY, EC_PRIVATE, EC_PUBLIC, ()),
        ):
            with (
                self.subTest(algorithm=key["algorithm"]),
                self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[key]),
            ):
                token, claims = self.genuine()
                header = segments(token)[0]
                assert header == {
                    "alg": key["algorithm"],
                    "kid": key["kid"],
                    "typ": ACCESS_TOKEN_TYPE,
                }
                # Control: the same claims signed with the private key.
                self.assert_accepted(forge(claims, private, key["algorithm"], header))
                for alg in ("HS256", "HS384", "HS512"):
                    self.assert_refused(
                        forge(claims, public, alg, {**header, "alg": alg})
                    )
                # The key's own algorithm only, not another one the same
                # private key can sign with (a P-256 key signs ES256 alone).
                for alg in others:
                    self.assert_refused(
                        forge(claims, private, alg, {**header, "alg": alg})
                    )
                self.assert_refused(
                    forge(claims, "", "none", {**header, "alg": "none"})
                )

    def test_TOK3_tampered_claims_and_signature(self):
        ada, _ = self.genuine()
        grace, grace_claims = self.genuine("grace")
        self.assert_accepted(ada)
        self.assert_accepted(grace, GRACE)
        # ada's token made to name grace (and grace's family and password
        # digest): the signature no longer matches.
        self.assert_refused(_with_claims(ada, sub=grace_claims["sub"]))
        self.assert_refused(
            _with_claims(
                ada,
                sub=grace_claims["sub"],
                fam=grace_claims["fam"],
                sah=grace_claims["sah"],
            )
        )
        # A longer life.
        self.assert_refused(_with_claims(ada, exp=segments(ada)[1]["exp"] + 86400))
        # One character of the signature changed (in the middle: the last
        # one may only change padding bits), or the signature dropped.
        header, claims, signature = ada.split(".")
        middle = len(signature) // 2
        flipped = "A" if signature[middle] != "A" else "B"
        for bad in (
            signature[:middle] + flipped + signature[middle + 1 :],
            "",
            signature[::-1],
        ):
            with self.subTest(signature=bad):
                self.assert_refused(f"{header}.{claims}.{bad}")

    def test_TOK4_expired_access_token(self):
        _, claims = self.genuine()
        lifetime = conf.TOKEN_ACCESS_LIFETIME
        now = timezone.now()
        fresh, _ = access_tokens.issue(
            self.user, family=claims["fam"], backend=claims["bkd"], now=now
        )
        self.assert_accepted(fresh)
        # Past the margin by which a revoked family's mark outlives its access
        # tokens (a minute): any clock leeway on exp must stay inside it, or
        # a revoked token would come back once its mark is gone.
        for late in (timedelta(seconds=61), timedelta(hours=1)):
            with self.subTest(expired_for=late):
                expired, expires = access_tokens.issue(
                    self.user,
                    family=claims["fam"],
                    backend=claims["bkd"],
                    now=now - lifetime - late,
                )
                assert expires < now
                self.assert_refused(expired)

    def test_TOK4_a_token_from_a_server_whose_clock_is_ahead(self):
        # Several app servers: the one that issued the token reads its clock
        # two seconds ahead of the one that verifies it. Refusing the token
        # for an iat "in the future" signs the client out at random right
        # after each sign-in or refresh; a small leeway is the usual cure
        # (the revocation marks already allow for it: _MARK_MARGIN_SECONDS).
        _, claims = self.genuine()
        ahead, _ = access_tokens.issue(
            self.user,
            family=claims["fam"],
            backend=claims["bkd"],
            now=timezone.now() + timedelta(seconds=2),
        )
        self.assert_accepted(ahead)

    def test_TOK5_another_issuer_or_audience(self):
        # A staging site or another service sharing the key (the same
        # SECRET_KEY, the same PEM): its tokens are not this site's.
        token, claims = self.genuine()
        assert (claims["iss"], claims["aud"]) == ("django-useauth", "django-useauth")
        for issuer, audience in (
            ("https://staging.example", "django-useauth"),
            ("django-useauth", "https://other-api.example"),
            ("https://staging.example", "https://staging.example"),
        ):
            with self.subTest(iss=issuer, aud=audience):
                with self.settings(
                    USEAUTH_TOKEN_ISSUER=issuer, USEAUTH_TOKEN_AUDIENCE=audience
                ):
                    other = token_login(Client())["token"]
                    self.assert_accepted(other)  # on its own site
                assert segments(other)[1]["iss"] == issuer
                self.assert_refused(other)
        # Every claim is required: each one left out, the rest signed.
        secret, _ = self.derived()
        header = segments(token)[0]
        for name in ("iss", "aud", "sub", "iat", "exp", "fam", "bkd", "sah"):
            with self.subTest(missing=name):
                partial = {k: v for k, v in claims.items() if k != name}
                self.assert_refused(forge(partial, secret, "HS256", header))

    def test_TOK6_another_kind_of_token(self):
        token, claims = self.genuine()
        secret, kid = self.derived()
        # An ID token, or any other JWT the project signs with the same key:
        # without typ at+jwt it is not an access token.
        for headers in ({"kid": kid}, {"kid": kid, "typ": "JWT"}):
            with self.subTest(headers=headers):
                self.assert_refused(forge(claims, secret, "HS256", headers))
        id_token = {
            "iss": claims["iss"],
            "aud": claims["aud"],
            "sub": claims["sub"],
            "iat": claims["iat"],
            "exp": claims["exp"],
            "nonce": "n-0S6_WzA2Mj",
        }
        self.assert_refused(
            forge(id_token, secret, "HS256", {"kid": kid, "typ": "JWT"})
        )
        self.assert_refused(
            forge(id_token, secret, "HS256", {"kid": kid, "typ": ACCESS_TOKEN_TYPE})
        )
        # The refresh token as an access token, and the other way round.
        pair = token_login(Client())
        self.assert_refused(pair["refreshToken"])
        refused = token_refresh(self.client, pair["token"])
        assert_json(refused, 401, {"error": "InvalidRefreshToken"})
        self.assert_accepted(pair["token"])

    def test_TOK7_unknown_kid_or_another_secret(self):
        token, claims = self.genuine()
        secret, kid = self.derived()
        header = segments(token)[0]
        self.assert_refused(forge(claims, secret, "HS256", {**header, "kid": "other"}))
        self.assert_refused(
            forge(
                claims, secret, "HS256", {k: v for k, v in header.items() if k != "kid"}
            )
        )
        self.assert_refused(
            forge(claims, "another-library-s-secret-0123456789abcdef", "HS256", header)
        )
        self.assert_accepted(forge(claims, secret, "HS256", header))


class KeyRotationTests(TokenTestCase):
    """TOK8 and TOK9: the keys change; the tokens of the old key live as long as it is configured."""

    def test_TOK8_retired_key(self):
        with self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[RS_KEY]):
            old = token_login(Client())["token"]
            self.assert_accepted(old)
        # The new key signs; the old one stays, public half only, to verify.
        with self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[ES_KEY, RS_VERIFY_ONLY]):
            self.assert_accepted(old)
            new = token_login(Client())["token"]
            assert segments(new)[0] == {
                "alg": "ES256",
                "kid": "es-2026-12",
                "typ": ACCESS_TOKEN_TYPE,
            }
            self.assert_accepted(new)
        # The old key removed: its tokens are refused, the new ones are not.
        with self.settings(USEAUTH_TOKEN_SIGNING_KEYS=[ES_KEY]):
            self.assert_refused(old)
            self.assert_accepted(new)
        # Nor do the default keys (derived from SECRET_KEY) take them.
        self.assert_refused(old)
        self.assert_refused(new)

    def test_TOK9_secret_key_rotation(self):
        with self.settings(SECRET_KEY=OLD_SECRET):
            old = token_login(Client())["token"]
            self.assert_accepted(old)
        with self.settings(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[OLD_SECRET]):
            self.assert_accepted(old)
            new = token_login(Client())["token"]
            assert segments(new)[0]["kid"] != segments(old)[0]["kid"]
            self.assert_accepted(new)
        with self.settings(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[]):
            self.assert_refused(old)
            self.assert_accepted(new)

    def test_TOK9_a_sign_in_refreshed_during_the_rotation_survives_it(self):
        # Django's get_user() re-hashes a session verified with a fallback
        # key, so a session used while SECRET_KEY_FALLBACKS holds the old key
        # is still signed in after the fallback is dropped. A token sign-in
        # refreshed in that window must be too.
        browser = csrf_client()
        with self.settings(SECRET_KEY=OLD_SECRET):
            sign_in(browser)
            pair = token_login(Client())
        with self.settings(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[OLD_SECRET]):
            assert session_json(browser)["user"] == ADA
            rotated = token_refresh(self.client, pair["refreshToken"])
            assert rotated.status_code == 200, rotated.content
        with self.settings(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[]):
            assert session_json(browser)["user"] == ADA
            again = token_refresh(self.client, rotated.json()["refreshToken"])
            assert again.status_code == 200, again.content


class RevocationTests(TokenTestCase):
    """TOK10–TOK13 and TOK22: refresh tokens and the ends of a token sign-in."""

    def family(self, token: str) -> TokenFamily:
        family: TokenFamily = TokenFamily.objects.get(pk=segments(token)[1]["fam"])
        return family

    def test_TOK10_refresh_token_reuse_revokes_the_family(self):
        owner = token_login(Client())
        stolen = owner["refreshToken"]
        # The thief refreshes first, and gets tokens that work.
        thief = token_refresh(Client(), stolen)
        assert thief.status_code == 200
        thief_tokens = thief.json()
        self.assert_accepted(thief_tokens["token"])
        self.assert_accepted(owner["token"])
        # The owner's client refreshes with the token it holds: reuse.
        with self.assertLogs(
            "django_useauth.internal.token_families", "WARNING"
        ) as logs:
            reused = token_refresh(self.client, stolen)
        assert_json(reused, 401, {"error": "RefreshTokenReused"})
        family = self.family(owner["token"])
        assert family.revoked_at is not None
        assert family.revoked_reason == "reuse"
        # Nobody's tokens work any more: the thief's refresh token, both
        # access tokens (on the next request), the stolen one again.
        assert_json(
            token_refresh(Client(), thief_tokens["refreshToken"]),
            401,
            {"error": "InvalidRefreshToken"},
        )
        self.assert_refused(thief_tokens["token"])
        self.assert_refused(owner["token"])
        assert token_refresh(Client(), stolen).status_code == 401
        # The log names the family, never a token.
        logged = "\n".join(logs.output)
        assert str(family.id) in logged
        for value in (stolen, thief_tokens["refreshToken"], owner["token"]):
            assert value not in logged

    def test_TOK10_a_used_token_is_reuse_even_once_its_family_is_revoked(self):
        # What each loser of a concurrent race is told must not depend on
        # whether another loser revoked the family a moment before it
        # (tests/test_tokens_concurrency.py): a used refresh token presented
        # again is reuse, the second time as the first.
        owner = token_login(Client())
        assert token_refresh(Client(), owner["refreshToken"]).status_code == 200
        for _ in range(2):
            reused = token_refresh(self.client, owner["refreshToken"])
            assert (reused.status_code, reused.json()) == (
                401,
                {"error": "RefreshTokenReused"},
            )

    def test_TOK11_tokens_of_a_signed_out_family(self):
        for how in ("refresh token", "access token", "expired access token"):
            with self.subTest(how=how):
                pair = token_login(Client())
                token = pair["token"]
                if how == "refresh token":
                    response = post_json(
                        self.client,
                        TOKEN_LOGOUT,
                        {"refreshToken": pair["refreshToken"]},
                    )
                else:
                    if how == "expired access token":
                        claims = segments(token)[1]
                        token, _ = access_tokens.issue(
                            self.user,
                            family=claims["fam"],
                            backend=claims["bkd"],
                            now=timezone.now() - timedelta(hours=1),
                        )
                    response = post_json(
                        self.client, TOKEN_LOGOUT, {}, headers=bearer(token)
                    )
                assert_json(response, 200, {})
                assert_json(
                    token_refresh(self.client, pair["refreshToken"]),
                    401,
                    {"error": "InvalidRefreshToken"},
                )
                self.assert_refused(pair["token"])
                assert self.family(pair["token"]).revoked_reason == "sign-out"
        # Control: the sign-in of another client is untouched.
        other = token_login(Client())
        self.assert_accepted(other["token"])
        assert token_refresh(self.client, other["refreshToken"]).status_code == 200

    def assert_ends(self, change: str) -> None:
        pair = token_login(Client())
        self.assert_accepted(pair["token"])
        user = User.objects.get(username="ada")
        if change == "password":
            user.set_password("a new password, not the stolen one")
        else:
            user.is_active = False
        user.save()
        # The access token stops at once, then the refresh token, which
        # revokes the family.
        self.assert_refused(pair["token"])
        assert_json(
            token_refresh(self.client, pair["refreshToken"]),
            401,
            {"error": "InvalidRefreshToken"},
        )
        expected = "password" if change == "password" else "inactive"
        assert self.family(pair["token"]).revoked_reason == expected

    def test_TOK12_password_change(self):
        self.assert_ends("password")

    def test_TOK13_deactivation(self):
        self.assert_ends("inactive")

    @override_settings(**CACHED_SESSIONS)
    def test_TOK12_TOK13_with_the_session_cache(self):
        # The access token's user comes from USEAUTH_SESSION_CACHE without
        # SQL; saving the user clears it, so the change still counts at once.
        for change in ("password", "inactive"):
            with self.subTest(change=change):
                # As setUpTestData made ada (update() clears no cache: none is held).
                User.objects.filter(pk=self.user.pk).update(
                    password=self.user.password, is_active=True
                )
                pair = token_login(Client())
                self.assert_accepted(pair["token"])
                assert caches["sessions"].get(user_cache_key(self.user.pk))
                with self.assertNumQueries(0):
                    self.assert_accepted(pair["token"])
                user = User.objects.get(username="ada")
                if change == "password":
                    user.set_password("a new password, not the stolen one")
                else:
                    user.is_active = False
                user.save()
                self.assert_refused(pair["token"])

    @override_settings(USEAUTH_TOKEN_ABSOLUTE_MAX_AGE=timedelta(days=30))
    def test_TOK22_expired_refresh_token_and_family(self):
        past = timezone.now() - timedelta(seconds=1)
        # A refresh token past its own lifetime.
        pair = token_login(Client())
        RefreshToken.objects.filter(family=self.family(pair["token"])).update(
            expires_at=past
        )
        assert_json(
            token_refresh(self.client, pair["refreshToken"]),
            401,
            {"error": "InvalidRefreshToken"},
        )
        # A family past USEAUTH_TOKEN_ABSOLUTE_MAX_AGE: revoked, its access
        # token too.
        pair = token_login(Client())
        family = self.family(pair["token"])
        assert family.expires_at is not None
        TokenFamily.objects.filter(pk=family.pk).update(expires_at=past)
        assert_json(
            token_refresh(self.client, pair["refreshToken"]),
            401,
            {"error": "InvalidRefreshToken"},
        )
        assert self.family(pair["token"]).revoked_reason == "expired"
        self.assert_refused(pair["token"])
        # Control: a fresh sign-in refreshes.
        assert (
            token_refresh(Client(), token_login(Client())["refreshToken"]).status_code
            == 200
        )

    @override_settings(
        CACHES={
            **settings.CACHES,
            "revocations": {"BACKEND": f"{__name__}.UnreachableCache"},
        },
        USEAUTH_TOKEN_REVOCATION_CACHE="revocations",
    )
    def test_TOK23_revocation_while_the_revocation_cache_is_down(self):
        # The database is where a sign-in ends; the cache only tells other
        # servers sooner. With the cache down, Bearer requests fail closed
        # (a 503: the token is neither accepted nor called invalid, which
        # would make a client drop it), and a sign-out or a detected reuse
        # must still revoke the family.
        client = Client(raise_request_exception=False)
        pair = token_login(Client())
        unavailable = self.session_of(pair["token"])
        assert_json(unavailable, 503, {"error": "ServiceUnavailable"})
        assert unavailable["Retry-After"] == "5"
        # A sign-out revokes the family (its refresh tokens die now), but is
        # not reported done: the access tokens would be taken again once the
        # cache is back, so the client is asked to try again (503). As
        # nuxt-auth's $fetch posts it: JSON, accepting JSON.
        signed_out = post_json(
            client,
            TOKEN_LOGOUT,
            {"refreshToken": pair["refreshToken"]},
            headers={"Accept": "application/json"},
        )
        assert signed_out.status_code == 503
        assert signed_out.json()["error"] == "ServiceUnavailable"
        assert signed_out["Retry-After"] == "5"
        assert self.family(pair["token"]).revoked_reason == "sign-out"
        assert token_refresh(client, pair["refreshToken"]).status_code == 401
        # Asked again once the cache is back: done.
        with (
            override_settings(
                CACHES={
                    **settings.CACHES,
                    "revocations": {"BACKEND": f"{LocMemCache.__module__}.LocMemCache"},
                }
            ),
            mock.patch("django_useauth.internal.outages.COOL_DOWN", 0.0),
        ):
            again = post_json(
                client, TOKEN_LOGOUT, {"refreshToken": pair["refreshToken"]}
            )
            assert_json(again, 200, {})
            self.assert_refused(pair["token"])
        # Automatic revocations answer as before.
        # Reuse: the thief's newer refresh token must be dead afterwards.
        owner = token_login(Client())
        thief = token_refresh(client, owner["refreshToken"]).json()
        reused = token_refresh(client, owner["refreshToken"])
        assert reused.status_code == 401
        assert self.family(owner["token"]).revoked_reason == "reuse"
        assert token_refresh(client, thief["refreshToken"]).status_code == 401


class CsrfTests(TokenTestCase):
    """TOK14–TOK17: where CSRF applies to token mode, and where it cannot."""

    def rename(
        self, client: Client, route: str, headers: dict[str, str]
    ) -> TestResponse:
        return post_json(client, route, {"name": "Mallory"}, headers=headers)

    def reset_names(self) -> None:
        User.objects.filter(username="ada").update(first_name="Ada")
        User.objects.filter(username="grace").update(first_name="Grace")

    def write_session_on_sign_in(self) -> list[str]:
        """Connect a project's ``user_logged_in`` receiver that writes the session; the users it saw."""
        written: list[str] = []

        def write_session(sender, request, user, **kwargs):
            request.session["written-by-a-receiver"] = user.get_username()
            written.append(user.get_username())

        user_logged_in.connect(write_session, weak=False, dispatch_uid="tok14")
        self.addCleanup(user_logged_in.disconnect, dispatch_uid="tok14")
        return written

    def test_TOK14_login_sets_no_cookie(self):
        # Login CSRF is moot: a forged sign-in (a plain cross-site form, which
        # needs no preflight) gets tokens the attacker's page cannot read, and
        # no cookie that would sign the victim's browser in as the attacker.
        # A browser signed in as grace with a cookie session, and one with none.
        signed_in = csrf_client()
        sign_in(signed_in, "grace")
        key = session_key(signed_in)
        before = dict(store(key).items())
        written = self.write_session_on_sign_in()
        for browser in (signed_in, csrf_client()):
            response = browser.post(
                TOKEN_LOGIN,
                urlencode({"username": "ada", "password": PASSWORD}),
                content_type=FORM,
            )
            assert response.status_code == 200
            assert set(response.json()) == {"token", "refreshToken", "expires"}
            assert not response.cookies
            assert "Set-Cookie" not in response.headers
        assert written == ["ada", "ada"]
        # grace's session is as it was (the receiver's write was not saved,
        # nor was the sign-in instant ours stamps on a login()).
        assert dict(store(key).items()) == before
        assert session_json(signed_in)["user"] == GRACE

    @override_settings(SESSION_SAVE_EVERY_REQUEST=True)
    def test_TOK14_login_sets_no_cookie_when_every_request_saves_the_session(self):
        signed_in = csrf_client()
        sign_in(signed_in, "grace")
        key = session_key(signed_in)
        before = dict(store(key).items())
        written = self.write_session_on_sign_in()
        # A browser without a session: none is created for it.
        fresh = post_json(
            csrf_client(), TOKEN_LOGIN, {"username": "ada", "password": PASSWORD}
        )
        assert fresh.status_code == 200
        assert not fresh.cookies
        # A browser with grace's session: Django sends its cookie again, as on
        # every response with this setting, but what the receiver wrote
        # during ada's token sign-in is not saved into it.
        response = post_json(
            signed_in, TOKEN_LOGIN, {"username": "ada", "password": PASSWORD}
        )
        assert response.status_code == 200
        assert written == ["ada", "ada"]
        assert dict(store(key).items()) == before
        assert session_key(signed_in) == key

    def test_TOK15_session_cookie_and_bearer_still_need_csrf(self):
        # A browser signed in as grace by cookie, holding ada's access token.
        browser = csrf_client()
        sign_in(browser, "grace")
        token = token_login(Client())["token"]
        for route in RENAMES:
            with self.subTest(route=route):
                refused = self.rename(browser, route, bearer(token))
                assert refused.status_code == 403, refused.content
                assert CSRF_REFUSALS[route] in refused.content
                assert _first_name("ada") == "Ada"
                assert _first_name("grace") == "Grace"
                # With the CSRF token it passes, as the token's user: the
                # cookie does not decide who the request is.
                accepted = self.rename(
                    browser, route, {**bearer(token), **csrf_headers(browser)}
                )
                assert accepted.status_code == 200, accepted.content
                assert accepted.json() == {"renamed": "ada"}
                assert _first_name("ada") == "Mallory"
                assert _first_name("grace") == "Grace"
                self.reset_names()

    def test_TOK16_bearer_only_post_needs_no_csrf(self):
        token = token_login(Client())["token"]
        # A client with no cookie at all, and one with only a CSRF cookie.
        with_csrf_cookie = csrf_client()
        csrf_token(with_csrf_cookie)
        for client in (csrf_client(), with_csrf_cookie):
            for route in RENAMES:
                with self.subTest(route=route):
                    response = self.rename(client, route, bearer(token))
                    assert response.status_code == 200, response.content
                    assert response.json() == {"renamed": "ada"}
                    assert _first_name("ada") == "Mallory"
                    self.reset_names()
        # Control: without the token, nothing passes (no cookie either: the
        # Django view's CSRF check refuses first, the APIs have no user).
        for route, status in zip(RENAMES, (403, 401, 401), strict=True):
            assert self.rename(csrf_client(), route, {}).status_code == status
        assert _first_name("ada") == "Ada"

    def test_TOK17_a_foreign_bearer_token_leaves_the_session_in_charge(self):
        # Another library's JWT (its own key and kid), or an API key.
        foreign_jwt = forge(
            {"sub": "1", "exp": 4102444800},
            "another-library-s-secret-0123456789abcdef",
            "HS256",
            {"kid": "other-library", "typ": "JWT"},
        )
        for foreign in (foreign_jwt, "an-api-key-of-another-scheme"):
            with self.subTest(token=foreign[:20]):
                browser = csrf_client()
                sign_in(browser)
                headers = bearer(foreign)
                # The cookie's session answers, and CSRF applies to it.
                assert session_json(browser, headers=headers)["user"] == ADA
                for route in (DJANGO_RENAME, DRF_RENAME):
                    refused = self.rename(browser, route, headers)
                    assert refused.status_code == 403, (route, refused.content)
                    assert _first_name("ada") == "Ada"
                    accepted = self.rename(
                        browser, route, {**headers, **csrf_headers(browser)}
                    )
                    assert accepted.json() == {"renamed": "ada"}
                    self.reset_names()
                # useauth_bearer takes only our access tokens.
                ninja = self.rename(browser, NINJA_RENAME, headers)
                assert ninja.status_code == 401
                # Without a cookie: not signed in, and not exempt from CSRF
                # either (we do not vouch for a token we cannot verify).
                alone = csrf_client()
                assert_json(
                    alone.get(TOKEN_SESSION, headers=headers), 401, INVALID_TOKEN
                )
                assert self.rename(alone, DJANGO_RENAME, headers).status_code == 403
                assert self.rename(alone, DRF_RENAME, headers).status_code == 401
                assert _first_name("ada") == "Ada"


class InputTests(TokenTestCase):
    """TOK18–TOK21: malformed headers, the sign-in limits, enumeration, what is stored."""

    def test_TOK18_malformed_authorization_headers(self):
        _, kid = self.derived()
        ours = {"alg": "HS256", "kid": kid, "typ": ACCESS_TOKEN_TYPE}
        our_header = forge({}, "", "none", ours).split(".")[0]
        nested = '{"kid":' + "[" * 5000 + "]" * 5000 + "}"
        values = {
            "scheme alone": "Bearer",
            "scheme and spaces": "Bearer    ",
            "100 KB": "Bearer " + "a" * 100_000,
            "100 KB JWT-shaped": "Bearer " + ".".join(["eyJ" + "a" * 33_333] * 3),
            "non-ASCII": "Bearer ééé.ñ.ü",
            "percent-encoded (CVE-2026-73418)": "Bearer %E0%A4%A",
            "two tokens": "Bearer a.b.c d.e.f",
            "our kid, payload not JSON": f"Bearer {our_header}.bm90IGpzb24.",
            "our kid, payload a list": f"Bearer {our_header}.WzEsMiwzXQ.",
            "our kid, claims of the wrong types": "Bearer "
            + forge(
                {"sub": 1, "exp": "soon", "iat": [], "fam": {}, "aud": 3},
                self.derived()[0],
                "HS256",
                ours,
            ),
            "kid a list": "Bearer " + forge({}, "", "none", {"kid": [kid]}),
            "header nested 5000 deep": "Bearer "
            + base64url_encode(nested.encode()).decode()
            + ".e30.",
            "Basic": "Basic YWRhOmNvcnJlY3Q=",
        }
        for name, value in values.items():
            with self.subTest(header=name):
                headers = {"Authorization": value}
                client = csrf_client()
                session = client.get(TOKEN_SESSION, headers=headers)
                assert session.status_code == 401
                assert client.get("/api/auth/session", headers=headers).json() == {}
                protected = client.get("/protected/", headers=headers)
                assert protected.status_code == (302 if name == "Basic" else 401)
                # A token naming our key makes the request exempt from CSRF
                # (the header is what no forged request carries) and, refused,
                # signed out; anything else leaves Django's CSRF check on.
                django_status = 401 if name.startswith("our kid") else 403
                for route, status in zip(
                    RENAMES, (django_status, 401, 401), strict=True
                ):
                    response = post_json(client, route, {"name": "x"}, headers=headers)
                    assert response.status_code == status, (route, response.content)
                assert _first_name("ada") == "Ada"
        # A token anywhere but the header is not read: in the query string
        # (it would end up in logs and Referer headers) or a form field.
        token = token_login(Client())["token"]
        for name in ("access_token", "token"):
            with self.subTest(elsewhere=name):
                assert self.client.get(TOKEN_SESSION, {name: token}).status_code == 401
                response = self.client.post(DJANGO_RENAME, {name: token, "name": "x"})
                assert response.status_code == 403
        # Control: the scheme is case-insensitive (RFC 9110), as clients vary.
        for scheme in ("bearer", "BEARER"):
            response = self.client.get(
                TOKEN_SESSION, headers={"Authorization": f"{scheme} {token}"}
            )
            assert response.status_code == 200

    def login(
        self, username: str, password: str = "wrong", **extra: Any
    ) -> TestResponse:
        return post_json(
            csrf_client(),
            TOKEN_LOGIN,
            {"username": username, "password": password},
            **extra,
        )

    def test_TOK19_sign_in_limits(self):
        with frozen_time():
            answers = [
                (response.status_code, response.json(), response.get("Retry-After"))
                for response in (
                    self.login("ada", REMOTE_ADDR=f"10.7.0.{n + 1}") for n in range(12)
                )
            ]
            assert (
                answers
                == [(401, {"error": "CredentialsSignin"}, None)] * 10
                + [(429, {"error": "TooManyAttempts"}, str(WINDOW))] * 2
            )
            right = self.login("ada", PASSWORD, REMOTE_ADDR="10.8.0.1")
        assert_json(right, 429, {"error": "TooManyAttempts"})
        assert right["Retry-After"] == str(WINDOW)
        assert right["Cache-Control"] == NEVER_CACHE

    def test_TOK19_the_cookie_and_token_sign_ins_share_the_limits(self):
        with frozen_time():
            for _ in range(5):
                client = csrf_client()
                cookie = post_credentials(client, csrf_token(client), "grace")
                assert_json(cookie, 401, FAILED)
                assert self.login("grace").status_code == 401
            # Ten failures in all: both doors are closed, even to the right password.
            token = self.login("grace", PASSWORD)
            assert_json(token, 429, {"error": "TooManyAttempts"})
            client = csrf_client()
            cookie = post_credentials(client, csrf_token(client), "grace", PASSWORD)
            assert_json(cookie, 429, THROTTLED)
            # Control: another account is not limited.
            assert self.login("ada", PASSWORD).status_code == 200

    def test_TOK20_same_answer_for_every_failure(self):
        make_user("inactive", is_active=False)
        cases = {
            "unknown user": ("nobody", PASSWORD),
            "wrong password": ("ada", "wrong"),
            "inactive, right password": ("inactive", PASSWORD),
            "inactive, wrong password": ("inactive", "wrong"),
            "empty username and password": ("", ""),
        }
        hasher_class = type(hashers.get_hasher())
        answers = set()
        for name, (username, password) in cases.items():
            with self.subTest(case=name):
                with mock.patch.object(
                    hasher_class,
                    "encode",
                    autospec=True,
                    side_effect=hasher_class.encode,
                ) as encode:
                    response = self.login(username, password)
                assert encode.call_count == 1
                answers.add(
                    (
                        response.status_code,
                        response.content,
                        tuple(sorted(response.cookies)),
                        response["Content-Type"],
                        response["Cache-Control"],
                        response["Vary"],
                    )
                )
        assert answers == {
            (
                401,
                b'{"error":"CredentialsSignin"}',
                (),
                "application/json",
                NEVER_CACHE,
                "Cookie",
            )
        }

    def test_TOK21_refresh_tokens_are_stored_as_digests_only(self):
        first = token_login(Client())
        second = token_refresh(self.client, first["refreshToken"]).json()
        values = [first["refreshToken"], second["refreshToken"]]
        digests = set(RefreshToken.objects.values_list("digest", flat=True))
        assert digests == {hashlib.sha256(v.encode()).hexdigest() for v in values}
        # No table holds a token's value, refresh or access.
        secrets = [*values, first["token"], second["token"]]
        for model in apps.get_models():
            for row in model._default_manager.values_list():
                text = repr(row)
                for secret in secrets:
                    assert secret not in text, model
