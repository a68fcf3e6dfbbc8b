"""ATTACKS OUT1–OUT6 (docs/security.md "When a store fails"): what an outage must not give away.

An attacker can wait for a store to fail, or make it fail (fill its memory,
flood its connections). Each row has a control: the same request with the
store up is answered as usual, so a test cannot pass because nothing works.
The stores fail here as in tests/outage_utils.py (a real Redis client on a
closed port, or a cache that goes down and comes back with its data); the
real Redis and PostgreSQL servers are stopped and paused in
tests/test_faults.py, which also shows OUT6 under load.
"""

from __future__ import annotations

import socket
import time
from unittest import mock

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import override_settings

from tests.attacks.base import HOME
from tests.attacks.base import SESSION
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import post_credentials
from tests.attacks.base import session_json
from tests.outage_utils import FLAKY_SESSIONS
from tests.outage_utils import RETRY_AFTER
from tests.outage_utils import cache_down
from tests.outage_utils import caches_with
from tests.outage_utils import database_down
from tests.outage_utils import no_cool_down
from tests.outage_utils import stores_down
from tests.utils import BASE
from tests.utils import PASSWORD
from tests.utils import csrf_token

UNAVAILABLE = {"url": f"{BASE}/error?error=ServiceUnavailable"}


def assert_unavailable(response: object, body: object) -> None:
    assert_json(response, 503, body)
    assert response["Retry-After"] == RETRY_AFTER  # type: ignore[index]
    # The cookie is never touched by an outage: no Set-Cookie at all.
    assert "sessionid" not in response.cookies  # type: ignore[attr-defined]


class LimitsTests(AttackTestCase):
    def test_OUT1_limits_cache_down_refuses_every_guess_before_any_hash(self):
        self.enterContext(no_cool_down())
        token = csrf_token(self.client)
        with (
            stores_down("default"),
            mock.patch.object(PBKDF2PasswordHasher, "verify") as verify,
        ):
            wrong = post_credentials(self.client, token, "ada", "guess")
            right = post_credentials(self.client, token, "ada", PASSWORD)
        assert_unavailable(wrong, UNAVAILABLE)
        assert_unavailable(right, UNAVAILABLE)
        verify.assert_not_called()
        # Control: with the cache back, the right password signs in.
        response = post_credentials(
            self.client, csrf_token(self.client), "ada", PASSWORD
        )
        assert_json(response, 200, HOME)


class SignedInTestCase(AttackTestCase):
    """Ada signed in, her sessions' cache a FlakyCache (it goes down and comes back with its data)."""

    def setUp(self):
        super().setUp()
        self.enterContext(
            override_settings(CACHES=caches_with(sessions=FLAKY_SESSIONS))
        )
        self.enterContext(no_cool_down())
        response = post_credentials(
            self.client, csrf_token(self.client), "ada", PASSWORD
        )
        assert_json(response, 200, HOME)


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache")
class CacheStoreTests(SignedInTestCase):
    def test_OUT2_an_outage_signs_nobody_out(self):
        with cache_down():
            response = self.client.get(SESSION)
        assert_unavailable(response, {})
        assert session_json(self.client)["user"]["name"] == "Ada Lovelace"

    def test_OUT3_a_sign_out_during_the_outage_claims_nothing(self):
        token = csrf_token(self.client)
        with cache_down():
            response = self.client.post(SIGN_OUT, {"csrfToken": token, "json": "true"})
        assert_unavailable(response, UNAVAILABLE)
        # Told to retry, never told it worked: the session is alive, and the
        # next sign-out ends it.
        assert session_json(self.client)["user"]["name"] == "Ada Lovelace"
        response = self.client.post(SIGN_OUT, {"csrfToken": token, "json": "true"})
        assert response.status_code == 200
        assert session_json(self.client) == {}


@override_settings(SESSION_ENGINE="django_useauth.sessions.cached_db")
class CachedDbTests(SignedInTestCase):
    def test_OUT3_a_sign_out_needs_the_cache(self):
        token = csrf_token(self.client)
        with cache_down():
            # Reads go on from the database...
            assert session_json(self.client)["user"]["name"] == "Ada Lovelace"
            # ...but a sign-out that could not delete the copy would leave it
            # to be served once the cache is back: refused, nothing deleted.
            response = self.client.post(SIGN_OUT, {"csrfToken": token, "json": "true"})
        assert_unavailable(response, UNAVAILABLE)
        assert session_json(self.client)["user"]["name"] == "Ada Lovelace"
        assert self.client.post(SIGN_OUT, {"csrfToken": token}).status_code == 302
        assert session_json(self.client) == {}

    def test_OUT4_a_change_during_the_outage_is_not_undone_by_the_old_copy(self):
        token = csrf_token(self.client)
        with cache_down():
            # useSession().update() writes the session (the database only).
            session = self.client.session
            session["marker"] = "written during the outage"
            session.save()
        # The cache came back with its old copy; the process that wrote the
        # row deletes it before it reads the cache again.
        assert self.client.session["marker"] == "written during the outage"
        assert session_json(self.client)["user"]["name"] == "Ada Lovelace"
        assert (
            self.client.post(SIGN_OUT, {"csrfToken": token, "json": "true"}).status_code
            == 200
        )
        assert session_json(self.client) == {}


class DatabaseTests(AttackTestCase):
    def test_OUT5_database_down_is_no_sign_out(self):
        response = post_credentials(
            self.client, csrf_token(self.client), "ada", PASSWORD
        )
        assert_json(response, 200, HOME)
        token = csrf_token(self.client)
        with database_down():
            session = self.client.get(SESSION)
            page = self.client.get("/protected/")
            sign_in = post_credentials(self.client, token, "ada", PASSWORD)
        assert_unavailable(session, {})
        # A page that needs the session: the 503 page, not the sign-in page.
        assert page.status_code == 503
        assert b"Service unavailable" in page.content
        assert_unavailable(sign_in, UNAVAILABLE)
        assert session_json(self.client)["user"]["name"] == "Ada Lovelace"


class StalledRedisTests(AttackTestCase):
    def test_OUT6_a_stalled_redis_costs_a_quick_503_not_the_site(self):
        # A real listener that accepts connections and never answers, as a
        # paused Redis. Signed-out pages do not need it; a request that does
        # waits for the client's timeout once, then the cool-down answers
        # at once.
        with socket.create_server(("127.0.0.1", 0)) as stalled:
            location = f"redis://127.0.0.1:{stalled.getsockname()[1]}"
            stalled_redis = {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": location,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
            with override_settings(CACHES=caches_with(default=stalled_redis)):
                token = csrf_token(self.client)
                assert self.client.get("/api/auth/signin").status_code == 200
                started = time.monotonic()
                first = post_credentials(self.client, token, "ada", PASSWORD)
                first_took = time.monotonic() - started
                started = time.monotonic()
                second = post_credentials(self.client, token, "ada", PASSWORD)
                second_took = time.monotonic() - started
        assert_unavailable(first, UNAVAILABLE)
        assert_unavailable(second, UNAVAILABLE)
        assert first_took < 2
        # The cool-down: no second wait on the stalled server.
        assert second_took < 0.3
