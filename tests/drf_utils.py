"""Helpers shared by the DRF tests (tests/test_drf_*.py)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http.response import HttpResponseBase
from django.test import Client
from django.utils import timezone

from django_useauth.internal.lifetime import EXPIRES_AT_KEY
from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from django_useauth.internal.lifetime import SIGNED_IN_AT_KEY
from tests.utils import PASSWORD
from tests.utils import csrf_token
from tests.utils import store

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


def session_with_roles(*, session, user, **kwargs):
    """A ``USEAUTH_SESSION_CALLBACK`` that adds the user's roles: staff are editors."""
    roles = ["editor"] if user.is_staff else []
    return {**session, "user": {**session["user"], "roles": roles}}


def session_key(client: Client) -> str:
    """The key of ``client``'s session cookie."""
    key: str = client.cookies[settings.SESSION_COOKIE_NAME].value
    return key


def stored(client: Client) -> SessionBase:
    """``client``'s session as the store holds it now."""
    return store(session_key(client))


def session_exists(key: str) -> bool:
    """Whether the store still holds the session ``key``."""
    return store().exists(key)


def csrf_headers(client: Client) -> dict[str, str]:
    """An ``X-CSRFToken`` header with the token of ``GET /api/auth/csrf``."""
    return {"X-CSRFToken": csrf_token(client)}


def basic_auth(username: str = "ada", password: str = PASSWORD) -> dict[str, str]:
    """An ``Authorization: Basic`` header."""
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def age(client: Client, by: timedelta) -> str:
    """Make ``client``'s session look refreshed ``by`` ago (its expiry ``USEAUTH_MAX_AGE`` from then); return the old refresh time."""
    session = stored(client)
    old = timezone.now() - by
    session.set_expiry(old + timedelta(days=30))
    session[REFRESHED_AT_KEY] = old.isoformat()
    session.save()
    return old.isoformat()


def signed_in_long_ago(client: Client, by: timedelta) -> None:
    """Make ``client``'s session look signed in ``by`` ago (for ``USEAUTH_ABSOLUTE_MAX_AGE``)."""
    session = stored(client)
    session[SIGNED_IN_AT_KEY] = (timezone.now() - by).isoformat()
    session.save()


def past_its_end(client: Client) -> None:
    """Make ``client``'s session a browser-session cookie's one whose server-side end has passed.

    The store keeps it (its own expiry is still ahead); only the session's
    kept end says it is over.
    """
    session = stored(client)
    session.set_expiry(0)
    old = timezone.now() - timedelta(days=31)
    session[REFRESHED_AT_KEY] = old.isoformat()
    session[EXPIRES_AT_KEY] = (old + timedelta(days=30)).isoformat()
    session.save()


def detail(response: HttpResponseBase) -> Any:
    """The ``detail`` of a DRF error answer."""
    return response.json()["detail"]  # type: ignore[attr-defined]
