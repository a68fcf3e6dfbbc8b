"""Profile ``GET /api/auth/session`` on the Redis store, in-process.

``benchmarks/.venv/bin/python -m benchmarks.profile_session [REQUESTS]``
makes a fresh SQLite database and a Redis key prefix of its own, signs in
through the credentials endpoint with Django's test client, warms up, and
then sends ``REQUESTS`` (default 3000) signed-in session reads straight
through Django's WSGI handler twice: once under pyinstrument (its call tree
is printed, and saved as ``benchmarks/results/profile-session.html``) and
once under cProfile, which prints the 25 functions with the most own time and
then, by cumulative time, the functions of ``django_useauth`` and of Django's
middleware, sessions and auth, the code this benchmark is about. Needs Redis at ``BENCH_REDIS_URL``.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import uuid
from pathlib import Path

from benchmarks.instructions import _environ
from benchmarks.servers import ACCOUNT_ENV
from benchmarks.targets import REDIS_URL_DEFAULT
from benchmarks.targets import USEAUTH_SESSION

RESULTS = Path(__file__).resolve().parent / "results"
_OURS = (
    "django_useauth",
    "django/middleware",
    "django/contrib/sessions",
    "django/contrib/auth",
)


def _configure(directory: str) -> str:
    """Set the environment of a Redis-store server; return the key prefix."""
    prefix = f"useauth-profile-{uuid.uuid4().hex[:12]}"
    os.environ.update(ACCOUNT_ENV)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.site.settings",
            "BENCH_STORE": "redis",
            "BENCH_DB_PATH": str(Path(directory) / "profile.sqlite3"),
            "BENCH_REDIS_URL": os.environ.get("BENCH_REDIS_URL", REDIS_URL_DEFAULT),
            "BENCH_CACHE_PREFIX": prefix,
        }
    )
    return prefix


def _signed_in_cookie() -> str:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    token = client.get("/api/auth/csrf").json()["csrfToken"]
    client.post(
        "/api/auth/callback/credentials",
        {
            "csrfToken": token,
            "username": os.environ["BENCH_USERNAME"],
            "password": os.environ["BENCH_PASSWORD"],
        },
    )
    return "; ".join(
        f"{name}={morsel.value}" for name, morsel in client.cookies.items()
    )


def main() -> None:
    """Prepare, sign in, profile, print."""
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    with tempfile.TemporaryDirectory() as directory:
        prefix = _configure(directory)
        from benchmarks.site import prepare

        prepare.main()
        from django.core.cache import cache
        from django.core.wsgi import get_wsgi_application
        from pyinstrument import Profiler  # type: ignore[import-not-found, unused-ignore]

        application = get_wsgi_application()
        cookie = _signed_in_cookie()

        def read() -> None:
            body = application(
                _environ(USEAUTH_SESSION, ("Cookie", cookie)),
                lambda *a: None,  # type: ignore[arg-type]
            )
            content = b"".join(body)
            if os.environ["BENCH_EMAIL"].encode() not in content:
                raise RuntimeError(f"not signed in: {content!r}")

        try:
            for _ in range(200):
                read()
            profiler = Profiler(interval=0.0001)
            with profiler:
                for _ in range(requests):
                    read()
            print(profiler.output_text(unicode=True, color=False))
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / "profile-session.html").write_text(profiler.output_html())

            tracer = cProfile.Profile()
            tracer.enable()
            for _ in range(requests):
                read()
            tracer.disable()
            stats = pstats.Stats(tracer)
            print(f"calls per request: {stats.total_calls / requests:.0f}")  # type: ignore[attr-defined]
            out = io.StringIO()
            ordered = pstats.Stats(tracer, stream=out).sort_stats("tottime")
            ordered.print_stats(25)  # everything, by own time
            ordered.sort_stats("cumulative").print_stats("|".join(_OURS), 40)
            print(out.getvalue())
        finally:
            # The keys already carry the prefix: delete them on the client.
            client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
            for key in client.scan_iter(match=f"{prefix}:*"):
                client.delete(key)


if __name__ == "__main__":
    main()
