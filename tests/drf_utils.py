"""What the DRF tests (tests/test_drf_*.py) share: DRF's answers, and requests as DRF gets them.

The helpers that are not DRF's own (the session's key, its lifetime, CSRF
headers) are in tests/utils.py, shared with the django-ninja tests.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.auth import login
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.test import RequestFactory

from tests.utils import MODEL_BACKEND
from tests.utils import PASSWORD
from tests.utils import auth_request

#: Settings for the DRF tests' URLconf (tests/urls_drf.py).
DRF_URLS = {"ROOT_URLCONF": "tests.urls_drf"}

#: The ``WWW-Authenticate`` challenge of UseAuthAuthentication's ``401``.
CHALLENGE = 'Session realm="api"'

#: What a browser sends as ``Accept`` for a page.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

#: The ``detail`` of DRF's ``401`` when no class authenticated the request.
NOT_AUTHENTICATED = "Authentication credentials were not provided."

#: The ``detail`` of DRF's ``403`` when a permission refused the request.
NOT_PERMITTED = "You do not have permission to perform this action."

#: What a view of tests/drf_views.py that reads :func:`get_auth` answers signed
#: out, where no class authenticated the request (DRF leaves ``None`` in ``request.auth``).
SIGNED_OUT_GET_AUTH = {
    "requestAuth": "NoneType",
    "status": "unauthenticated",
    "data": None,
    "signedIn": False,
    "user": "",
}


def basic_auth(username: str = "ada", password: str = PASSWORD) -> dict[str, str]:
    """An ``Authorization: Basic`` header."""
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def detail(response: HttpResponseBase) -> Any:
    """The ``detail`` of a DRF error answer."""
    return response.json()["detail"]  # type: ignore[attr-defined]


def assert_challenged(response: HttpResponseBase, realm: str = "api") -> None:
    """DRF's ``401`` for a request no class authenticated, with our challenge."""
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == f'Session realm="{realm}"'
    assert detail(response) == NOT_AUTHENTICATED


def http_request(user: User | None = None, path: str = "/") -> HttpRequest:
    """A GET of ``path`` through the middleware, as DRF's ``Request`` wraps it; signed in as ``user`` if given."""
    request = auth_request(RequestFactory().get(path))
    if user is not None:
        login(request, user, backend=MODEL_BACKEND)
    return request


def assert_guard_csrf_refusal(response: Any) -> None:
    """An access guard's CSRF refusal, for a client that prefers JSON: DRF's words."""
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert detail(response) == "CSRF Failed: CSRF token missing."
