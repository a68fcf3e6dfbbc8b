"""ATTACKS TOK24 and TOK25: token mode under real concurrency, against a live server.

TOK24: a refresh token sent by several clients at the same moment (a thief
racing the owner, or a client that refreshes from two tabs) is exchanged
once; every other use is reuse, which revokes the whole family, the winner's
new tokens included (RFC 9700 §4.14.2). TOK25: a burst of token sign-ins never
evaluates more passwords than the sign-in limits allow.

Each request is sent on its own connection from its own thread
(tests/live.py). ``make test`` runs this on SQLite; with
``--ds=tests.settings_services`` (``USEAUTH_TEST_DATABASE_URL`` and
``USEAUTH_TEST_REDIS_URL`` set, as in CI) on PostgreSQL and Redis.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any
from unittest import mock

import requests
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import LiveServerTestCase
from django.test import override_settings

from django_useauth.internal import throttle
from django_useauth.internal import token_families
from django_useauth.models import TokenFamily
from tests.live import BurstServerThread
from tests.live import LiveClientMixin

# R1's password check that waits for the whole burst, for the token door.
from tests.test_throttle_concurrency import _after
from tests.tokens_utils import TOKEN_LOGIN
from tests.tokens_utils import TOKEN_REFRESH
from tests.tokens_utils import TOKEN_SESSION
from tests.tokens_utils import bearer
from tests.tokens_utils import segments
from tests.utils import PASSWORD
from tests.utils import make_user

#: Clients refreshing with the same token at once.
RACERS = 8


def _together(
    refresh: Callable[[str], Any], arrived: list[str], expected: int
) -> Callable[[str], Any]:
    # token_families.refresh(), which POST refresh calls with the token: it
    # goes on once every request of the burst has called it, so that all of
    # them are inside the server at once, before any transaction has begun
    # (whatever locks the database takes, none is held while waiting).
    everyone = threading.Event()

    def wait_then_refresh(value: str) -> Any:
        arrived.append(value)
        if len(arrived) == expected:
            everyone.set()
        assert everyone.wait(timeout=30), "the burst never reached the refresh"
        return refresh(value)

    return wait_then_refresh


class TokenRaceTests(LiveClientMixin, LiveServerTestCase):
    server_thread_class = BurstServerThread

    def setUp(self):
        make_user()

    def post(
        self, route: str, body: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        return self.send("POST", route, {}, json=body, timeout=60, **kwargs)

    def login(self) -> dict[str, str]:
        response = self.post(TOKEN_LOGIN, {"username": "ada", "password": PASSWORD})
        assert response.status_code == 200, response.text
        body: dict[str, str] = response.json()
        return body

    def race(self, refresh_token: str) -> list[requests.Response]:
        arrived: list[str] = []
        with mock.patch.object(
            token_families,
            "refresh",
            _together(token_families.refresh, arrived, RACERS),
        ):
            responses = self.at_once(
                *[partial(self.post, TOKEN_REFRESH, {"refreshToken": refresh_token})]
                * RACERS
            )
        assert arrived == [refresh_token] * RACERS
        return responses

    def assert_family_ended(
        self, pair: dict[str, str], responses: list[requests.Response]
    ) -> None:
        statuses = Counter(response.status_code for response in responses)
        assert statuses == {200: 1, 401: RACERS - 1}, statuses
        [winner] = [response.json() for response in responses if response.ok]
        family = TokenFamily.objects.get(pk=segments(pair["token"])[1]["fam"])
        assert family.revoked_at is not None
        assert family.revoked_reason == "reuse"
        # The winner's new refresh token is refused, and both access tokens.
        refused = self.post(TOKEN_REFRESH, {"refreshToken": winner["refreshToken"]})
        assert (refused.status_code, refused.json()) == (
            401,
            {"error": "InvalidRefreshToken"},
        )
        for token in (winner["token"], pair["token"]):
            session = self.send("GET", TOKEN_SESSION, {}, headers=bearer(token))
            assert session.status_code == 401

    def test_TOK24_parallel_refreshes_with_one_token(self):
        # One wins. A loser that finds the token used reports reuse; one that
        # reads it after another loser revoked the family finds a revoked
        # family (InvalidRefreshToken; see test_tokens.py's TOK10 for which
        # code it should be): both are refusals.
        for _ in range(3):
            pair = self.login()
            responses = self.race(pair["refreshToken"])
            self.assert_family_ended(pair, responses)
            errors = Counter(
                response.json()["error"] for response in responses if not response.ok
            )
            assert set(errors) <= {"RefreshTokenReused", "InvalidRefreshToken"}
            assert errors["RefreshTokenReused"] >= 1, errors


@override_settings(
    USEAUTH_THROTTLE_CACHE="default",
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
class TokenSignInBurstTests(LiveClientMixin, LiveServerTestCase):
    server_thread_class = BurstServerThread

    def setUp(self):
        make_user()

    def attempt(self, password: str = "wrong") -> Callable[[], requests.Response]:
        return partial(
            self.send,
            "POST",
            TOKEN_LOGIN,
            {},
            json={"username": "ada", "password": password},
            timeout=60,
        )

    def test_TOK25_concurrent_token_sign_ins_never_exceed_the_limit(self):
        attempts = [self.attempt() for _ in range(29)]
        attempts.append(self.attempt(PASSWORD))
        reached = threading.Event()
        decided = []
        reserve = throttle.reserve

        def counting_reserve(*args: Any, **kwargs: Any) -> throttle.Attempt:
            attempt = reserve(*args, **kwargs)
            decided.append(attempt)
            if len(decided) == len(attempts):
                reached.set()
            return attempt

        with (
            mock.patch.object(throttle, "reserve", counting_reserve),
            mock.patch.object(
                MD5PasswordHasher, "verify", _after(reached, MD5PasswordHasher.verify)
            ),
            mock.patch.object(
                MD5PasswordHasher, "encode", _after(reached, MD5PasswordHasher.encode)
            ),
        ):
            responses = self.at_once(*attempts)
        statuses = Counter(response.status_code for response in responses)
        # Evaluated: 401 (wrong) or 200 (right): the limit, no more.
        assert statuses[401] + statuses[200] == 10, statuses
        assert statuses[429] == 20, statuses
        throttled = [r for r in responses if r.status_code == 429]
        assert {r.json()["error"] for r in throttled} == {"TooManyAttempts"}
        assert all(int(r.headers["Retry-After"]) > 0 for r in throttled)
        # The right password came after ten wrong ones: locked out; or it came
        # among them: signed in (tokens issued), and the count cleared.
        after = self.attempt(PASSWORD)().status_code
        assert after == (429 if statuses[200] == 0 else 200)
        assert TokenFamily.objects.count() == statuses[200] + (after == 200)
