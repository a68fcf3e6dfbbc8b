"""R2: the lock ends when the window ends, on every cache backend Django ships.

Django's ``incr()`` is a get and a set on the database and file caches, which
rewrites the timeout with the cache's own ``TIMEOUT``; a throttle built on it
unlocked early (``TIMEOUT`` shorter than the window) or never (``None``).
These tests run in real time with a window of a few seconds, over HTTP, on
local memory, the database cache, the file cache, and in CI Redis.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time

from django.core.cache import caches
from django.core.management import call_command
from django.test import TestCase
from django.test import override_settings

from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import make_user
from tests.utils import sign_in

WINDOW = 3  # seconds
THROTTLE = "throttle-under-test"


def backends() -> dict[str, dict[str, object]]:
    """The cache configurations to test, by name (without a TIMEOUT)."""
    configured: dict[str, dict[str, object]] = {
        "locmem": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "throttle-window",
        },
        "db": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "useauth_throttle_window",
        },
        "file": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": tempfile.mkdtemp(prefix="useauth-throttle-window-"),
        },
    }
    servers = [
        ("redis", "USEAUTH_TEST_REDIS_URL", "redis.RedisCache"),
        ("memcached", "USEAUTH_TEST_MEMCACHED_LOCATION", "memcached.PyMemcacheCache"),
    ]
    for name, variable, backend in servers:
        location = os.environ.get(variable)
        if location:  # pragma: no cover - CI's run on real servers (.ci/run)
            configured[name] = {
                "BACKEND": f"django.core.cache.backends.{backend}",
                "LOCATION": location,
                "KEY_PREFIX": f"useauth-window-{os.getpid()}",
            }
    return configured


@override_settings(
    USEAUTH_THROTTLE_WINDOW=WINDOW,
    USEAUTH_THROTTLE_ACCOUNT_FAILURES=2,
    USEAUTH_THROTTLE_CACHE=THROTTLE,
)
class WindowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_user()

    def caches_with(
        self, config: dict[str, object], timeout: float | None
    ) -> dict[str, object]:
        from django.conf import settings

        return {**settings.CACHES, THROTTLE: {**config, "TIMEOUT": timeout}}

    def attempt(self, password: str = "wrong") -> tuple[int, str | None]:
        response = sign_in(csrf_client(), "ada", password)
        return response.status_code, response.get("Retry-After")

    def run_window(self, config: dict[str, object], timeout: float | None) -> None:
        with self.settings(CACHES=self.caches_with(config, timeout)):
            if str(config["BACKEND"]).endswith("DatabaseCache"):
                call_command("createcachetable", verbosity=0)
            caches[THROTTLE].clear()
            started = time.monotonic()
            assert [self.attempt()[0] for _ in range(2)] == [401, 401]
            status, retry_after = self.attempt(PASSWORD)
            assert status == 429
            assert retry_after is not None and 1 <= int(retry_after) <= WINDOW
            # Past the cache's own TIMEOUT, still inside the window: locked.
            time.sleep(max(0.0, 1.5 - (time.monotonic() - started)))
            assert self.attempt(PASSWORD)[0] == 429
            # The window is over (whole seconds on Redis and Memcached).
            time.sleep(max(0.0, WINDOW + 1.1 - (time.monotonic() - started)))
            assert self.attempt(PASSWORD)[0] == 200
            caches[THROTTLE].clear()
            if str(config["BACKEND"]).endswith("FileBasedCache"):
                shutil.rmtree(str(config["LOCATION"]), ignore_errors=True)

    def test_R2_lock_ends_with_the_window_on_every_backend(self):
        for name, config in backends().items():
            # TIMEOUT shorter than the window (unlocked early), and None
            # (never unlocked) broke the count built on incr().
            for timeout in (1, None):
                with self.subTest(backend=name, timeout=timeout):
                    self.run_window(config, timeout)
