"""The browser client (useauth.js) while the session store is down: never "signed out", and back by itself.

The sessions live in a Redis server of the test's own
(``django_useauth.sessions.cache``, tests/faults/servers.py's ``RedisServer``
with an append-only file, so a restart keeps them). Stopping it is a real
outage: the live server answers ``GET session`` with ``503 {}`` and
``Retry-After: 5``, and the client must keep the state it had, reject with an
``AuthError``, and fetch the session again after those seconds. Without
redis-server these tests skip, saying so (they fail with
``USEAUTH_REQUIRE_BROWSER=1``, as the other browser tests do).

``redis_sessions()`` also serves tests/test_nextauth_client.py, which shows
what next-auth's own client does in the same outage.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.test import override_settings
from playwright.sync_api import Response
from redis.exceptions import ConnectionError as RedisConnectionError

from django_useauth.internal import outages
from tests import settings as test_settings
from tests.browser import BrowserTestCase
from tests.faults.servers import RedisServer
from tests.test_useauth_js import BrowserPageTestCase
from tests.utils import skip_or_fail

#: The server's Retry-After while a store is down.
RETRY_AFTER = outages.RETRY_AFTER

#: Every session change of the page, from the first: ``[status, error.status]``.
RECORD_CHANGES = """
window.changes = [];
document.addEventListener("useauth:change", (event) => {
  const { status, error } = event.detail;
  window.changes.push([status, error ? error.status : null]);
});
"""

#: ``document.visibilityState`` as the test sets it (``window.visibility``).
CONTROL_VISIBILITY = """
Object.defineProperty(document, "visibilityState", {
  configurable: true,
  get: () => window.visibility ?? "visible",
});
"""


@contextmanager
def redis_sessions() -> Iterator[RedisServer]:
    """Sessions on a Redis server of this test's own, started; stop and start it to make an outage."""
    skip_or_fail(
        None
        if shutil.which("redis-server")
        else "redis-server is not installed (apt-get install redis-server)",
        tests="store outage browser tests",
        env="USEAUTH_REQUIRE_BROWSER",
    )
    with tempfile.TemporaryDirectory() as directory:
        server = RedisServer(Path(directory), appendonly=True)
        server.start()
        redis = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            # As testproject/settings.py: a quick failure, and one retry on a
            # fresh connection (the pooled one is dead after a restart).
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "retry_on_error": [RedisConnectionError],
            },
        }
        middleware = [
            "django_useauth.sessions.middleware.SessionMiddleware"
            if name == "django.contrib.sessions.middleware.SessionMiddleware"
            else name
            for name in test_settings.MIDDLEWARE
        ]
        try:
            with override_settings(
                SESSION_ENGINE="django_useauth.sessions.cache",
                CACHES={**test_settings.CACHES, "sessions": redis},
                MIDDLEWARE=middleware,
            ):
                yield server
        finally:
            server.close()


def restart(server: RedisServer) -> None:
    """Start ``server`` again if a test left it stopped (the next test clears its caches)."""
    if server.process is None:
        server.start()


class RedisSessionsTestCase(BrowserTestCase):
    """A browser test case whose live server keeps its sessions in ``self.redis`` (``redis_sessions()``)."""

    redis: RedisServer

    @classmethod
    def setUpClass(cls) -> None:
        # Before the live server starts: its handler loads the middleware,
        # and with it the session engine, once.
        cls.redis = cls.enterClassContext(redis_sessions())
        super().setUpClass()

    def setUp(self) -> None:
        super().setUp()
        self.addCleanup(restart, self.redis)


class OutageTestCase(RedisSessionsTestCase, BrowserPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.page.add_init_script(RECORD_CHANGES)
        self.session_answers: list[Response] = []
        self.page.on(
            "response",
            lambda response: (
                self.session_answers.append(response)
                if response.url.endswith("/api/auth/session")
                else None
            ),
        )

    def signed_in(self) -> None:
        """The client page, signed in through it."""
        self.open()
        assert self.sign_in()["ok"] is True
        assert self.run_js("auth.status") == "authenticated"

    def refresh_error(self) -> Any:
        return self.run_js(
            "auth.refresh().then(() => 'resolved', (e) => [e.name, e.status])"
        )

    def assert_unavailable(self, response: Response) -> None:
        # What the client reacts to; tests/test_unavailable.py has the rest.
        assert response.status == 503
        assert response.headers["retry-after"] == str(RETRY_AFTER)
        assert response.json() == {}


class StoreOutageTests(OutageTestCase):
    def test_signed_in_stays_signed_in_and_recovers(self):
        self.signed_in()
        before = self.run_js("[auth.data, auth.lastRefreshedAt.getTime()]")
        self.run_js("window.changes = []")
        self.redis.stop()

        assert self.refresh_error() == ["AuthError", 503]
        self.assert_unavailable(self.session_answers[-1])
        # Still signed in, with the same session; the error says why.
        assert self.run_js(
            "[auth.status, auth.data, auth.lastRefreshedAt.getTime(), auth.error.status]"
        ) == ["authenticated", *before, 503]
        assert self.run_js("changes") == [["authenticated", 503]]

        # It waits the Retry-After before asking again.
        requests = self.session_requests()
        self.page.wait_for_timeout((RETRY_AFTER - 2) * 1000)
        assert self.session_requests() == requests

        self.redis.start()
        self.page.wait_for_function(
            "auth.error === null", timeout=(RETRY_AFTER + 5) * 1000
        )
        # One request: the retry, answered by the store that is back.
        assert self.session_requests() == requests + 1
        assert self.session_answers[-1].status == 200
        assert self.run_js("[auth.status, auth.data]") == ["authenticated", before[0]]
        assert self.run_js("auth.lastRefreshedAt.getTime()") > before[1]
        assert self.run_js("changes") == [
            ["authenticated", 503],
            ["authenticated", None],
        ]

    def test_first_load_stays_loading_and_recovers(self):
        self.signed_in()
        self.redis.stop()
        # A page without the embedded session: its first fetch meets the outage.
        self.open("bare")
        self.page.wait_for_function("changes.length === 1")
        assert self.run_js("changes") == [["loading", 503]]
        self.assert_unavailable(self.session_answers[-1])
        assert self.run_js("[auth.status, auth.data]") == ["loading", None]

        self.redis.start()
        self.page.wait_for_function(
            "auth.status !== 'loading'", timeout=(RETRY_AFTER + 5) * 1000
        )
        assert self.run_js("[auth.status, auth.data.user.name, auth.error]") == [
            "authenticated",
            "Ada Lovelace",
            None,
        ]
        assert self.run_js("changes") == [["loading", 503], ["authenticated", None]]

    def test_required_session_does_not_go_to_the_sign_in_page(self):
        self.signed_in()
        self.redis.stop()
        url = self.page.url
        # next-auth's useSession({required: true}) would go to the sign-in
        # page here (tests/test_nextauth_client.py); this rejects instead.
        assert self.run_js(
            "auth.getSession({required: true}).then(() => 'resolved', (e) => e.status)"
        ) == (503)
        self.page.wait_for_timeout(500)
        assert self.page.url == url
        assert self.run_js("auth.status") == "authenticated"

    def test_the_cookie_survives(self):
        self.signed_in()
        cookies = self.context.cookies()
        self.redis.stop()
        assert self.refresh_error() == ["AuthError", 503]
        # Not deleted by the 503: the session is still there once Redis is back.
        assert self.context.cookies() == cookies
        self.redis.start()
        # Past the server's cool-down, when it asks the store again.
        self.page.wait_for_timeout(outages.COOL_DOWN * 1000)
        self.open()
        assert self.run_js("[auth.status, auth.data.user.name]") == [
            "authenticated",
            "Ada Lovelace",
        ]


class RetryRulesTests(BrowserPageTestCase):
    """When the client asks again, with the 503s simulated by ``page.route`` (Retry-After values the server never sends)."""

    def setUp(self) -> None:
        super().setUp()
        self.page.add_init_script(RECORD_CHANGES)
        self.page.add_init_script(CONTROL_VISIBILITY)

    def unavailable(self, retry_after: str | None) -> None:
        """Every ``GET session`` answers ``503 {}`` (tests/test_unavailable.py asserts the server's)."""
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        self.page.route(
            "**/api/auth/session",
            lambda route: route.fulfill(
                status=503, content_type="application/json", body="{}", headers=headers
            ),
        )

    def test_a_hidden_page_waits_until_it_is_shown(self):
        # The bare page does not refresh on focus: any request is the retry's.
        self.open("bare")
        self.page.wait_for_function("auth.status === 'unauthenticated'")
        self.unavailable("1")
        self.run_js("window.visibility = 'hidden'")
        assert self.run_js("auth.refresh().catch((e) => e.status)") == 503
        requests = self.session_requests()
        self.page.wait_for_timeout(2500)
        assert self.session_requests() == requests
        self.page.unroute("**/api/auth/session")
        self.run_js(
            "window.visibility = 'visible'; document.dispatchEvent(new Event('visibilitychange'))"
        )
        self.page.wait_for_function("auth.error === null")
        assert self.session_requests() == requests + 1
        assert self.run_js("auth.status") == "unauthenticated"

    def test_it_keeps_asking_at_most_once_a_second(self):
        self.open("bare")
        self.page.wait_for_function("auth.status === 'unauthenticated'")
        # 0 seconds is taken as 1: never a burst.
        self.unavailable("0")
        assert self.run_js("auth.refresh().catch((e) => e.status)") == 503
        requests = self.session_requests()
        self.page.wait_for_timeout(2500)
        assert requests + 1 <= self.session_requests() <= requests + 3
        assert self.run_js("[auth.status, auth.error.status]") == [
            "unauthenticated",
            503,
        ]

    def test_other_failures_are_not_retried_and_read_as_nothing(self):
        # No answer at all (the server is down) on the first fetch: still
        # "loading", the error has no status, and nothing asks again by
        # itself (focus and the page's own calls do).
        self.page.route("**/api/auth/session", lambda route: route.abort())
        self.open("bare")
        self.page.wait_for_function("changes.length === 1")
        assert self.run_js("changes") == [["loading", None]]
        self.page.unroute("**/api/auth/session")
        self.unavailable(None)
        self.page.wait_for_timeout(1500)
        assert self.session_requests() == 1
        # A 503 without Retry-After: an error, not retried.
        assert self.run_js("auth.refresh().catch((e) => e.status)") == 503
        self.page.wait_for_timeout(1500)
        assert self.session_requests() == 2
        assert self.run_js("auth.status") == "loading"
