"""The project's callbacks, like NextAuth's ``callbacks`` option.

Each is a function named by a dotted path in settings and called with keyword
arguments only (more may be added later, so accept ``**kwargs``):

``USEAUTH_SESSION_CALLBACK(*, session, user, request, trigger, new_session)``
    Return the session object to answer with (``session`` is the default one;
    add the user's id or roles, say). ``trigger`` is ``"read"`` on every
    session read, so keep it cheap, and ``"update"`` for ``POST
    /api/auth/session``, where ``new_session`` is the posted ``data``.
``USEAUTH_SIGN_IN_CALLBACK(*, user, provider, request)``
    Return ``True`` to allow the sign-in; ``False`` refuses it with
    ``AccessDenied``, a string refuses it with that error code.
``USEAUTH_REDIRECT_CALLBACK(*, url, base_url, request)``
    Return where to redirect instead of the built-in redirect policy; ``url``
    is the requested callbackUrl (or ``None``), ``base_url`` the site origin.
    Its answer must still be a path or an http(s) URL free of control
    characters, else the default callbackUrl is used.

A callback that raises never leaves a half-done state: see each caller.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

from django_useauth.conf import conf

# Logged under the name projects configure, whatever module holds the code.
logger = logging.getLogger("django_useauth.callbacks")

#: What a reason code returned by the sign-in callback may look like.
ERROR_CODE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


class SignInRefused(Exception):
    """The sign-in callback refused a sign-in; ``code`` is the NextAuth error code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Sign-in refused: {code}")
        self.code = code


@functools.cache
def _load(path: str) -> Callable[..., Any]:
    # Keyed by the setting's value, so override_settings needs no cache clearing.
    function: Callable[..., Any] = import_string(path)
    return function


def load_callback(path: str) -> Callable[..., Any]:
    """Return the function a dotted path in a setting names (imported once per path)."""
    return _load(path)


def session_callback() -> Callable[..., Any] | None:
    """Return the configured session callback, if any."""
    path = conf.SESSION_CALLBACK
    return _load(path) if path else None


def redirect_callback() -> Callable[..., Any] | None:
    """Return the configured redirect callback, if any."""
    path = conf.REDIRECT_CALLBACK
    return _load(path) if path else None


def sign_in_refusal(*, user: Any, provider: str, request: Any) -> str | None:
    """Ask the sign-in callback about ``user``; return ``None`` to allow, else the error code.

    A callback that raises refuses with ``AccessDenied`` (and is logged):
    nobody is signed in by a callback that failed.
    """
    path = conf.SIGN_IN_CALLBACK
    if not path:
        return None
    try:
        answer = _load(path)(user=user, provider=provider, request=request)
    except Exception:
        logger.exception("USEAUTH_SIGN_IN_CALLBACK raised; the sign-in is refused.")
        return "AccessDenied"
    if answer is True:
        return None
    if isinstance(answer, str) and ERROR_CODE_RE.fullmatch(answer):
        return answer
    return "AccessDenied"
