"""Deprecated: import Session and SessionUser from ``django_useauth.middleware``.

This path (the session object's types) is kept for one release and warns on use.
"""

from __future__ import annotations

from typing import Any

from django_useauth.internal.deprecation import moved

_NEW_HOMES = {
    "Session": "django_useauth.middleware",
    "SessionUser": "django_useauth.middleware",
}


def __getattr__(name: str) -> Any:
    return moved(__name__, name, _NEW_HOMES)
