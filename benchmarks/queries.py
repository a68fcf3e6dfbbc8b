"""Count the SQL queries and Redis commands of one signed-in request, in-process.

Run as ``python -m benchmarks.queries --sign-in useauth PATH...`` with the
environment of one server (the runner passes it): the same settings module
and database. It signs in through Django's test client with CSRF checks on
(``useauth``: the credentials endpoint; ``token``: token mode's ``POST
/api/token/login``, whose access token then goes in ``Authorization: Bearer``
with no cookie; ``allauth``: the headless login; ``django``: Django's own
``login()``, for the server without ``AuthMiddleware``, whose ``/api/auth``
endpoints cannot answer), reads each
path once so that the session is in its steady state (the first read may
adopt the session or fill django-useauth's cached payload), then reads it
again inside ``CaptureQueriesContext`` while counting the Redis commands
sent. It prints ``{path: {"sql", "redis", "status", "signed_in"}}`` as JSON
(``signed_in``: the answer shows the account; always true for the view that
reads nothing). The count is of exactly the code gunicorn runs; only the
transport differs.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import django


@contextmanager
def _counting_redis_commands() -> Iterator[list[str]]:
    """Record the name of every command redis-py sends while the block runs."""
    from redis.client import Redis

    sent: list[str] = []
    original = Redis.execute_command

    def execute_command(self: Redis, *args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return original(self, *args, **options)  # type: ignore[no-untyped-call, unused-ignore]

    Redis.execute_command = execute_command  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        Redis.execute_command = original  # type: ignore[method-assign]


def _sign_in(client: Any, how: str) -> dict[str, str]:
    """Sign ``client`` in; return the headers each read must carry."""
    username = os.environ["BENCH_USERNAME"]
    password = os.environ["BENCH_PASSWORD"]
    if how == "token":
        answer = client.post(
            "/api/token/login",
            {"username": username, "password": password},
            content_type="application/json",
        )
        if answer.status_code != 200 or client.cookies:
            raise RuntimeError(
                f"token sign-in failed: {answer.status_code} {answer.content!r}"
            )
        return {"Authorization": f"Bearer {answer.json()['token']}"}
    if how == "django":
        # Django's own login(), for the server without AuthMiddleware.
        if not client.login(username=username, password=password):
            raise RuntimeError("Django's client.login() failed")
        return {}
    if how == "useauth":
        token = client.get("/api/auth/csrf").json()["csrfToken"]
        answer = client.post(
            "/api/auth/callback/credentials",
            {
                "csrfToken": token,
                "username": username,
                "password": password,
                "json": "true",
            },
        )
    else:
        client.get("/_allauth/browser/v1/auth/session")
        answer = client.post(
            "/_allauth/browser/v1/auth/login",
            {"username": username, "password": password},
            content_type="application/json",
            headers={"X-CSRFToken": client.cookies["csrftoken"].value},
        )
    if answer.status_code != 200:
        raise RuntimeError(f"sign-in failed: {answer.status_code} {answer.content!r}")
    return {}


def count(paths: list[str], how: str) -> dict[str, dict[str, int | bool]]:
    """Return the SQL queries and Redis commands of a steady-state signed-in GET of each path."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    headers = _sign_in(client, how)
    counts: dict[str, dict[str, int | bool]] = {}
    for path in paths:
        client.get(path, headers=headers)
        with (
            CaptureQueriesContext(connection) as queries,
            _counting_redis_commands() as sent,
        ):
            answer = client.get(path, headers=headers)
        counts[path] = {
            "sql": len(queries.captured_queries),
            "redis": len(sent),
            "status": answer.status_code,
            "signed_in": os.environ["BENCH_EMAIL"].encode() in answer.content
            or path.endswith("/untouched"),
        }
    return counts


def main() -> None:
    """Parse the arguments, count, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sign-in", choices=("useauth", "token", "allauth", "django"), required=True
    )
    parser.add_argument("paths", nargs="+")
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.site.settings")
    django.setup()
    print(json.dumps(count(arguments.paths, arguments.sign_in)))


if __name__ == "__main__":
    main()
