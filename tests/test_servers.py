"""More than one app server: two gunicorn processes sharing one session store.

The servers run the demo project (configured from DATABASE_URL, CACHE_URL and
SESSION_ENGINE with django-environ), each in its own process on its own
loopback port; the test is a browser with one cookie jar. Without
USEAUTH_TEST_DATABASE_URL / USEAUTH_TEST_REDIS_URL they share a SQLite file and
the database engine; with them (CI), a fresh PostgreSQL database and Redis,
with each of the db, cache and cached_db engines.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import requests
from django.test import SimpleTestCase

from tests.expected import DEMO_USER
from tests.live import DEMO_PASSWORD
from tests.live import DEMO_USERNAME
from tests.live import DemoProject

UPDATE_AGE = 2  # seconds: short, so that the test can wait for a refresh


class Servers:
    """Two gunicorn processes serving the demo project from one store."""

    def __init__(
        self, directory: Path, database_url: str, cache_url: str, engine: str
    ) -> None:
        settings = {
            "DEBUG": "false",
            "CACHE_URL": cache_url,
            "USEAUTH_CACHE_KEY_PREFIX": f"useauth-servers-{uuid.uuid4().hex}",
            "SESSION_ENGINE": engine,
            "USEAUTH_UPDATE_AGE": str(UPDATE_AGE),
            # The demo's own identity provider is not part of this test.
            "AUTH_DEMO_IDP_ID": "",
        }
        self.processes = [
            DemoProject(
                "servers",
                database_url,
                # One log per server and session engine: the scenarios' servers
                # run side by side.
                directory / f"server-{n}-{engine.rpartition('.')[2]}.log",
                **settings,
            )
            for n in (1, 2)
        ]
        self.urls = [process.origin for process in self.processes]

    def start(self) -> None:
        self.processes[0].setup()
        for process in self.processes:
            process.serve(
                "-m",
                "gunicorn",
                "testproject.wsgi:application",
                "--bind",
                f"127.0.0.1:{process.port}",
                "--workers",
                "2",
                "--threads",
                "8",
                "--backlog",
                "256",
            )

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def sign_in(
    browser: requests.Session,
    url: str,
    username: str = DEMO_USERNAME,
    password: str = DEMO_PASSWORD,
    **kwargs: Any,
) -> requests.Response:
    """A credentials sign-in through the server at ``url``, in JSON mode."""
    # A fresh connection for the POST: gunicorn closes an idle keep-alive
    # connection after 2 s, and under a burst the client's thread may wait
    # that long between the two requests; a POST sent as the server closes
    # the connection fails with RemoteDisconnected, and requests does not
    # retry a POST.
    token = browser.get(f"{url}/api/auth/csrf", headers={"Connection": "close"}).json()[
        "csrfToken"
    ]
    return browser.post(
        f"{url}/api/auth/callback/credentials",
        data={
            "csrfToken": token,
            "username": username,
            "password": password,
            "json": "true",
        },
        **kwargs,
    )


def scenarios(directory: Path) -> list[tuple[str, str, str]]:
    """(database URL, cache URL, engine) to run; creates the PostgreSQL database if used."""
    database = os.environ.get("USEAUTH_TEST_DATABASE_URL")
    redis = os.environ.get("USEAUTH_TEST_REDIS_URL")
    if not (database and redis):
        # SQLite can share a file between processes; local memory cannot be shared.
        return [
            (
                f"sqlite:///{directory / 'db.sqlite3'}?timeout=20",
                "locmemcache://",
                "django.contrib.sessions.backends.db",
            )
        ]
    return [  # pragma: no cover - CI's run on real servers (.ci/run)
        (database, redis, engine)
        for engine in (
            "django.contrib.sessions.backends.db",
            "django_useauth.sessions.cache",
            "django_useauth.sessions.cached_db",
        )
    ]


class PostgresDatabase:  # pragma: no cover - CI's run on real servers (.ci/run)
    """A fresh database on the server of USEAUTH_TEST_DATABASE_URL, dropped afterwards."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.name = f"useauth_servers_{uuid.uuid4().hex[:12]}"
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self.admin = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))

    def _execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(statement)

    def create(self) -> None:
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def fresh_database(test: SimpleTestCase, url: str) -> str:
    """``url``, or for PostgreSQL a fresh database on its server, dropped after ``test``."""
    if url.startswith("postgres"):  # pragma: no cover - CI's run (.ci/run)
        database = PostgresDatabase(url)
        database.create()
        test.addCleanup(database.drop)
        return database.url
    return url


class ServersTestCase(SimpleTestCase):
    """A temporary directory for each test, and servers that run in it."""

    def setUp(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="useauth-servers-"))
        self.addCleanup(shutil.rmtree, self.directory, True)

    def start_servers(self, database_url: str, cache_url: str, engine: str) -> Servers:
        database_url = fresh_database(self, database_url)
        servers = Servers(self.directory, database_url, cache_url, engine)
        self.addCleanup(servers.stop)
        servers.start()
        return servers


class TwoServersTests(ServersTestCase):
    def run_scenario(self, database_url: str, cache_url: str, engine: str) -> None:
        servers = self.start_servers(database_url, cache_url, engine)
        one, two = servers.urls
        browser = requests.Session()
        self.addCleanup(browser.close)

        def csrf(url: str) -> str:
            token: str = browser.get(f"{url}/api/auth/csrf").json()["csrfToken"]
            return token

        def session(url: str) -> dict[str, object]:
            response = browser.get(f"{url}/api/auth/session")
            assert response.status_code == 200, (engine, response.status_code)
            body: dict[str, object] = response.json()
            return body

        # Sign in through one, read through the other.
        response = sign_in(browser, one)
        assert response.json() == {"url": f"{one}/"}, engine
        assert session(two)["user"] == DEMO_USER
        copied = browser.cookies["sessionid"]

        # Sign out through the second: the first answers {}, and so does a copy
        # of the cookie.
        response = browser.post(
            f"{two}/api/auth/signout", data={"csrfToken": csrf(two), "json": "true"}
        )
        assert response.status_code == 200, engine
        assert session(one) == {}, engine
        replay = requests.Session()
        self.addCleanup(replay.close)
        replay.cookies["sessionid"] = copied
        assert replay.get(f"{one}/api/auth/session").json() == {}, engine

        # Many concurrent reads of a session that is due for a refresh, spread
        # over both servers: no error, and one expiry for all of them.
        sign_in(browser, one)
        before = session(two)["expires"]
        time.sleep(UPDATE_AGE + 0.3)
        with ThreadPoolExecutor(max_workers=16) as pool:
            bodies = list(pool.map(lambda i: session(servers.urls[i % 2]), range(32)))
        expires = {body["expires"] for body in bodies}
        assert len(expires) == 1, (engine, expires)
        assert expires != {before}, engine
        assert session(one)["expires"] in expires
        assert session(two)["expires"] in expires

    def test_two_servers(self):
        for scenario in scenarios(self.directory):
            with self.subTest(engine=scenario[2]):
                self.run_scenario(*scenario)


OUTCOMES = {
    (401, False): "failed",
    (200, False): "signed in",
    (429, False): "throttled",
    # The double-submit guard's MissingCSRF answer: refused unseen too.
    (200, True): "refused",
}


def outcome(response: requests.Response) -> str:
    """What a credentials sign-in answered: failed, signed in, throttled or refused."""
    key = (response.status_code, "csrf=true" in response.json().get("url", ""))
    return OUTCOMES.get(key, repr(key))


def throttle_scenario(directory: Path) -> tuple[str, str, str]:
    """One app: PostgreSQL and Redis in CI, else SQLite and a database cache (shared by processes)."""
    database, cache, engine = scenarios(directory)[0]
    # Local memory is not shared between processes; the database cache is.
    return database, cache.replace("locmemcache://", "dbcache://useauth_cache"), engine


class ThrottleServersTests(ServersTestCase):
    """R1 and R7 against the real thing: gunicorn processes sharing one cache."""

    def attempt(
        self, url: str, username: str, password: str = "wrong"
    ) -> requests.Response:
        with requests.Session() as browser:
            return sign_in(browser, url, username, password, timeout=120)

    def admin_login(self, url: str, password: str) -> dict[str, object]:
        """Sign in through /admin/login/; the session /api/auth then sees."""
        with requests.Session() as browser:
            token = browser.get(f"{url}/api/auth/csrf").json()["csrfToken"]
            browser.post(
                f"{url}/admin/login/",
                data={
                    "csrfmiddlewaretoken": token,
                    "username": "admin",
                    "password": password,
                    "next": "/admin/",
                },
                timeout=60,
            )
            body: dict[str, object] = browser.get(f"{url}/api/auth/session").json()
            return body

    def test_R1_burst_and_R7_admin_door(self):
        database_url, cache_url, engine = throttle_scenario(self.directory)
        servers = self.start_servers(database_url, cache_url, engine)
        admin = servers.processes[0]
        admin.env["DJANGO_SUPERUSER_PASSWORD"] = "admin-password-r7"
        admin.manage(
            "createsuperuser", "--noinput", "--username", "admin", "--email", "a@x.org"
        )

        # R1: 100 sign-ins for one account at the same moment, spread over
        # both servers, the right password last: at most 10 are evaluated.
        calls = [
            (servers.urls[n % 2], "demo", "wrong" if n < 99 else "useauth-demo")
            for n in range(100)
        ]
        with ThreadPoolExecutor(max_workers=100) as pool:
            outcomes = Counter(
                outcome(response)
                for response in pool.map(lambda call: self.attempt(*call), calls)
            )
        print(f"R1: 100 at once on two servers ({cache_url.split(':')[0]}): {outcomes}")
        # Refused before any password check: 429, or (a cache write that
        # failed under load) the double-submit guard's MissingCSRF answer.
        assert set(outcomes) <= {"failed", "signed in", "throttled", "refused"}
        assert outcomes["failed"] + outcomes["signed in"] <= 10, outcomes
        assert self.attempt(servers.urls[0], "demo", "useauth-demo").status_code == 429

        # R7: the admin login is limited too, and shares the account's count.
        one, two = servers.urls
        for n in range(15):
            assert self.admin_login(servers.urls[n % 2], "wrong") == {}
        assert self.admin_login(one, "admin-password-r7") == {}
        assert self.attempt(two, "admin", "admin-password-r7").status_code == 429
