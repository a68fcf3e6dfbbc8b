"""Helpers shared by the tests."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.http.response import HttpResponseBase
from django.test import Client

PASSWORD = "correct horse battery staple"

#: The ``Cache-Control`` of every auth response (Django's ``never_cache``).
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"

#: A session's ``expires``, as NextAuth writes it: UTC, to the millisecond.
EXPIRES_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")

#: Settings for a GitHub OAuth provider beside ModelBackend.
GITHUB = {
    "AUTHENTICATION_BACKENDS": [
        "social_core.backends.github.GithubOAuth2",
        "django.contrib.auth.backends.ModelBackend",
    ],
    "SOCIAL_AUTH_GITHUB_KEY": "gh-client",
    "SOCIAL_AUTH_GITHUB_SECRET": "gh-secret",
}


def make_user(username: str = "ada", **extra: Any) -> User:
    """Create a user with the password :data:`PASSWORD`."""
    extra.setdefault("email", f"{username}@example.com")
    extra.setdefault("first_name", "Ada")
    extra.setdefault("last_name", "Lovelace")
    return User.objects.create_user(username, password=PASSWORD, **extra)


def csrf_token(client: Client) -> str:
    """Fetch a CSRF token the way NextAuth clients do: ``GET /api/auth/csrf``."""
    token: str = client.get("/api/auth/csrf").json()["csrfToken"]
    return token


def sign_in(
    client: Client, username: str = "ada", password: str = PASSWORD, **extra: str
) -> Any:
    """Sign ``client`` in through ``POST /api/auth/callback/credentials`` in JSON mode."""
    data = {
        "csrfToken": csrf_token(client),
        "username": username,
        "password": password,
        "json": "true",
        **extra,
    }
    return client.post("/api/auth/callback/credentials", data)


def csrf_client() -> Client:
    """A test client that really checks CSRF (Django's default client does not)."""
    return Client(enforce_csrf_checks=True)


def attempt_sign_in(
    username: str,
    password: str = "wrong",
    *,
    ip: str = "127.0.0.1",
    forwarded: str | None = None,
    **fields: str,
) -> int:
    """One credentials sign-in from a new browser at ``ip`` (through a proxy: ``forwarded``); its status."""
    client = csrf_client()
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    data = {
        "csrfToken": csrf_token(client),
        "username": username,
        "password": password,
        "json": "true",
        **fields,
    }
    status: int = client.post(
        "/api/auth/callback/credentials", data, headers=headers, REMOTE_ADDR=ip
    ).status_code
    return status


def read_session(client: Client) -> Any:
    """``GET /api/auth/session``'s JSON for ``client``."""
    return client.get("/api/auth/session").json()


def stolen_session(username: str = "ada") -> Client:
    """A signed-in client, as a stolen copy of the cookie; its session read once (which caches its payload)."""
    thief = csrf_client()
    sign_in(thief, username)
    assert read_session(thief) != {}
    return thief


def assert_never_cached(response: HttpResponseBase) -> None:
    """Stored by no browser and no shared cache: ``never_cache``, and ``Vary: Cookie``."""
    assert response["Cache-Control"] == NEVER_CACHE
    assert "Cookie" in [part.strip() for part in response["Vary"].split(",")]
    assert response.has_header("Expires")


def assert_json_headers(response: HttpResponseBase) -> None:
    """The headers of every JSON answer: its content type, and no sniffing."""
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
