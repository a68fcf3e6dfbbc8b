"""The matrix (store × fault), one scenario's run, what it measured, and the rules it must keep."""

from __future__ import annotations

import json
import math
import time
import uuid
from collections import Counter
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from tests.faults.load import SESSION
from tests.faults.load import Load
from tests.faults.load import Record
from tests.faults.load import SignedIn
from tests.faults.load import prepare_sign_out
from tests.faults.load import send
from tests.faults.servers import PostgresServer
from tests.faults.servers import RedisServer
from tests.live import DEMO_PASSWORD
from tests.live import DEMO_USERNAME
from tests.live import DemoProject

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
DJANGO_REDIS = "django_redis.cache.RedisCache"
SIGNED_OUT_KINDS = ("csrf", "signin page")
RECOVERY = 2.0  # seconds after the restart for a session to read signed in again
FINAL_RETRIES = 3  # more tries of a final GET session answered 503, a second apart
SLOWEST = 2.0  # seconds: the slowest signed-out answer allowed during a Redis fault


@dataclass(frozen=True)
class Store:
    """A session engine on a cache backend; ``ours`` says whether the rules apply (else a baseline)."""

    name: str
    engine: str
    backend: str = REDIS_CACHE
    only_in_redis: bool = False
    ours: bool = True


STORES = {
    store.name: store
    for store in (
        Store("db", "django_useauth.sessions.db"),
        Store("django db", "django.contrib.sessions.backends.db", ours=False),
        Store("cache", "django_useauth.sessions.cache", only_in_redis=True),
        Store(
            "cache (django-redis)",
            "django_useauth.sessions.cache",
            DJANGO_REDIS,
            only_in_redis=True,
        ),
        Store(
            "django cache",
            "django.contrib.sessions.backends.cache",
            only_in_redis=True,
            ours=False,
        ),
        Store("cached_db", "django_useauth.sessions.cached_db"),
        Store(
            "django cached_db",
            "django.contrib.sessions.backends.cached_db",
            ours=False,
        ),
    )
}

#: Each fault: (what stops, whether Redis keeps its data).
FAULTS = {
    "redis stop": ("redis", False),
    "redis stop (appendonly)": ("redis", True),
    "redis pause": ("redis", False),
    "postgres stop": ("postgres", False),
}


@dataclass(frozen=True)
class Scenario:
    store: Store
    fault: str
    session_cache: str = ""

    @property
    def label(self) -> str:
        cache = " + USEAUTH_SESSION_CACHE" if self.session_cache else ""
        return f"{self.store.name}{cache} / {self.fault}"

    @property
    def loses_sessions(self) -> bool:
        """A Redis that restarts empty takes the sessions of a store that lives only there."""
        return self.store.only_in_redis and self.fault == "redis stop"


def matrix() -> list[Scenario]:
    """Every store and fault; Django's engines (baselines) without USEAUTH_SESSION_CACHE only."""
    return [
        Scenario(store, fault, session_cache)
        for store in STORES.values()
        for session_cache in ("", "default")[: 1 + store.ours]
        for fault in FAULTS
    ]


@dataclass(frozen=True)
class Phases:
    """Seconds of each phase, and how many signed-in users."""

    healthy: float = 3
    fault: float = 10
    pause: float = 5
    after: float = 3
    users: int = 50

    def __post_init__(self) -> None:
        # The final check reads every session once, after this phase.
        assert self.after >= RECOVERY, "the after phase is shorter than RECOVERY"

    def outage(self, fault: str) -> float:
        return self.pause if fault == "redis pause" else self.fault


FULL = Phases()
QUICK = Phases(healthy=2, fault=3, pause=3, after=2.5, users=20)


@dataclass
class Result:
    """What one scenario measured (JSON-ready), and ``violations()`` of the rules."""

    scenario: str
    store: str
    engine: str
    backend: str
    session_cache: str
    fault: str
    ours: bool
    loses_sessions: bool
    requests: dict[str, int]
    no_answer: int
    server_errors: int
    unavailable: int
    unavailable_without_retry_after: int
    empty_to_signed_in: int
    cookies_deleted: int
    users: int
    sessions_lost: int
    signed_out_per_second: list[int]
    slowest_signed_out: float
    sign_ins: dict[str, int]
    bad_sign_ins: int
    sign_outs: dict[str, int]
    bad_sign_outs: int
    redis_fault: bool
    examples: list[dict[str, Any]] = field(default_factory=list)

    def violations(self) -> list[str]:
        """The rules this run broke (rule number: what was seen); none for a baseline."""
        checks = [
            (
                self.server_errors + self.no_answer,
                f"1: {self.server_errors} answers 5xx other than 503, {self.no_answer} not answered",
            ),
            (
                self.unavailable_without_retry_after,
                f"1: {self.unavailable_without_retry_after} answers 503 without Retry-After",
            ),
            (
                self.empty_to_signed_in,
                f"2: {self.empty_to_signed_in} answers {{}} to a signed-in GET session",
            ),
            (
                self.cookies_deleted,
                f"3: {self.cookies_deleted} answers deleted the session cookie",
            ),
            (self.bad_sign_ins, f"4: {self.bad_sign_ins} sign-ins answered otherwise"),
            (
                self.bad_sign_outs,
                f"5: {self.bad_sign_outs} sign-outs answered 200 and left the session alive, or 503 and ended it ({self.sign_outs})",
            ),
            (
                self.sessions_lost and not self.loses_sessions,
                f"6: {self.sessions_lost} of {self.users} sessions lost after recovery",
            ),
            (
                self.redis_fault
                and (
                    min(self.signed_out_per_second, default=0) < 1
                    or self.slowest_signed_out > SLOWEST
                ),
                f"7: signed-out answers per second {self.signed_out_per_second}, slowest {self.slowest_signed_out:.2f} s",
            ),
        ]
        return [message for failed, message in checks if failed and self.ours]


@dataclass
class Timeline:
    fault_start: float = 0.0
    fault_end: float = 0.0
    recovered: float = 0.0


def _signed_in(record: Record) -> bool:
    return (
        record.status == 200 and isinstance(record.body, dict) and "user" in record.body
    )


def _sign_in_ok(record: Record) -> bool:
    url = record.body.get("url", "") if isinstance(record.body, dict) else ""
    signed_in = record.status == 200 and "error=" not in url
    refused = record.status == 503 and bool(record.retry_after) and "error=" in url
    return bool(url) and (signed_in or refused)


def example(record: Record) -> dict[str, Any]:
    """``record`` as the JSON results show it, its body cut to 200 characters."""
    return {**asdict(record), "body": str(record.body)[:200]}


def analyse(
    scenario: Scenario,
    records: list[Record],
    final: dict[int, Record],
    users: list[SignedIn],
    times: Timeline,
) -> Result:
    """Count what the records show against the rules."""
    # After a restart that emptied Redis, {} is the truth for a store that
    # lives there: only the answers sent before the restart count (rule 2).
    window_end = times.fault_end if scenario.loses_sessions else math.inf
    empty = [
        r
        for r in records
        if r.kind == "session"
        and r.status == 200
        and r.body == {}
        and r.start < window_end
    ]
    # Likewise a deleted cookie: the session is gone, so ending it is right.
    deleted = [
        r
        for r in records
        if r.deletes_session_cookie
        and not (r.kind == "sign-out" and r.status == 200)
        and r.start < window_end
    ]
    server_errors = [r for r in records if r.status >= 500 and r.status != 503]
    seconds = math.ceil(times.fault_end - times.fault_start - 0.05)
    signed_out = [r for r in records if r.kind in SIGNED_OUT_KINDS]
    per_second = [
        sum(
            1
            for r in signed_out
            if r.status == 200 and 0 <= r.end - times.fault_start - second < 1
        )
        for second in range(seconds)
    ]
    during = [
        r.latency for r in signed_out if times.fault_start <= r.start <= times.recovered
    ]
    sign_ins = [r for r in records if r.kind == "sign-in"]
    bad_sign_ins = [r for r in sign_ins if not _sign_in_ok(r)]
    outcomes: Counter[str] = Counter()
    bad_sign_outs = []
    for r in (r for r in records if r.kind == "sign-out"):
        alive = _signed_in(final[r.session or 0])
        outcomes[f"{r.status} {'alive' if alive else 'ended'}"] += 1
        # The rule: a sign-out ends the session for good or answers
        # 503. A 503 may come after the deletion was done (the connection
        # died before the commit was acknowledged): ended or not, it claimed
        # nothing. A 200 must have ended it.
        kept = r.status == 503
        ended = r.status == 200 and not alive
        bad_sign_outs += [] if kept or ended else [r]
    lost = [u for u in users if u.deleted or not _signed_in(final[u.index])]
    return Result(
        scenario=scenario.label,
        store=scenario.store.name,
        engine=scenario.store.engine,
        backend=scenario.store.backend,
        session_cache=scenario.session_cache,
        fault=scenario.fault,
        ours=scenario.store.ours,
        loses_sessions=scenario.loses_sessions,
        requests=dict(Counter(r.kind for r in records)),
        no_answer=sum(1 for r in records if r.status == 0),
        server_errors=len(server_errors),
        unavailable=sum(1 for r in records if r.status == 503),
        unavailable_without_retry_after=sum(
            1 for r in records if r.status == 503 and not r.retry_after
        ),
        empty_to_signed_in=len(empty),
        cookies_deleted=len(deleted),
        users=len(users),
        sessions_lost=len(lost),
        signed_out_per_second=per_second,
        slowest_signed_out=round(max(during, default=0.0), 3),
        sign_ins=dict(Counter(str(r.status) for r in sign_ins)),
        bad_sign_ins=len(bad_sign_ins),
        sign_outs=dict(outcomes),
        bad_sign_outs=len(bad_sign_outs),
        redis_fault=FAULTS[scenario.fault][0] == "redis",
        examples=[
            example(r)
            for r in (
                server_errors[:2]
                + empty[:2]
                + deleted[:2]
                + bad_sign_ins[:2]
                + bad_sign_outs[:2]
            )
        ],
    )


# Sessions made the way a sign-in makes them (login()), without paying the
# password hasher for each: one process, printing the cookies' values.
MAKE_SESSIONS = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
user = get_user_model().objects.get(username={username!r})
keys = []
for _ in range({count}):
    client = Client()
    client.force_login(user)
    keys.append(client.cookies["sessionid"].value)
print(json.dumps(keys))
"""


class Lab:
    """One PostgreSQL server for the whole run (a migrated template database), and the scenarios run on it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.postgres = PostgresServer()
        self.template = ""

    def setup(self) -> None:
        """Start PostgreSQL; migrate and seed the template every scenario's database copies."""
        self.postgres.init()
        self.template = self.postgres.create_database()
        DemoProject(
            "faults",
            self.postgres.url(self.template),
            self.directory / "setup.log",
            CACHE_URL="locmemcache://",
            DEBUG="false",
            AUTH_DEMO_IDP_ID="",
        ).setup()

    def close(self) -> None:
        self.postgres.remove()

    def run(self, scenario: Scenario, phases: Phases) -> Result:
        """Serve the demo on a fresh database and Redis, load it, inject the fault, measure."""
        target, appendonly = FAULTS[scenario.fault]
        directory = self.directory / uuid.uuid4().hex[:8]
        directory.mkdir()
        redis = RedisServer(directory, appendonly=appendonly)
        redis.start()
        database = self.postgres.create_database(self.template)
        settings = {
            "DEBUG": "false",
            "AUTH_DEMO_IDP_ID": "",
            "CACHE_URL": redis.url,
            "CACHE_BACKEND": scenario.store.backend,
            "SESSION_ENGINE": scenario.store.engine,
            "USEAUTH_SESSION_CACHE": scenario.session_cache,
            "USEAUTH_CACHE_KEY_PREFIX": f"useauth-faults-{directory.name}",
            "USEAUTH_THROTTLE_ACCOUNT_FAILURES": "100000",
            "USEAUTH_THROTTLE_IP_FAILURES": "100000",
        }
        demo = DemoProject(
            "faults",
            self.postgres.url(database),
            directory / "gunicorn.log",
            **settings,
        )
        try:
            demo.serve(
                "-m",
                "gunicorn",
                "testproject.wsgi:application",
                "--bind",
                f"127.0.0.1:{demo.port}",
                "--workers",
                "2",
                "--backlog",
                "256",
                "--timeout",
                "60",
            )
            leaving_count = (
                math.ceil(phases.healthy + phases.outage(scenario.fault) + phases.after)
                + 1
            )
            keys = json.loads(
                demo.manage(
                    "shell",
                    "-c",
                    MAKE_SESSIONS.format(
                        username=DEMO_USERNAME, count=phases.users + leaving_count
                    ),
                )
                .strip()
                .splitlines()[-1]
            )
            sessions = [SignedIn(index, key) for index, key in enumerate(keys)]
            users, leaving = sessions[: phases.users], sessions[phases.users :]
            for session in leaving:
                prepare_sign_out(demo.origin, session)
            load = Load(demo.origin, users, leaving, DEMO_USERNAME, DEMO_PASSWORD)
            times = Timeline()
            load.start()
            time.sleep(phases.healthy)
            times.fault_start = time.monotonic()
            if target == "postgres":
                self.postgres.stop()
                time.sleep(phases.fault)
                times.fault_end = time.monotonic()
                self.postgres.start()
            elif scenario.fault == "redis pause":
                pause = redis.pause(phases.pause)
                time.sleep(phases.pause)
                pause.join()
                times.fault_end = time.monotonic()
            else:
                redis.stop()
                time.sleep(phases.fault)
                times.fault_end = time.monotonic()
                redis.start()
            times.recovered = time.monotonic()
            time.sleep(phases.after)
            load.stop()
            final = {
                session.index: final_check(demo.origin, session) for session in sessions
            }
            return analyse(scenario, load.records, final, users, times)
        finally:
            demo.stop()
            redis.close()
            self.postgres.drop_database(database)


def final_check(origin: str, session: SignedIn) -> Record:
    """``GET session`` with the cookie, once the after phase (at least RECOVERY seconds) is over.

    A 503 is not an answer about the session (a worker whose last failure
    was under a second ago refuses at once): asked again, a few times.
    """
    record = send(origin, "final", "GET", SESSION, {"sessionid": session.cookie})
    # Rarely taken (a worker whose last failure was just now), so not
    # reliably covered.
    for _ in range(FINAL_RETRIES):  # pragma: no branch
        if record.status != 503:  # pragma: no branch
            break
        time.sleep(1)  # pragma: no cover
        record = send(  # pragma: no cover
            origin, "final", "GET", SESSION, {"sessionid": session.cookie}
        )
    return record


COLUMNS = (
    "store",
    "fault",
    "5xx ≠ 503",
    "503 (no Retry-After)",
    "`{}` to signed-in",
    "cookies deleted",
    "lost after recovery",
    "signed-out answers/s",
    "slowest signed-out",
    "sign-ins",
    "sign-outs",
    "rules broken",
)


def row(result: Result) -> list[str]:
    cache = " + session cache" if result.session_cache else ""
    broken = ", ".join(v.partition(":")[0] for v in result.violations()) or "none"
    return [
        f"{result.store}{cache}",
        result.fault,
        str(result.server_errors + result.no_answer),
        f"{result.unavailable} ({result.unavailable_without_retry_after})",
        str(result.empty_to_signed_in),
        str(result.cookies_deleted),
        f"{result.sessions_lost}/{result.users}"
        + (" (expected)" if result.loses_sessions else ""),
        f"min {min(result.signed_out_per_second, default=0)}",
        f"{result.slowest_signed_out:.2f} s",
        " ".join(f"{status}×{n}" for status, n in sorted(result.sign_ins.items())),
        ", ".join(f"{k}×{n}" for k, n in sorted(result.sign_outs.items())),
        broken if result.ours else "baseline",
    ]


def table(results: list[Result]) -> str:
    """The Markdown table of ``results``."""
    lines = [COLUMNS, ("---",) * len(COLUMNS), *(row(result) for result in results)]
    return "\n".join(f"| {' | '.join(line)} |" for line in lines)
