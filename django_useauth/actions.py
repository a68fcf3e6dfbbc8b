"""Deprecated: import SignInResult and SignOutResult from ``django_useauth.middleware``.

This path (the results of request.auth.sign_in() and sign_out()) is kept for one release and warns on use.
"""

from __future__ import annotations

from typing import Any

from django_useauth.internal.deprecation import moved

_NEW_HOMES = {
    "SignInResult": "django_useauth.middleware",
    "SignOutResult": "django_useauth.middleware",
}


def __getattr__(name: str) -> Any:
    return moved(__name__, name, _NEW_HOMES)
