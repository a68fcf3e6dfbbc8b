"""Real concurrent requests against a live server, for the tests of races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

CSRF_ROUTE = "/api/auth/csrf"


class _BurstServer(ThreadedWSGIServer):
    # The default backlog (10) resets connections when a burst of a hundred
    # arrives at once; a real server's is larger.
    request_queue_size = 256


class BurstServerThread(LiveServerThread):
    """A live server that accepts a burst of connections at once (``server_thread_class``)."""

    server_class = _BurstServer


class LiveClientMixin:
    """Requests on connections of their own, and a way to send many at once.

    For a ``LiveServerTestCase`` (``live_server_url``) or any class that sets it.
    """

    live_server_url: str

    def url(self, route: str) -> str:
        return f"{self.live_server_url}{route}"

    def send(
        self, method: str, route: str, cookies: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        """One request on a connection of its own, closed after the answer.

        ``requests.Session`` is not thread-safe, and a kept-alive connection
        would keep a server thread (holding the shared database connection)
        busy past the test.
        """
        with requests.Session() as http:
            http.trust_env = False
            return http.request(
                method,
                self.url(route),
                cookies=cookies,
                headers={"Connection": "close", **kwargs.pop("headers", {})},
                timeout=kwargs.pop("timeout", 10),
                **kwargs,
            )

    def at_once(
        self, *calls: Callable[[], requests.Response]
    ) -> list[requests.Response]:
        """Run ``calls`` in parallel threads, released together."""
        barrier = threading.Barrier(len(calls))

        def run(call: Callable[[], requests.Response]) -> requests.Response:
            barrier.wait(timeout=30)
            return call()

        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(run, calls))

    def csrf(self, cookies: dict[str, str] | None = None) -> tuple[str, str]:
        """``GET csrf``: a token, and the CSRF cookie it goes with."""
        response = self.send("GET", CSRF_ROUTE, cookies or {})
        return response.json()["csrfToken"], response.cookies["csrftoken"]
