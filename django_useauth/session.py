"""The session object: what ``GET /api/auth/session`` returns and ``request.auth.data`` holds.

A signed-in session is ``{"user": {"name", "email", "image"}, "expires"}``, where
``expires`` is the instant the server-side session ends, as ISO-8601 UTC with
milliseconds (NextAuth's format). Its lifetime follows NextAuth's database
strategy: ``USEAUTH_MAX_AGE`` from sign-in, extended on a read at most once per
``USEAUTH_UPDATE_AGE``, and never past ``USEAUTH_ABSOLUTE_MAX_AGE`` after
sign-in when that is set.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from typing import TypedDict
from typing import cast

from django.utils import timezone

from django_useauth.callbacks import session_callback
from django_useauth.conf import conf

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

__all__ = [
    "REFRESHED_AT_KEY",
    "SIGNED_IN_AT_KEY",
    "Session",
    "SessionUser",
    "build_session",
    "format_expires",
    "ais_past_absolute_max_age",
    "is_past_absolute_max_age",
    "last_refreshed_at",
    "user_payload",
    "refresh_if_due",
    "start_session",
]

#: Session key holding when the server last refreshed this session (ISO-8601).
REFRESHED_AT_KEY = "_useauth_refreshed_at"

#: Session key holding when the session was signed in (ISO-8601), for
#: ``USEAUTH_ABSOLUTE_MAX_AGE``.
SIGNED_IN_AT_KEY = "_useauth_signed_in_at"


class SessionUser(TypedDict):
    """The ``user`` of a session, as NextAuth shapes it."""

    name: str | None
    email: str | None
    image: str | None


class Session(TypedDict):
    """A signed-in session, as NextAuth shapes it."""

    user: SessionUser
    expires: str


def format_expires(moment: datetime) -> str:
    """Return ``moment`` as NextAuth writes ``expires``: ``2026-12-27T03:40:39.871Z``."""
    return (
        moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def build_session(
    request: HttpRequest,
    user: AbstractBaseUser,
    *,
    trigger: Literal["read", "update"] = "read",
    new_session: Any = None,
    payload: SessionUser | None = None,
    expires: datetime | None = None,
) -> Session:
    """Return the session object for the signed-in ``user`` of ``request``.

    It is ``{"user": {"name", "email", "image"}, "expires"}``, passed through
    ``USEAUTH_SESSION_CALLBACK`` when one is configured. ``payload`` is the
    ``user`` part when it is known already (cached), so that ``user`` (which
    may be lazy) is not read; ``expires`` is the session's expiry when the
    caller has it already. Raise ``TypeError`` when the callback answers
    something other than a dict.
    """
    session: Session = {
        "user": payload if payload is not None else user_payload(user),
        "expires": format_expires(expires or request.session.get_expiry_date()),
    }
    callback = session_callback()
    if callback is None:
        return session
    shaped = callback(
        session=session,
        user=user,
        request=request,
        trigger=trigger,
        new_session=new_session,
    )
    if not isinstance(shaped, dict):
        raise TypeError(
            f"USEAUTH_SESSION_CALLBACK should return a dict; got {type(shaped).__name__}."
        )
    return cast(Session, shaped)


def user_payload(user: AbstractBaseUser) -> SessionUser:
    """Return the ``user`` part of the session object for ``user``."""
    get_full_name = getattr(user, "get_full_name", None)
    name = (get_full_name() if callable(get_full_name) else "") or user.get_username()
    email = getattr(user, user.get_email_field_name(), None) or None
    return {"name": name or None, "email": email, "image": None}


def start_session(session: SessionBase, now: datetime | None = None) -> None:
    """Give a freshly signed-in ``session`` its NextAuth lifetime.

    The expiry is stored as an absolute instant so that ``expires`` is the real
    end of the session on every backend, not "now plus the cookie age".
    """
    now = now or timezone.now()
    session[SIGNED_IN_AT_KEY] = now.isoformat()
    _extend(session, now)


def _extend(session: SessionBase, refreshed: datetime) -> None:
    # MAX_AGE from this refresh, cut at the absolute cap from sign-in.
    expiry = refreshed + conf.MAX_AGE
    cap = _absolute_expiry(session)
    session.set_expiry(expiry if cap is None else min(expiry, cap))
    session[REFRESHED_AT_KEY] = refreshed.isoformat()


def refresh_if_due(session: SessionBase, now: datetime | None = None) -> bool:
    """Extend the signed-in ``session`` if it was last refreshed ``USEAUTH_UPDATE_AGE`` ago or more.

    The new refresh time is the last one plus whole multiples of
    ``USEAUTH_UPDATE_AGE``, the latest not after now, and the session then
    lasts ``USEAUTH_MAX_AGE`` from it (but never past
    ``USEAUTH_ABSOLUTE_MAX_AGE`` after sign-in). Concurrent requests that find
    the same session due therefore all compute the same expiry and write the
    same values. A session signed in by other means (Django's admin, a plain
    ``login()``) has no refresh time yet and is treated as signed in now, on
    its first read. Return whether the session was changed; most reads
    change nothing and so write nothing.
    """
    refreshed = last_refreshed_at(session)
    now = now or timezone.now()
    update_age = conf.UPDATE_AGE
    if refreshed is None:
        start_session(session, now)
        return True
    if not update_age:
        _extend(session, now)
        return True
    elapsed = now - refreshed
    if elapsed < update_age:
        return False
    _extend(session, refreshed + (elapsed // update_age) * update_age)
    return True


def is_past_absolute_max_age(session: SessionBase, now: datetime | None = None) -> bool:
    """Return whether ``USEAUTH_ABSOLUTE_MAX_AGE`` has passed since ``session`` was signed in.

    Always ``False`` without the setting. The expiry is capped when it is set,
    so this matters for sessions from before the cap was configured or lowered.
    """
    cap = _absolute_expiry(session)
    return cap is not None and cap <= (now or timezone.now())


async def ais_past_absolute_max_age(
    session: SessionBase, now: datetime | None = None
) -> bool:
    """Async twin of :func:`is_past_absolute_max_age`."""
    absolute = conf.ABSOLUTE_MAX_AGE
    if absolute is None:
        return False
    signed_in = _instant(await session.aget(SIGNED_IN_AT_KEY))
    return signed_in is not None and signed_in + absolute <= (now or timezone.now())


def _absolute_expiry(session: SessionBase) -> datetime | None:
    # Without the setting, the session is not even read.
    absolute = conf.ABSOLUTE_MAX_AGE
    if absolute is None:
        return None
    signed_in = _instant(session.get(SIGNED_IN_AT_KEY))
    return None if signed_in is None else signed_in + absolute


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def last_refreshed_at(session: SessionBase) -> datetime | None:
    """Return when the server last gave ``session`` its lifetime (at sign-in or on an extension), if it did."""
    return _instant(session.get(REFRESHED_AT_KEY))
