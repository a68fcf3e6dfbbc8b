"""Live servers: server subprocesses on loopback ports (the demo project, the IdP), and real concurrent requests for the tests of races."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

ROOT = Path(__file__).resolve().parent.parent
CSRF_ROUTE = "/api/auth/csrf"

#: The demo project's user, created by ``manage.py seed_demo``.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "useauth-demo"

#: How long a server subprocess may take to answer (``ServerProcess.serve()``):
#: its imports and checks, and ``runserver``'s first request, on a loaded
#: two-core CI machine.
SERVE_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py args`` in a subprocess with ``env``; its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:  # pragma: no cover - only when the project is broken
        raise RuntimeError(
            f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


class ServerProcess:
    """A server subprocess on a free loopback port, its output in ``log``: ``serve()``, ``stop()``."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> str:
        return manage(self.env, *args)

    def serve(
        self, *args: str, ready: str = CSRF_ROUTE, timeout: float = SERVE_TIMEOUT
    ) -> None:
        """Start ``python args``; return once ``ready`` (a path) answers without an error.

        A server that exits, or has not answered within ``timeout`` seconds,
        is stopped (never left running) and the error shows its log.
        """
        with self.log.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.process = process
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            try:
                requests.get(f"{self.origin}{ready}", timeout=1).raise_for_status()
            except requests.RequestException:
                time.sleep(0.1)
                continue
            # Answered while our process runs: it is ours, not another
            # program that holds the port.
            if process.poll() is None:  # pragma: no branch - see the raise below
                return
        # Exited, or not answering in time: stopped before the error.
        self.process = None  # pragma: no cover - only when the server is broken
        _end(process)  # pragma: no cover
        raise RuntimeError(  # pragma: no cover
            f"{args} did not start:\n{self.log.read_text()}"
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:  # pragma: no branch - None only if serve() failed
            _end(process)


def _end(process: subprocess.Popen[bytes]) -> None:
    # SIGTERM, then SIGKILL for a server that ignores it.
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
        process.kill()
        process.wait()


class DemoProject(ServerProcess):
    """The demo project (``testproject``) configured from the environment, as ``make run`` does.

    ``name`` makes its secret key; ``settings`` are more environment variables.
    """

    def __init__(
        self, name: str, database_url: str, log: Path, **settings: str
    ) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "testproject.settings",
            "SECRET_KEY": f"useauth-tests-{name}-not-secret",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "PYTHONWARNINGS": "ignore",
            **settings,
        }
        super().__init__(env, log)

    def setup(self) -> None:
        """Create the tables (the database cache's too) and the demo user."""
        self.manage("migrate", "--noinput")
        self.manage("createcachetable")
        self.manage("seed_demo")


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
