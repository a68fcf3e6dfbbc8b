"""A steady mix of requests on the demo project, each one recorded: what a fault does to users."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import requests

SESSION = "/api/auth/session"
CSRF = "/api/auth/csrf"
SIGNIN_PAGE = "/api/auth/signin"
CALLBACK = "/api/auth/callback/credentials"
SIGNOUT = "/api/auth/signout"
SIGNED_OUT = (("csrf", CSRF), ("signin page", SIGNIN_PAGE))
TIMEOUT = 15  # seconds: a request slower than this counts as no answer


@dataclass
class Record:
    """One request and its answer (``status`` 0: no answer, ``error`` says why)."""

    kind: str
    start: float
    latency: float
    status: int
    body: Any
    set_cookies: list[str]
    retry_after: str | None
    session: int | None = None
    error: str | None = None

    @property
    def end(self) -> float:
        return self.start + self.latency

    @property
    def deletes_session_cookie(self) -> bool:
        """A ``Set-Cookie`` that ends ``sessionid`` (empty, Max-Age=0 or expired)."""
        return any(_ends_cookie(header) for header in self.set_cookies)

    @property
    def new_session_cookie(self) -> str:
        """The new value of ``sessionid`` this answer sets ("" for none or a deletion)."""
        return _cookie(self, "sessionid").strip('"')


def _ends_cookie(header: str) -> bool:
    lowered = header.lower()
    value = header.split(";")[0].partition("=")[2].strip('"')
    return header.startswith("sessionid=") and (
        not value or "max-age=0" in lowered or "01 jan 1970" in lowered
    )


def send(
    origin: str,
    kind: str,
    method: str,
    route: str,
    cookies: dict[str, str],
    data: dict[str, str] | None = None,
    session: int | None = None,
) -> Record:
    """One request on a connection of its own, recorded."""
    start = time.monotonic()
    try:
        with requests.Session() as http:
            http.trust_env = False
            response = http.request(
                method,
                f"{origin}{route}",
                cookies=cookies,
                data=data,
                headers={"Connection": "close"},
                timeout=TIMEOUT,
                allow_redirects=False,
            )
    except (
        requests.RequestException
    ) as error:  # pragma: no cover - a server that does not answer
        return Record(
            kind,
            start,
            time.monotonic() - start,
            0,
            None,
            [],
            None,
            session,
            repr(error),
        )
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:200]
    return Record(
        kind,
        start,
        time.monotonic() - start,
        response.status_code,
        body,
        response.raw.headers.getlist("Set-Cookie"),
        response.headers.get("Retry-After"),
        session,
    )


@dataclass
class SignedIn:
    """A session cookie, as a browser keeps it: a response that deletes it ends it for good."""

    index: int
    cookie: str
    csrf_token: str = ""
    csrf_cookie: str = ""
    deleted: bool = False

    def cookies(self) -> dict[str, str]:
        return {"sessionid": self.cookie, "csrftoken": self.csrf_cookie}

    def follow(self, record: Record) -> None:
        # The cookie still goes out after a deletion: the store's answer
        # remains measured; `deleted` says the user lost it.
        self.deleted = self.deleted or record.deletes_session_cookie
        self.cookie = record.new_session_cookie or self.cookie


def prepare_sign_out(origin: str, session: SignedIn) -> None:
    """``GET csrf`` with the session: the token and cookie its sign-out sends."""
    record = send(origin, "csrf", "GET", CSRF, session.cookies())
    session.csrf_token = record.body["csrfToken"]
    session.csrf_cookie = _cookie(record, "csrftoken")


@dataclass
class Load:
    """Threads sending the mix until ``stop()``: session reads, signed-out pages, sign-ins, sign-outs."""

    origin: str
    users: list[SignedIn]
    leaving: list[SignedIn]
    username: str
    password: str
    readers: int = 3
    records: list[Record] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            *(
                threading.Thread(target=self._read, args=(n,))
                for n in range(self.readers)
            ),
            *(threading.Thread(target=self._signed_out, args=(n,)) for n in range(2)),
            threading.Thread(target=self._sign_in),
            threading.Thread(target=self._sign_out),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self.records.sort(key=lambda record: record.start)

    def _keep(self, record: Record) -> Record:
        with self._lock:
            self.records.append(record)
        return record

    def _read(self, n: int) -> None:
        users = itertools.cycle(self.users[n :: self.readers])
        while not self._stop.is_set():
            user = next(users)
            cookies = {"sessionid": user.cookie}
            record = send(
                self.origin, "session", "GET", SESSION, cookies, session=user.index
            )
            user.follow(self._keep(record))

    def _signed_out(self, n: int) -> None:
        # Two threads, each on both pages, half a turn apart.
        routes = itertools.islice(itertools.cycle(SIGNED_OUT), n, None)
        while not self._stop.is_set():
            kind, route = next(routes)
            self._keep(send(self.origin, kind, "GET", route, {}))
            time.sleep(0.05)

    def _sign_in(self) -> None:
        while not self._stop.wait(0.5):
            csrf = self._keep(send(self.origin, "sign-in csrf", "GET", CSRF, {}))
            token = csrf.body["csrfToken"] if csrf.status == 200 else ""
            cookie = _cookie(csrf, "csrftoken")
            data = {
                "csrfToken": token,
                "username": self.username,
                "password": self.password,
                "json": "true",
            }
            self._keep(
                send(
                    self.origin,
                    "sign-in",
                    "POST",
                    CALLBACK,
                    {"csrftoken": cookie},
                    data,
                )
            )

    def _sign_out(self) -> None:
        # One a second, until the sessions kept for it run out.
        leaving = iter(self.leaving)
        user = next(leaving, None)
        while user is not None and not self._stop.wait(1):
            data = {"csrfToken": user.csrf_token, "json": "true"}
            record = send(
                self.origin,
                "sign-out",
                "POST",
                SIGNOUT,
                user.cookies(),
                data,
                session=user.index,
            )
            self._keep(record)
            user = next(leaving, None)


def _cookie(record: Record, name: str) -> str:
    """The value ``record`` sets for the cookie ``name`` ("" when it sets none)."""
    values = (header.split(";")[0].partition("=") for header in record.set_cookies)
    return next((value for key, _, value in values if key == name), "")
