"""What the attack tests share: the answers they expect, their requests, and a signed-out browser.

``session_key`` and ``post_json`` are tests/utils.py's, imported from here too.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.test import TestCase

from tests.utils import BASE
from tests.utils import FORM
from tests.utils import assert_json_headers
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import post_json as post_json
from tests.utils import session_key as session_key
from tests.utils import store

if TYPE_CHECKING:
    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

CREDENTIALS = "/api/auth/callback/credentials"
SESSION = "/api/auth/session"
SIGN_OUT = "/api/auth/signout"
CSRF = "/api/auth/csrf"
HOME = {"url": "http://testserver/"}
FAILED = {"url": f"{BASE}/error?error=CredentialsSignin&provider=credentials"}
THROTTLED = {"url": f"{BASE}/error?error=TooManyAttempts&provider=credentials"}
SIGN_IN_CSRF = {"url": f"{BASE}/signin?csrf=true"}
SIGN_OUT_CSRF = {"url": f"{BASE}/signout?csrf=true"}
WINDOW = 15 * 60
#: Every /api/auth route and the methods it allows.
ROUTES = {
    "/api/auth/csrf": "GET, HEAD",
    "/api/auth/providers": "GET, HEAD",
    "/api/auth/session": "GET, HEAD, POST",
    "/api/auth/signin": "GET, HEAD",
    "/api/auth/signin/credentials": "GET, HEAD, POST",
    "/api/auth/signin/github": "GET, HEAD, POST",
    "/api/auth/callback/credentials": "GET, HEAD, POST",
    "/api/auth/callback/github": "GET, HEAD, POST",
    "/api/auth/signin/email": "GET, HEAD, POST",
    "/api/auth/callback/email": "GET, HEAD, POST",
    "/api/auth/verify-request": "GET, HEAD",
    "/api/auth/signout": "GET, HEAD, POST",
    "/api/auth/error": "GET, HEAD",
    "/api/auth/_log": "POST",
    "/api/auth/openapi.json": "GET, HEAD",
}


class AttackTestCase(TestCase):
    """The user ada, and ``self.client``: a signed-out browser whose CSRF checks are real."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()


class TokenAttackTestCase(AttackTestCase):
    """The same, with the CSRF token ``self.client`` fetched first (``self.token``)."""

    token: str

    def setUp(self):
        super().setUp()
        self.token = csrf_token(self.client)


def plant_session(client: Client, **values: Any) -> str:
    """Save a server-side session holding ``values`` and give ``client`` its cookie."""
    session = store()
    session.update(values)
    session.save()
    key = session.session_key
    assert key is not None
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return key


def session_json(client: Client, **extra: Any) -> Any:
    """``GET /api/auth/session``: always 200."""
    response = client.get(SESSION, **extra)
    assert response.status_code == 200
    return response.json()


def post_credentials(
    client: Client,
    token: str | None,
    username: str,
    password: str = "wrong",
    *,
    json_mode: bool = True,
    ip: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    secure: bool = False,
    **extra: str,
) -> TestResponse:
    """``POST callback/credentials`` urlencoded, as next-auth/react sends it."""
    data = {"username": username, "password": password, **extra}
    if token is not None:
        data["csrfToken"] = token
    if json_mode:
        data["json"] = "true"
    response: TestResponse = client.post(
        CREDENTIALS,
        urlencode(data),
        content_type=FORM,
        REMOTE_ADDR=ip,
        secure=secure,
        headers=headers,
    )
    return response


def outcome(response: TestResponse) -> tuple[int, Any, str | None]:
    """What a throttled client learns: status, JSON body, Retry-After."""
    return response.status_code, response.json(), response.get("Retry-After")


def assert_json(response: Any, status: int, body: object) -> None:
    """A JSON answer: status, content type, nosniff and the whole body."""
    assert response.status_code == status
    assert_json_headers(response)
    assert response.json() == body


def assert_no_cors(response: TestResponse) -> None:
    assert not [
        name for name in response.headers if name.lower().startswith("access-control-")
    ]


def cached_middleware() -> list[str]:
    """MIDDLEWARE with Django's whole-site cache around it."""
    return [
        "django.middleware.cache.UpdateCacheMiddleware",
        *settings.MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]


@contextmanager
def frozen_time() -> Iterator[list[float]]:
    """Freeze ``time.time()`` (the throttle's clock, and a local-memory cache's); move it via ``[0]``."""
    now = [float(int(time.time()))]
    with mock.patch("time.time", lambda: now[0]):
        yield now
