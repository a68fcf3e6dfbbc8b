"""``request.user`` and ``request.auser()`` in step with the session's lifetime and sign-ins.

With ``USEAUTH_ABSOLUTE_MAX_AGE`` or ``SESSION_EXPIRE_AT_BROWSER_CLOSE``, a
session past its end reads as anonymous in every view, as ``request.auth``
does; after any ``login()`` or ``logout()``, ``request.auth`` reloads and
``request.auser()`` follows ``request.user``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.functional import SimpleLazyObject

from django_useauth.conf import conf
from django_useauth.internal.lifetime import ais_over
from django_useauth.internal.lifetime import is_over

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import _AnyUser
    from django.http import HttpRequest


# Whether requests need guard_user(): worked out once, not on every request
# (reading a setting that is not set costs Django an exception each time),
# and again when a setting it depends on changes (override_settings).
_GUARD_SETTINGS = frozenset(
    {"USEAUTH_ABSOLUTE_MAX_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE"}
)
_guards: list[bool] = []


def user_guard_needed() -> bool:
    """Return whether requests need :func:`guard_user`: with ``USEAUTH_ABSOLUTE_MAX_AGE`` or ``SESSION_EXPIRE_AT_BROWSER_CLOSE`` set."""
    if not _guards:
        _guards.append(
            conf.ABSOLUTE_MAX_AGE is not None
            or bool(settings.SESSION_EXPIRE_AT_BROWSER_CLOSE)
        )
    return _guards[0]


def guard_settings_changed(*, setting: str, **kwargs: Any) -> None:
    """Receiver of ``setting_changed``: work out again whether ``request.user`` is guarded."""
    if setting in _GUARD_SETTINGS:
        _guards.clear()


def guard_user(request: HttpRequest) -> None:
    """Make ``request.user`` and ``request.auser()`` answer anonymous for a session past its end, as ``request.auth`` does.

    Nothing is read until the user is.
    """
    # Needed because a browser-session cookie's session outlives its end in
    # the store (by up to SESSION_COOKIE_AGE after its last write), and so
    # does a session past USEAUTH_ABSOLUTE_MAX_AGE. Only with either setting:
    # it costs every request about 2% of a simple view's instructions
    # (docs/benchmarks.md).
    user = request.__dict__.get("user")
    if user is None:
        return  # no AuthenticationMiddleware (check useauth.E004)
    request.user = SimpleLazyObject(lambda: _within_lifetime(request, user))  # type: ignore[assignment]
    # AuthenticationMiddleware sets both.
    request.auser = partial(_awithin_lifetime, request, request.auser)


def _within_lifetime(request: HttpRequest, user: _AnyUser) -> _AnyUser:
    session = request.session
    if SESSION_KEY in session and is_over(session):
        session.flush()
        return anonymous()
    return user


async def _awithin_lifetime(
    request: HttpRequest, auser: Callable[[], Awaitable[_AnyUser]]
) -> _AnyUser:
    session = request.session
    if await session.ahas_key(SESSION_KEY) and await ais_over(session):
        await session.aflush()
        return anonymous()
    return await auser()


def anonymous() -> AnonymousUser:
    """Return a fresh ``AnonymousUser``."""
    # Imported late: this module is imported before the app registry is ready.
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def follow_request_user(request: HttpRequest) -> None:
    """Make ``request.auser()`` answer what ``request.user`` now is."""
    # After a sign-in, a sign-out or a session found past its end,
    # request.auser() answers what request.user now is. Django's alogin() and
    # alogout() set request.user only, and auser() would go on answering the
    # user it had cached (in a private attribute) before.
    if hasattr(request, "auser"):
        request.auser = partial(_current_user, request)


async def _current_user(request: HttpRequest) -> _AnyUser:
    user = request.user
    if isinstance(user, SimpleLazyObject):
        # Still the lazy user of AuthenticationMiddleware (user_logged_in sent
        # by code that did not set request.user): load it in a thread, as
        # Django's auser() would.
        await sync_to_async(lambda: user.is_authenticated)()
    return user
