"""Helpers shared by the tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client

from django_useauth.middleware import AuthMiddleware

PASSWORD = "correct horse battery staple"

#: The /api/auth routes as the test client's requests (host ``testserver``) see them.
BASE = "http://testserver/api/auth"

FORM = "application/x-www-form-urlencoded"

#: The sign-in page's hidden ``callbackUrl`` field; its value.
HIDDEN_CALLBACK = re.compile(
    r'<input type="hidden" name="callbackUrl" value="([^"]*)">'
)

#: Django's masked CSRF token, as ``GET csrf`` answers it (NextAuth's is 64 hex characters).
TOKEN_RE = re.compile(r"[A-Za-z0-9]{64}")

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

#: Settings for a session engine whose sessions and user payloads live in the ``sessions`` cache.
CACHED_SESSIONS = {
    "SESSION_ENGINE": "django_useauth.sessions.cache",
    "USEAUTH_SESSION_CACHE": "sessions",
}


def user_cache_key(pk: object) -> str:
    """The cache key of a user's cached session payload."""
    return f"useauth:user:{pk}"


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


def store(key: str | None = None) -> SessionBase:
    """The configured engine's session store (for ``key``)."""
    engine = import_module(settings.SESSION_ENGINE)
    session: SessionBase = engine.SessionStore(key)
    return session


def auth_request(request: HttpRequest) -> HttpRequest:
    """``request`` through the session, authentication and useauth middleware, as a view gets it."""
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthMiddleware(lambda r: HttpResponse())(request)
    return request


def fake_oauth_success(user: User) -> Callable[..., HttpResponse]:
    """A ``do_complete`` that signs ``user`` in and ends on the flow's success URL."""

    def complete(backend: Any, login: Any, **kwargs: Any) -> HttpResponse:
        login(backend, user, None)
        response: HttpResponse = backend.strategy.redirect(
            backend.setting("LOGIN_REDIRECT_URL")
        )
        return response

    return complete
