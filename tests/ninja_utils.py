"""Helpers shared by the django-ninja tests (tests/test_ninja_*.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.test import override_settings
from django.utils import timezone

from django_useauth.internal.lifetime import EXPIRES_AT_KEY
from django_useauth.internal.lifetime import SIGNED_IN_AT_KEY
from tests.utils import csrf_token
from tests.utils import store

#: Settings of every django-ninja test class: the URLconf mounting tests/ninja_api.py.
NINJA_URLS = override_settings(ROOT_URLCONF="tests.urls_ninja")

#: Ninja's answer to a request no ``auth=`` callback accepted (status 401).
UNAUTHORIZED = {"detail": "Unauthorized"}

#: Ninja's answer to a cookie-authenticated unsafe request without the CSRF token (status 403).
CSRF_FAILED = {"detail": "CSRF check Failed"}

#: The session callback that gives staff users the ``editor`` role.
ROLES_CALLBACK = "tests.ninja_utils.roles_session"

JSON = "application/json"


def roles_session(*, session, user, **kwargs):
    """``USEAUTH_SESSION_CALLBACK``: add ``roles`` to the session's user (``editor`` for staff)."""
    roles = ["editor"] if user.is_staff else []
    return {**session, "user": {**session["user"], "roles": roles}}


def post_json(client: Client, url: str, data: Any, **headers: str) -> Any:
    """POST ``data`` as JSON to ``url`` with the extra request ``headers``."""
    return client.post(url, json.dumps(data), content_type=JSON, headers=headers)


def post_with_csrf(client: Client, url: str, data: Any) -> Any:
    """POST ``data`` as JSON with ``X-CSRFToken`` from ``GET /api/auth/csrf``, as a script would."""
    return post_json(client, url, data, **{"X-CSRFToken": csrf_token(client)})


def first_name(username: str = "ada") -> str:
    """The user's ``first_name`` as the database has it now."""
    return User.objects.get(username=username).first_name


def session_key(client: Client) -> str:
    """The session cookie's value."""
    return client.cookies["sessionid"].value


def end_session_on_browser_close(client: Client) -> None:
    """Make ``client``'s session a browser-session cookie's whose server-side end has passed.

    The store keeps such a session (``SESSION_COOKIE_AGE`` after its last
    write), so only the reader's own check can end it.
    """
    session = store(session_key(client))
    session.set_expiry(0)
    session[EXPIRES_AT_KEY] = (timezone.now() - timedelta(seconds=1)).isoformat()
    session.save()


def signed_in_days_ago(client: Client, days: int) -> None:
    """Move ``client``'s sign-in instant ``days`` back (for ``USEAUTH_ABSOLUTE_MAX_AGE``)."""
    session = store(session_key(client))
    session[SIGNED_IN_AT_KEY] = (timezone.now() - timedelta(days=days)).isoformat()
    session.save()
