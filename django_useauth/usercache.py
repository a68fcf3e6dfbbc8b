"""A cached copy of each signed-in user's session payload: session reads without SQL.

Opt-in with ``USEAUTH_SESSION_CACHE``, the alias of a cache every app server
shares (Redis). A session read then takes the user's ``name``, ``email`` and
``image`` from the cache instead of loading the user from the database, so on
the ``cache`` session engine it runs no SQL at all.

An entry is written only after Django's own check of the session (the
backend is configured, ``backend.get_user()`` found the user, so an active
one with ``ModelBackend``, and the session's auth hash matches), and holds
that hash. A read uses it only while the session carries the same backend and
hash. Saving or deleting the user removes the entry (a password change, a
deactivation, a new name), and every entry expires after
``USEAUTH_SESSION_CACHE_TIMEOUT``, which bounds how long an edit that skips
``save()`` (a queryset ``update()``) can go unnoticed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.utils.crypto import constant_time_compare

from django_useauth.conf import conf

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

    from django_useauth.session import SessionUser

__all__ = ["acached_user", "cached_user", "forget_user", "remember_user"]


def _key(user_id: object) -> str:
    return f"useauth:user:{user_id}"


def _matches(
    entry: object, backend: object, session_hash: object
) -> SessionUser | None:
    if (
        isinstance(entry, dict)
        and isinstance(session_hash, str)
        and session_hash
        and entry.get("backend") == backend
        and constant_time_compare(entry.get("hash", ""), session_hash)
    ):
        user: SessionUser = entry["user"]
        return user
    return None


def _usable(user_id: object, backend: object) -> bool:
    return user_id is not None and backend in settings.AUTHENTICATION_BACKENDS


def cached_user(request: HttpRequest) -> SessionUser | None:
    """Return the cached ``user`` of the session object, if the cache holds one valid for the request's session.

    Without ``USEAUTH_SESSION_CACHE`` it returns ``None`` and reads nothing.
    """
    alias = conf.SESSION_CACHE
    if not alias:
        return None
    session = request.session
    user_id = session.get(SESSION_KEY)
    backend = session.get(BACKEND_SESSION_KEY)
    if not _usable(user_id, backend):
        return None
    return _matches(
        caches[alias].get(_key(user_id)), backend, session.get(HASH_SESSION_KEY)
    )


async def acached_user(request: HttpRequest) -> SessionUser | None:
    """Async twin of :func:`cached_user`."""
    alias = conf.SESSION_CACHE
    if not alias:
        return None
    session = request.session
    user_id = await session.aget(SESSION_KEY)
    backend = await session.aget(BACKEND_SESSION_KEY)
    if not _usable(user_id, backend):
        return None
    entry = await caches[alias].aget(_key(user_id))
    return _matches(entry, backend, await session.aget(HASH_SESSION_KEY))


def remember_user(session: SessionBase, user: Any, payload: SessionUser) -> None:
    """Cache ``payload`` for ``user``, whose session Django has just verified."""
    alias = conf.SESSION_CACHE
    if not alias or not hasattr(user, "get_session_auth_hash"):
        return
    entry = {
        "backend": session.get(BACKEND_SESSION_KEY),
        "hash": user.get_session_auth_hash(),
        "user": payload,
    }
    caches[alias].set(
        _key(user.pk), entry, timeout=conf.SESSION_CACHE_TIMEOUT.total_seconds()
    )


def forget_user(sender: object, instance: Any, **kwargs: Any) -> None:
    """Receiver of the user model's ``post_save`` and ``post_delete``: drop its cached payload."""
    alias = conf.SESSION_CACHE
    if alias:
        caches[alias].delete(_key(instance.pk))
