"""R1: a burst of sign-ins sent at the same moment never evaluates more than the limit.

Each attempt has its own browser (its own CSRF cookie), and no password is
checked until every request of the burst has been through the limits, so that
every request is inside the server at once, as with a slow real hasher. The same burst against two gunicorn processes
sharing Redis (and PostgreSQL) is in test_servers.py.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from unittest import mock

import requests
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import LiveServerTestCase
from django.test import override_settings

from django_useauth.internal import throttle
from tests.live import BurstServerThread
from tests.live import LiveClientMixin
from tests.utils import PASSWORD
from tests.utils import make_user

CREDENTIALS = "/api/auth/callback/credentials"


def _after(
    event: threading.Event, method: Callable[..., object]
) -> Callable[..., object]:
    # A password check that waits until every request of the burst has been
    # through the limits: the widest interleaving there is, every time.
    def wait_then_check(*args, **kwargs):
        assert event.wait(timeout=30), "the burst never reached the limits"
        return method(*args, **kwargs)

    return wait_then_check


@override_settings(
    USEAUTH_THROTTLE_CACHE="default",
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
class BurstTests(LiveClientMixin, LiveServerTestCase):
    server_thread_class = BurstServerThread

    def setUp(self):
        make_user()

    def prepare(
        self, username: str, password: str = "wrong"
    ) -> Callable[[], requests.Response]:
        """A browser's attempt, ready to send: its CSRF token and cookie, then the POST."""
        token, cookie = self.csrf()
        return partial(
            self.send,
            "POST",
            CREDENTIALS,
            {"csrftoken": cookie},
            data={
                "csrfToken": token,
                "username": username,
                "password": password,
                "json": "true",
            },
            timeout=60,
        )

    def burst(self, attempts):
        reached = threading.Event()
        decided = []
        reserve = throttle.reserve

        def counting_reserve(*args, **kwargs):
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
        return Counter(response.status_code for response in responses)

    def test_R1_concurrent_burst_for_one_account(self):
        attempts = [self.prepare("ada") for _ in range(39)]
        attempts.append(self.prepare("ada", PASSWORD))
        statuses = self.burst(attempts)
        # Evaluated: answered 401 (wrong) or 200 (right): the limit, no more.
        evaluated = statuses[401] + statuses[200]
        assert evaluated == 10, statuses
        assert statuses[429] == 30, statuses
        # The right password came after the ten wrong ones: locked out; or it
        # came among them: signed in, and the count cleared.
        after = self.prepare("ada", PASSWORD)().status_code
        assert after == (429 if statuses[200] == 0 else 200)

    def test_R1_concurrent_burst_from_one_address(self):
        attempts = [self.prepare(f"stuffing-{n}") for n in range(60)]
        statuses = self.burst(attempts)
        assert statuses == {401: 50, 429: 10}, statuses
        assert self.prepare("ada", PASSWORD)().status_code == 429
