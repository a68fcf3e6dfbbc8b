"""Django's ``cached_db`` session engine, without resurrected sessions.

``SESSION_ENGINE = "django_useauth.sessions.cached_db"`` is a drop-in
replacement for ``django.contrib.sessions.backends.cached_db``. Django's engine
copies a session into the cache after reading or writing it in the database;
when a concurrent sign-out deletes the session in between, the copy outlives
the deletion and keeps the cookie signed in. This one checks for the
deletion's mark after each such copy (:mod:`django_useauth.internal.tombstones`)
and takes it back. Reads served from the cache, the common case, cost what
Django's do.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import cached_db

from django_useauth.internal.tombstones import TombstoneMixin

__all__ = ["SessionStore"]


class SessionStore(TombstoneMixin, cached_db.SessionStore):
    """A cached database session store whose cache copy never outlives a deletion."""

    # The key whose row the last load read from the database (a cache miss).
    _read_from_db: str | None = None

    def _get_session_from_db(self) -> Any:
        found = super()._get_session_from_db()  # type: ignore[misc]  # private, not in django-stubs
        self._read_from_db = self.session_key if found else None
        return found

    async def _aget_session_from_db(self) -> Any:
        found = await super()._aget_session_from_db()  # type: ignore[misc]  # private, not in django-stubs
        self._read_from_db = self.session_key if found else None
        return found

    def _db_read_key(self) -> str | None:
        return self._read_from_db

    def load(self) -> dict[str, Any]:
        """Load the session; one deleted while it was read from the database loads empty."""
        self._read_from_db = None
        data: dict[str, Any] = super().load()
        key = self._db_read_key()
        if key is not None and self._was_deleted(key):
            self._cache.delete(self.cache_key_prefix + key)
            self._session_key = None
            return {}
        return data

    async def aload(self) -> dict[str, Any]:
        """Async twin of :meth:`load`."""
        self._read_from_db = None
        data: dict[str, Any] = await super().aload()
        key = self._db_read_key()
        if key is not None and await self._awas_deleted(key):
            await self._cache.adelete(self.cache_key_prefix + key)
            self._session_key = None
            return {}
        return data
