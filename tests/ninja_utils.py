"""What the django-ninja tests (tests/test_ninja_*.py) share: Ninja's answers and version.

The helpers that are not Ninja's own (the session's key, its lifetime, JSON
posts with a CSRF token) are in tests/utils.py, shared with the DRF tests.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

from django.contrib.auth.models import User
from django.test import override_settings

from tests.ninja_api import BEARER_TOKEN


def _release(text: str) -> tuple[int, ...]:
    """A version's release numbers: ``"1.7.1"`` is ``(1, 7, 1)``, ``"1.8.0rc1"`` ``(1, 8, 0)``."""
    match = re.match(r"\d+(?:\.\d+)*", text)
    assert match is not None, text
    return tuple(int(number) for number in match.group().split("."))


#: The installed django-ninja's release: ``(1, 7, 1)``.
NINJA_VERSION = _release(version("django-ninja"))

#: Settings of every django-ninja test class: the URLconf mounting tests/ninja_api.py.
NINJA_URLS = override_settings(ROOT_URLCONF="tests.urls_ninja")

#: Ninja's answer to a request no ``auth=`` callback accepted (status 401).
UNAUTHORIZED = {"detail": "Unauthorized"}

#: Ninja's answer to a cookie-authenticated unsafe request without the CSRF token (status 403).
CSRF_FAILED = {"detail": "CSRF check Failed"}

#: The header :class:`tests.ninja_api.BearerToken` accepts.
BEARER = {"Authorization": f"Bearer {BEARER_TOKEN}"}

#: What an operation with ``auth=[useauth, BearerToken()]`` (in either order) answers,
#: by the callback that accepted the request.
VIA_SESSION = {"via": "session", "status": "authenticated"}
VIA_BEARER = {"via": "bearer", "auth": {"token": BEARER_TOKEN}}


def described(session: object, last_refreshed_at: str | None) -> dict[str, Any]:
    """What ``describe()`` of tests/ninja_api.py answers signed in: ``request.auth`` is the request's ``AuthDetails``."""
    return {
        "type": "AuthDetails",
        "isGetAuth": True,
        "status": "authenticated",
        "data": session,
        "lastRefreshedAt": last_refreshed_at,
    }


def first_name(username: str = "ada") -> str:
    """The user's ``first_name`` as the database has it now."""
    return User.objects.get(username=username).first_name
