"""Deprecated: import sign_in_error_message from ``django_useauth.pages``.

This path (the text of a sign-in error code) is kept for one release and warns on use.
"""

from __future__ import annotations

from typing import Any

from django_useauth.internal.deprecation import moved

_NEW_HOMES = {
    "sign_in_error_message": "django_useauth.pages",
}


def __getattr__(name: str) -> Any:
    return moved(__name__, name, _NEW_HOMES)
