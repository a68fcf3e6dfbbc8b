"""Helpers shared by the tests."""

from __future__ import annotations

import json
import os
import re
import tempfile
import unittest
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import timedelta
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.management import call_command
from django.http import HttpRequest
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.test import RequestFactory
from django.test import override_settings
from django.utils import timezone

from django_useauth.internal.lifetime import EXPIRES_AT_KEY
from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from django_useauth.internal.lifetime import SIGNED_IN_AT_KEY
from django_useauth.middleware import AuthMiddleware

if TYPE_CHECKING:
    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

PASSWORD = "correct horse battery staple"

#: The /api/auth routes as the test client's requests (host ``testserver``) see them.
BASE = "http://testserver/api/auth"

FORM = "application/x-www-form-urlencoded"

JSON = "application/json"

#: The backend of a ``login()`` or ``force_login()`` outside our sign-in.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

#: The ``USEAUTH_SESSION_CALLBACK`` that adds ``roles`` to the session's user (``editor`` for staff).
ROLES_CALLBACK = "tests.callbacks.session_with_roles"

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


def signed_in_client(username: str = "ada") -> Client:
    """A :func:`csrf_client` signed in as ``username`` (who must exist) by :func:`sign_in`."""
    client = csrf_client()
    sign_in(client, username)
    return client


def csrf_headers(client: Client) -> dict[str, str]:
    """An ``X-CSRFToken`` header with the token of ``GET /api/auth/csrf``, as a script sends it."""
    return {"X-CSRFToken": csrf_token(client)}


def post_json(client: Client, url: str, data: object, **extra: Any) -> TestResponse:
    """POST ``data`` as JSON to ``url``; ``extra`` goes to the test client (``headers=``, ``secure=``, ``REMOTE_ADDR=``)."""
    response: TestResponse = client.post(
        url, json.dumps(data), content_type=JSON, **extra
    )
    return response


def post_with_csrf(client: Client, url: str, data: object) -> TestResponse:
    """POST ``data`` as JSON with the :func:`csrf_headers`, as a script would."""
    return post_json(client, url, data, headers=csrf_headers(client))


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
    thief = signed_in_client(username)
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


def session_key(client: Client) -> str:
    """The key of ``client``'s session cookie (``SESSION_COOKIE_NAME``)."""
    key: str = client.cookies[settings.SESSION_COOKIE_NAME].value
    return key


def stored(client: Client) -> SessionBase:
    """``client``'s session as the store holds it now."""
    return store(session_key(client))


def session_exists(key: str) -> bool:
    """Whether the store still holds the session ``key``."""
    return store().exists(key)


def refreshed_at(client: Client, when: datetime) -> None:
    """Make ``client``'s session look last refreshed at ``when``: its expiry ``USEAUTH_MAX_AGE`` (30 days) from then.

    Refreshed ``USEAUTH_UPDATE_AGE`` (a day) ago or more, it is due: the next
    read extends it.
    """
    session = stored(client)
    session.set_expiry(when + timedelta(days=30))
    session[REFRESHED_AT_KEY] = when.isoformat()
    session.save()


def signed_in_ago(client: Client, by: timedelta) -> None:
    """Make ``client``'s session look signed in ``by`` ago (for ``USEAUTH_ABSOLUTE_MAX_AGE``)."""
    session = stored(client)
    session[SIGNED_IN_AT_KEY] = (timezone.now() - by).isoformat()
    session.save()


def past_its_end(client: Client) -> None:
    """Make ``client``'s session a browser-session cookie's one whose server-side end has passed.

    Refreshed 31 days ago, it ended a day ago; the store keeps it (its own
    expiry, ``SESSION_COOKIE_AGE`` after this write, is still ahead): only
    the end kept in the session says it is over.
    """
    session = stored(client)
    session.set_expiry(0)
    old = timezone.now() - timedelta(days=31)
    session[REFRESHED_AT_KEY] = old.isoformat()
    session[EXPIRES_AT_KEY] = (old + timedelta(days=30)).isoformat()
    session.save()


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


@contextmanager
def collected_static(static_url: str) -> Iterator[Path]:
    """``ManifestStaticFilesStorage`` at ``static_url``, its fresh ``STATIC_ROOT`` filled by a real ``collectstatic``; that root.

    The static URLs then name the hashed copies that ``collectstatic`` wrote
    (``useauth.<12 hex digits>.js``).
    """
    with (
        tempfile.TemporaryDirectory(prefix="useauth-static-") as directory,
        override_settings(
            STATIC_ROOT=Path(directory),
            STATIC_URL=static_url,
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {
                    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
                },
            },
        ),
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield Path(directory)


def skip_or_fail(reason: str | None, *, tests: str, env: str) -> None:
    """Skip the calling test (class) with ``reason`` printed, or fail where the environment variable ``env`` is ``1`` (CI); nothing if ``reason`` is ``None``.

    ``tests`` names what cannot run, for the messages: "browser tests skipped:
    …", "The browser tests must run here, but: …".
    """
    if reason is None:
        return
    if os.environ.get(env) == "1":
        raise RuntimeError(f"The {tests} must run here, but: {reason}")
    raise unittest.SkipTest(f"{tests} skipped: {reason}")


def build_request(cookies: dict[str, str] | None = None) -> Any:
    """A POST request from 10.1.1.1 through the session, auth and ``AuthMiddleware`` middleware: ``request.auth`` without a view."""
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.1.1")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthMiddleware(lambda r: HttpResponse())(request)
    return request
