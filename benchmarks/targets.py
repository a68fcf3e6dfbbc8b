"""The servers and the targets (a server, a path and a way to sign in) that the benchmark loads.

The main pass runs every target of :data:`MAIN_TARGETS`, interleaved, on the
servers of :data:`MAIN_SERVERS` (gunicorn with 2 sync workers, one Node
process), with wrk on the same two cores. The pinned pass runs
:data:`PINNED_TARGETS` with each server on CPU 0 (1 worker) and wrk on CPU 1,
for the CPU cost of a request on one core.

Token mode's rows (:data:`BEARER_VS_COOKIE`) load an ``@auth_required`` view
with ``Authorization: Bearer`` on each Redis-store server, next to that
server's cookie read of ``/api/auth/session``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from benchmarks.servers import ServerSpec

REDIS_URL_DEFAULT = "redis://127.0.0.1:6379/0"

USEAUTH_SESSION = "/api/auth/session"
PLAIN_SESSION = "/bench/plain-session"
UNTOUCHED = "/bench/untouched"
PROTECTED = "/bench/protected"
ALLAUTH_SESSION = "/_allauth/browser/v1/auth/session"
AUTHJS_SESSION = "/auth/session"


@dataclass(frozen=True)
class Target:
    """One thing to load: ``GET path`` on ``server``, signed in through ``sign_in``."""

    key: str
    label: str
    server: str
    path: str
    sign_in: str  # a key of benchmarks.signin.SIGN_INS
    shows_account: bool = True  # the answer names the signed-in account
    sign_in_server: str | None = None  # where to sign in, if not on ``server``
    #: A read of this target must run no SQL (the query count fails the run otherwise).
    sql_free: bool = False

    @property
    def login_server(self) -> str:
        """The server the sign-in goes to."""
        return self.sign_in_server or self.server


def django_servers(
    redis_url: str, workers: int, cpus: str | None, suffix: str
) -> list[ServerSpec]:
    """Return the Django servers: db store, Redis store (Django's and django-redis's backend), db store without ``AuthMiddleware``, allauth."""

    def redis(**env: str) -> dict[str, str]:
        # A key prefix per server: each has a database of its own, so a user's
        # cached payload (keyed by its id, holding its auth hash) written by one
        # would not be valid for the other, and would be replaced back and forth.
        return {
            "BENCH_STORE": "redis",
            "BENCH_REDIS_URL": redis_url,
            "BENCH_CACHE_PREFIX": f"useauth-bench-{uuid.uuid4().hex[:12]}",
            **env,
        }

    return [
        ServerSpec(
            f"django-db{suffix}", "django", {"BENCH_STORE": "db"}, workers, cpus
        ),
        ServerSpec(f"django-redis{suffix}", "django", redis(), workers, cpus),
        ServerSpec(
            f"django-redis-dr{suffix}",
            "django",
            redis(BENCH_REDIS_CLIENT="django-redis"),
            workers,
            cpus,
        ),
        ServerSpec(
            f"django-db-no-mw{suffix}",
            "django",
            {"BENCH_STORE": "db", "BENCH_AUTH_MIDDLEWARE": "0"},
            workers,
            cpus,
            # Without AuthMiddleware the /api/auth endpoints cannot answer:
            # its users sign in on django-db, whose database it shares.
            database=f"django-db{suffix}",
        ),
        ServerSpec(
            f"allauth-db{suffix}",
            "django",
            {"BENCH_STORE": "db", "BENCH_ALLAUTH": "1"},
            workers,
            cpus,
        ),
    ]


def main_servers(redis_url: str) -> list[ServerSpec]:
    """Return the servers of the main pass."""
    return [*django_servers(redis_url, 2, None, ""), ServerSpec("authjs", "authjs")]


MAIN_TARGETS = [
    Target(
        "useauth-db",
        "useauth /api/auth/session, db store",
        "django-db",
        USEAUTH_SESSION,
        "useauth",
    ),
    Target(
        "useauth-redis",
        "useauth /api/auth/session, Redis store (Django's RedisCache)",
        "django-redis",
        USEAUTH_SESSION,
        "useauth",
    ),
    Target(
        "useauth-redis-dr",
        "useauth /api/auth/session, Redis store (django-redis)",
        "django-redis-dr",
        USEAUTH_SESSION,
        "useauth",
    ),
    Target(
        "bearer-redis",
        "Bearer GET of an @auth_required view, Redis store (Django's RedisCache)",
        "django-redis",
        PROTECTED,
        "useauth-token",
        sql_free=True,
    ),
    Target(
        "bearer-redis-dr",
        "Bearer GET of an @auth_required view, Redis store (django-redis)",
        "django-redis-dr",
        PROTECTED,
        "useauth-token",
        sql_free=True,
    ),
    Target(
        "plain-db", "plain Django view, db store", "django-db", PLAIN_SESSION, "useauth"
    ),
    Target(
        "plain-redis",
        "plain Django view, Redis store (Django's RedisCache)",
        "django-redis",
        PLAIN_SESSION,
        "useauth",
    ),
    Target(
        "plain-redis-dr",
        "plain Django view, Redis store (django-redis)",
        "django-redis-dr",
        PLAIN_SESSION,
        "useauth",
    ),
    Target(
        "allauth-db",
        "allauth headless session, db store",
        "allauth-db",
        ALLAUTH_SESSION,
        "allauth",
    ),
    Target(
        "authjs", "Auth.js v5 /auth/session, JWT", "authjs", AUTHJS_SESSION, "authjs"
    ),
    Target(
        "untouched-mw",
        "view not reading request.auth, with AuthMiddleware",
        "django-db",
        UNTOUCHED,
        "useauth",
        False,
    ),
    Target(
        "untouched-no-mw",
        "same view, without AuthMiddleware",
        "django-db-no-mw",
        UNTOUCHED,
        "useauth",
        False,
        sign_in_server="django-db",
    ),
]


def pinned_servers(redis_url: str) -> list[ServerSpec]:
    """Return the servers of the pinned pass: each on CPU 0 with one worker."""
    django = [
        spec
        for spec in django_servers(redis_url, 1, "0", "-pinned")
        if spec.name
        in ("django-db-pinned", "django-redis-pinned", "django-redis-dr-pinned")
    ]
    return [*django, ServerSpec("authjs-pinned", "authjs", cpus="0")]


PINNED_TARGETS = [
    Target(
        "useauth-redis",
        "useauth /api/auth/session, Redis store (Django's RedisCache)",
        "django-redis-pinned",
        USEAUTH_SESSION,
        "useauth",
    ),
    Target(
        "useauth-redis-dr",
        "useauth /api/auth/session, Redis store (django-redis)",
        "django-redis-dr-pinned",
        USEAUTH_SESSION,
        "useauth",
    ),
    Target(
        "useauth-db",
        "useauth /api/auth/session, db store",
        "django-db-pinned",
        USEAUTH_SESSION,
        "useauth",
    ),
    Target(
        "plain-db",
        "plain Django view, db store",
        "django-db-pinned",
        PLAIN_SESSION,
        "useauth",
    ),
    Target(
        "authjs",
        "Auth.js v5 /auth/session, JWT",
        "authjs-pinned",
        AUTHJS_SESSION,
        "authjs",
    ),
]

#: The main-pass targets whose instructions per request callgrind counts.
INSTRUCTION_TARGETS = [
    "untouched-mw",
    "untouched-no-mw",
    "plain-db",
    "useauth-db",
    "useauth-redis",
    "useauth-redis-dr",
    "bearer-redis",
    "bearer-redis-dr",
]

#: Each Bearer target and the cookie read on the same server it is compared with.
BEARER_VS_COOKIE = {
    "bearer-redis": "useauth-redis",
    "bearer-redis-dr": "useauth-redis-dr",
}
