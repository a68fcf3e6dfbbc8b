"""The session object: what ``GET /api/auth/session`` returns and ``request.auth.data`` holds.

A signed-in session is ``{"user": {"name", "email", "image"}, "expires"}``, where
``expires`` is the instant the server-side session ends, as ISO-8601 UTC with
milliseconds (NextAuth's format). Its lifetime follows NextAuth's database
strategy: ``USEAUTH_MAX_AGE`` from sign-in, extended on a read at most once per
``USEAUTH_UPDATE_AGE``.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import TypedDict

from django.utils import timezone

from django_useauth.conf import conf

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

__all__ = [
    "REFRESHED_AT_KEY",
    "Session",
    "SessionUser",
    "build_session",
    "format_expires",
    "last_refreshed_at",
    "refresh_if_due",
    "start_session",
]

#: Session key holding when the server last refreshed this session (ISO-8601).
REFRESHED_AT_KEY = "_useauth_refreshed_at"


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


def build_session(request: HttpRequest, user: AbstractBaseUser) -> Session:
    """Return the session object for the signed-in ``user`` of ``request``."""
    return {
        "user": _user_json(user),
        "expires": format_expires(request.session.get_expiry_date()),
    }


def _user_json(user: AbstractBaseUser) -> SessionUser:
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
    session.set_expiry(now + conf.MAX_AGE)
    session[REFRESHED_AT_KEY] = now.isoformat()


def refresh_if_due(session: SessionBase, now: datetime | None = None) -> bool:
    """Extend the signed-in ``session`` to ``USEAUTH_MAX_AGE`` from now if it was last refreshed ``USEAUTH_UPDATE_AGE`` ago.

    A session signed in by other means (Django's admin, a plain ``login()``)
    has no refresh time yet and is given its lifetime on its first read.
    Return whether the session was changed. Most reads change nothing and so
    write nothing.
    """
    refreshed = last_refreshed_at(session)
    now = now or timezone.now()
    if refreshed is not None and now - refreshed < conf.UPDATE_AGE:
        return False
    start_session(session, now)
    return True


def last_refreshed_at(session: SessionBase) -> datetime | None:
    """Return when the server last gave ``session`` its lifetime (at sign-in or on an extension), if it did."""
    value = session.get(REFRESHED_AT_KEY)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
