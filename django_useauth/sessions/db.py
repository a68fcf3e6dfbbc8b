"""Django's ``db`` session engine, answering ``503`` rather than "signed out" when the database is down.

``SESSION_ENGINE = "django_useauth.sessions.db"`` is a drop-in replacement for
``django.contrib.sessions.backends.db``: the same table, rows and queries.
While the database cannot be reached, every read and write raises
:class:`~django_useauth.exceptions.StoreUnavailable`, which
``AuthMiddleware`` answers with a ``503``. Django's engine lets the error
through as a ``500`` from a read, and a failed save of an existing session
becomes a ``400`` that says the session was deleted by a concurrent request.
"""

from __future__ import annotations

from django_useauth.internal.session_database import DatabaseCalls

__all__ = ["SessionStore"]


class SessionStore(DatabaseCalls):
    """A database session store that tells an outage from a missing session."""

    def exists(self, session_key: str) -> bool:
        """Return whether the row exists; ``StoreUnavailable`` if the database cannot answer."""
        return self._db_exists(session_key)

    async def aexists(self, session_key: str) -> bool:
        """Async twin of :meth:`exists`."""
        return await self._adb_exists(session_key)

    def save(self, must_create: bool = False) -> None:
        """Save the session as Django does; ``StoreUnavailable`` if the database cannot answer."""
        if self.session_key is None:
            return self.create()
        self._db_save(must_create)
        return None

    async def asave(self, must_create: bool = False) -> None:
        """Async twin of :meth:`save`."""
        if self.session_key is None:
            return await self.acreate()
        await self._adb_save(must_create)
        return None

    def delete(self, session_key: str | None = None) -> None:
        """Delete the row; ``StoreUnavailable`` if the database cannot answer."""
        self._db_delete(session_key)

    async def adelete(self, session_key: str | None = None) -> None:
        """Async twin of :meth:`delete`."""
        await self._adb_delete(session_key)
