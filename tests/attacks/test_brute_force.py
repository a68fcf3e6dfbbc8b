"""ATTACKS D1–D6: brute force and credential stuffing, against the sign-in limits."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from tests.attacks.base import FAILED
from tests.attacks.base import HOME
from tests.attacks.base import SESSION
from tests.attacks.base import THROTTLED
from tests.attacks.base import WINDOW
from tests.attacks.base import TokenAttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import frozen_time
from tests.attacks.base import outcome
from tests.attacks.base import post_credentials
from tests.attacks.base import post_json
from tests.attacks.base import session_json
from tests.expected import ADA
from tests.utils import PASSWORD
from tests.utils import assert_never_cached
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import sign_in

if TYPE_CHECKING:
    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

#: A local-memory cache whose clock the throttle tests move with time.time().
CLOCKED_CACHE = "useauth-attacks-clocked"


def clocked_caches() -> dict[str, Any]:
    return {
        **settings.CACHES,
        CLOCKED_CACHE: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": CLOCKED_CACHE,
        },
    }


class BruteForceTests(TokenAttackTestCase):
    def attempt(
        self, username: str, password: str = "wrong", **kwargs: Any
    ) -> TestResponse:
        return post_credentials(self.client, self.token, username, password, **kwargs)

    def test_D1_per_account_throttle(self):
        with frozen_time():
            answers = [
                outcome(self.attempt("ada", ip=f"10.1.{n // 200}.{n % 200 + 1}"))
                for n in range(120)
            ]
            assert (
                answers
                == [(401, FAILED, None)] * 10 + [(429, THROTTLED, str(WINDOW))] * 110
            )
            # The right password still fails, from any address, while throttled.
            right = self.attempt("ada", PASSWORD, ip="10.2.0.1")
        assert_json(right, 429, THROTTLED)
        assert right["Retry-After"] == str(WINDOW)
        assert_never_cached(right)
        assert "sessionid" not in self.client.cookies
        assert session_json(self.client) == {}

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=2)
    def test_D1_throttle_in_redirect_mode(self):
        with frozen_time():
            failed = [self.attempt("ada", json_mode=False) for _ in range(2)]
            throttled = self.attempt("ada", PASSWORD, json_mode=False)
        assert [
            (r.status_code, r["Location"], r.get("Retry-After")) for r in failed
        ] == [(302, FAILED["url"], None)] * 2
        assert throttled.status_code == 302
        assert throttled["Location"] == THROTTLED["url"]
        assert throttled["Retry-After"] == str(WINDOW)
        assert_never_cached(throttled)
        error = self.client.get(throttled["Location"])
        assert error.status_code == 302
        assert error["Location"] == "/api/auth/signin?error=TooManyAttempts"
        page = self.client.get(error["Location"])
        assert b"Too many failed attempts. Try again later." in page.content
        assert session_json(self.client) == {}

    def test_D2_per_ip_throttle(self):
        for n in (7, 42, 99):
            make_user(f"user{n}")
        with frozen_time():
            answers = [
                outcome(self.attempt(f"user{n}", ip="10.3.0.1")) for n in range(120)
            ]
        assert (
            answers == [(401, FAILED, None)] * 50 + [(429, THROTTLED, str(WINDOW))] * 70
        )
        # The address is throttled whatever the account; the account is not.
        assert_json(self.attempt("ada", PASSWORD, ip="10.3.0.1"), 429, THROTTLED)
        assert session_json(self.client) == {}
        assert_json(self.attempt("ada", PASSWORD, ip="10.3.0.2"), 200, HOME)

    def test_D3_case_and_unicode_variants_share_the_counter(self):
        make_user("alice", email="alice@example.com")
        variants = ["Alice", "alice", "ALICE", "ａｌｉｃｅ"]
        answers = [
            outcome(self.attempt(variants[n % 4], ip=f"10.4.0.{n + 1}"))
            for n in range(10)
        ]
        assert [status for status, _, _ in answers] == [401] * 10
        for n, variant in enumerate(variants):
            with self.subTest(variant=variant):
                response = self.attempt(variant, PASSWORD, ip=f"10.4.1.{n + 1}")
                assert_json(response, 429, THROTTLED)
        assert session_json(self.client) == {}
        # Another account is not affected.
        assert_json(self.attempt("ada", PASSWORD, ip="10.4.2.1"), 200, HOME)

    @override_settings(USEAUTH_THROTTLE_IP_FAILURES=5)
    def test_D4_spoofed_x_forwarded_for(self):
        def statuses(remote: str, forwarded: list[str]) -> list[int]:
            return [
                self.attempt(
                    f"d4-{remote}-{n}", ip=remote, headers={"X-Forwarded-For": value}
                ).status_code
                for n, value in enumerate(forwarded)
            ]

        # No trusted proxy: the header is ignored, REMOTE_ADDR is throttled.
        rotating = [f"1.2.3.{n}" for n in range(8)]
        assert statuses("10.5.0.1", rotating) == [401] * 5 + [429] * 3
        with self.settings(USEAUTH_TRUSTED_PROXY_COUNT=1):
            # The address the proxy appended (rightmost) is the client's.
            assert (
                statuses("10.5.0.2", [f"6.6.6.6, 1.2.4.{n}" for n in range(8)])
                == [401] * 8
            )
            # What the client put left of it is ignored.
            assert statuses("10.5.0.3", [f"1.2.5.{n}, 5.5.5.5" for n in range(8)]) == (
                [401] * 5 + [429] * 3
            )
            # Without the header (a request that bypassed the proxy): REMOTE_ADDR.
            direct = post_credentials(
                self.client, self.token, "d4-direct", ip="10.5.0.1"
            )
            assert_json(direct, 429, THROTTLED)

    def test_D5_success_does_not_reset_other_counters(self):
        make_user("victim")
        make_user("attacker")
        here: dict[str, Any] = {"ip": "10.6.0.1"}
        assert {self.attempt("victim", **here).status_code for _ in range(9)} == {401}
        assert {self.attempt("attacker", **here).status_code for _ in range(9)} == {401}
        attacker = csrf_client()
        assert_json(
            post_credentials(
                attacker, csrf_token(attacker), "attacker", PASSWORD, **here
            ),
            200,
            HOME,
        )
        # The victim's count went on from 9.
        assert_json(self.attempt("victim", **here), 401, FAILED)
        assert_json(self.attempt("victim", PASSWORD, **here), 429, THROTTLED)
        # The attacker's own count was cleared by the success.
        assert [self.attempt("attacker", **here).status_code for _ in range(11)] == [
            401
        ] * 10 + [429]

    def test_D6_lockout_is_not_a_denial_of_service(self):
        victim = csrf_client()
        sign_in(victim)
        with (
            self.settings(
                CACHES=clocked_caches(), USEAUTH_THROTTLE_CACHE=CLOCKED_CACHE
            ),
            frozen_time() as now,
        ):
            caches[CLOCKED_CACHE].clear()
            start = now[0]
            for n in range(10):
                self.attempt("ada", ip=f"10.7.0.{n + 1}")
            locked = self.attempt("ada", PASSWORD, ip="10.7.1.1")
            assert_json(locked, 429, THROTTLED)
            assert locked["Retry-After"] == str(WINDOW)
            # The victim's existing session keeps working.
            assert session_json(victim)["user"] == ADA
            update = post_json(
                victim, SESSION, {"csrfToken": csrf_token(victim), "data": {}}
            )
            assert update.status_code == 200
            assert update.json()["user"] == ADA
            assert victim.get("/protected/").content == b"protected"
            # The lock ends with the window.
            for elapsed, retry_after in ((600, "300"), (WINDOW - 1, "1")):
                now[0] = start + elapsed
                response = self.attempt("ada", PASSWORD, ip="10.7.1.2")
                assert_json(response, 429, THROTTLED)
                assert response["Retry-After"] == retry_after
            now[0] = start + WINDOW
            assert_json(self.attempt("ada", PASSWORD, ip="10.7.1.3"), 200, HOME)
        assert session_json(self.client)["user"] == ADA
