"""The session object: what ``GET /api/auth/session`` returns and ``request.auth.data`` holds.

A signed-in session is ``{"user": {"name", "email", "image"}, "expires"}``, where
``expires`` is the instant the server-side session ends, as ISO-8601 UTC with
milliseconds (NextAuth's format). Its lifetime follows NextAuth's database
strategy: ``USEAUTH_MAX_AGE`` from sign-in, extended on a read at most once per
``USEAUTH_UPDATE_AGE``, and never past ``USEAUTH_ABSOLUTE_MAX_AGE`` after
sign-in when that is set.

A session whose cookie ends with the browser (``SESSION_EXPIRE_AT_BROWSER_CLOSE``,
or the session's own ``set_expiry(0)``) keeps that cookie: its server-side
end is kept in the session (``EXPIRES_AT_KEY``) instead of as Django's
expiry date, which would make the cookie persistent.
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

from django_useauth.conf import conf
from django_useauth.internal.callbacks import session_callback

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest


#: Session key holding when the server last refreshed this session (ISO-8601).
REFRESHED_AT_KEY = "_useauth_refreshed_at"

#: Session key holding when the session was signed in (ISO-8601), for
#: ``USEAUTH_ABSOLUTE_MAX_AGE``.
SIGNED_IN_AT_KEY = "_useauth_signed_in_at"

#: Session key holding when a browser-session cookie's session ends on the
#: server (ISO-8601); other sessions keep it as Django's expiry date.
EXPIRES_AT_KEY = "_useauth_expires_at"


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
        "expires": format_expires(expires or session_end(request.session)),
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
    end of the session on every backend, not "now plus the cookie age": as
    Django's expiry date, or in ``EXPIRES_AT_KEY`` when the cookie ends with
    the browser.
    """
    now = now or timezone.now()
    session[SIGNED_IN_AT_KEY] = now.isoformat()
    _extend(session, now)


def stamp_sign_in(
    sender: object, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Receiver of ``user_logged_in``: note the sign-in instant, from which ``USEAUTH_ABSOLUTE_MAX_AGE`` counts.

    Every ``login()`` sends it, ours and any other code's (Django's admin, a
    project's own view), so a session signed in elsewhere is capped from its
    sign-in, not from its first read.
    """
    # Imported here: token_sign_in imports this module (through credentials).
    from django_useauth.internal.token_sign_in import is_token_sign_in

    session = getattr(request, "session", None)
    if session is not None and not is_token_sign_in(request):
        # Not for a token sign-in: it has no session, and must not start one.
        session[SIGNED_IN_AT_KEY] = timezone.now().isoformat()


def session_end(session: SessionBase) -> datetime:
    """Return the instant ``session`` ends on the server, which ``expires`` reports.

    For a browser-session cookie it is the instant kept in ``EXPIRES_AT_KEY``
    (once the session has one), otherwise Django's expiry date.
    """
    if session.get_expire_at_browser_close():
        return _end(session, session.get(EXPIRES_AT_KEY))
    return session.get_expiry_date()


async def asession_end(session: SessionBase) -> datetime:
    """Async twin of :func:`session_end`."""
    if await session.aget_expire_at_browser_close():
        return _end(session, await session.aget(EXPIRES_AT_KEY))
    return await session.aget_expiry_date()


def _end(session: SessionBase, kept: object) -> datetime:
    # A browser-session cookie's end: ours, or Django's until we gave it one
    # (the session is loaded by now, so this reads no store).
    return _instant(kept) or session.get_expiry_date()


def _extend(session: SessionBase, refreshed: datetime) -> None:
    # MAX_AGE from this refresh, cut at the absolute cap from sign-in.
    expiry = refreshed + conf.MAX_AGE
    cap = _absolute_expiry(session)
    end = expiry if cap is None else min(expiry, cap)
    if session.get_expire_at_browser_close():
        # An expiry date would make Django send a persistent cookie, against
        # SESSION_EXPIRE_AT_BROWSER_CLOSE or the session's own set_expiry(0).
        session[EXPIRES_AT_KEY] = end.isoformat()
    else:
        session.set_expiry(end)
    session[REFRESHED_AT_KEY] = refreshed.isoformat()


def refresh_if_due(session: SessionBase, now: datetime | None = None) -> bool:
    """Extend the signed-in ``session`` if it was last refreshed ``USEAUTH_UPDATE_AGE`` ago or more.

    The new refresh time is the last one plus whole multiples of
    ``USEAUTH_UPDATE_AGE``, the latest not after now, and the session then
    lasts ``USEAUTH_MAX_AGE`` from it (but never past
    ``USEAUTH_ABSOLUTE_MAX_AGE`` after sign-in). Concurrent requests that find
    the same session due therefore all compute the same expiry and write the
    same values. A session signed in by other means (Django's admin, a plain
    ``login()``) has no refresh time yet: its lifetime starts on its first
    read, while ``USEAUTH_ABSOLUTE_MAX_AGE`` keeps counting from the sign-in
    that :func:`stamp_sign_in` noted. Return whether the session was changed;
    most reads change nothing and so write nothing.
    """
    refreshed = last_refreshed_at(session)
    now = now or timezone.now()
    update_age = conf.UPDATE_AGE
    if refreshed is None:
        # A session signed in before the stamp existed counts from now.
        session.setdefault(SIGNED_IN_AT_KEY, now.isoformat())
        _extend(session, now)
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
    return _is_past(_absolute_expiry(session), now)


async def ais_past_absolute_max_age(
    session: SessionBase, now: datetime | None = None
) -> bool:
    """Async twin of :func:`is_past_absolute_max_age`."""
    if conf.ABSOLUTE_MAX_AGE is None:
        return False
    return _is_past(_cap(await session.aget(SIGNED_IN_AT_KEY)), now)


def is_over(
    session: SessionBase, now: datetime | None = None, *, end: datetime | None = None
) -> bool:
    """Return whether signed-in ``session`` is past its end or past ``USEAUTH_ABSOLUTE_MAX_AGE``.

    ``end`` is :func:`session_end` when the caller has it already.

    Stores drop a session at Django's expiry date themselves, but keep a
    browser-session cookie's session ``SESSION_COOKIE_AGE`` after its last
    write, and a session from before the cap was set or lowered until its
    own end: such a session must be ended by whoever reads it.
    """
    now = now or timezone.now()
    if end is None:
        end = session_end(session)
    return end <= now or (
        conf.ABSOLUTE_MAX_AGE is not None and is_past_absolute_max_age(session, now)
    )


async def ais_over(
    session: SessionBase, now: datetime | None = None, *, end: datetime | None = None
) -> bool:
    """Async twin of :func:`is_over`."""
    now = now or timezone.now()
    if end is None:
        end = await asession_end(session)
    return end <= now or (await ais_past_absolute_max_age(session, now))


def _is_past(cap: datetime | None, now: datetime | None) -> bool:
    return cap is not None and cap <= (now or timezone.now())


def _absolute_expiry(session: SessionBase) -> datetime | None:
    # Without the setting, the session is not even read.
    if conf.ABSOLUTE_MAX_AGE is None:
        return None
    return _cap(session.get(SIGNED_IN_AT_KEY))


def _cap(signed_in: object) -> datetime | None:
    # The end of USEAUTH_ABSOLUTE_MAX_AGE after the stored sign-in instant.
    absolute = conf.ABSOLUTE_MAX_AGE
    instant = _instant(signed_in)
    return None if absolute is None or instant is None else instant + absolute


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
