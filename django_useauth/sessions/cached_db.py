"""Django's ``cached_db`` session engine, without resurrected sessions, surviving its cache.

``SESSION_ENGINE = "django_useauth.sessions.cached_db"`` is a drop-in
replacement for ``django.contrib.sessions.backends.cached_db``: the same rows
and cache entries. It differs where Django's loses sessions:

- **No resurrection.** Django's engine copies a session into the cache after
  reading or writing it in the database; when a concurrent sign-out deletes
  the session in between, the copy outlives the deletion and keeps the cookie
  signed in. This one checks for the deletion's mark after each such copy
  (:mod:`django_useauth.internal.tombstones`) and takes it back.
- **The database is the store; the cache only speeds it up.** While the
  cache cannot be reached, reads and writes go to the database alone, and a
  failed cache write never fails the request (Django's engine fails every
  read, since it writes the copy back without a ``try``, and so signs
  everyone out). Each process remembers the keys whose copy it could not
  update, and deletes those copies before it reads the cache again, so a copy
  older than the row is not served when the cache comes back with its data.
- **A deletion needs the cache.** A sign-out must also delete the session's
  copy, or a cache that comes back with its data would serve it to the next
  request (on any server) as a live session: while the cache cannot be
  reached, deleting a session raises
  :class:`~django_useauth.exceptions.StoreUnavailable` (a ``503``, "try
  again") instead of half-deleting it.

While the database cannot be reached, reads the cache can answer are answered;
everything else raises ``StoreUnavailable``.

Reads served from the cache, the common case, cost what Django's do.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import UpdateError

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import outages
from django_useauth.internal import stale_copies
from django_useauth.internal.session_database import DatabaseCalls
from django_useauth.internal.tombstones import TombstoneMixin

__all__ = ["SessionStore"]


class SessionStore(TombstoneMixin, DatabaseCalls, cached_db.SessionStore):
    """A cached database session store whose cache copy never outlives a deletion, nor its cache."""

    def _cache_usable(self) -> bool:
        # Not during the cool-down after a failure, and only once the copies
        # this process owes a deletion are deleted.
        if outages.cooling_down(self.cache_store):
            return False
        stale = stale_copies.keys()
        if not stale:
            return True
        try:
            self._cache_call(lambda: self._cache.delete_many(list(stale)))
        except StoreUnavailable:
            return False
        stale_copies.forget(stale)
        return True

    async def _acache_usable(self) -> bool:
        if outages.cooling_down(self.cache_store):
            return False
        stale = stale_copies.keys()
        if not stale:
            return True
        try:
            await self._acache_call(lambda: self._cache.adelete_many(list(stale)))
        except StoreUnavailable:
            return False
        stale_copies.forget(stale)
        return True

    def _cached(self, get: Any) -> Any:
        # The cache's copy, or None: missing, unreadable, or a cache that
        # cannot answer (then the database answers).
        try:
            return self._cache_call(get)
        except Exception:
            return None

    async def _acached(self, aget: Any) -> Any:
        try:
            return await self._acache_call(aget)
        except Exception:
            return None

    def load(self) -> dict[str, Any]:
        """Load the session from its copy, else from the database (copying it when the cache answers)."""
        usable = self._cache_usable()
        if usable:
            data = self._cached(lambda: self._cache.get(self.cache_key))
            if data is not None:
                loaded: dict[str, Any] = data
                return loaded
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        if usable:
            return self._copy(data, self.get_expiry_age(expiry=row.expire_date))
        return data

    async def aload(self) -> dict[str, Any]:
        """Async twin of :meth:`load`."""
        usable = await self._acache_usable()
        if usable:
            key = await self.acache_key()
            data = await self._acached(lambda: self._cache.aget(key))
            if data is not None:
                loaded: dict[str, Any] = data
                return loaded
        row = await self._aget_session_from_db()
        if row and usable:
            age = await self.aget_expiry_age(expiry=row.expire_date)
            return await self._acopy(self.decode(row.session_data), age)
        return self.decode(row.session_data) if row else {}

    def _copy(self, data: dict[str, Any], age: int) -> dict[str, Any]:
        # Copy a row just read into the cache, unless it was deleted while it
        # was read: the copy is then taken back and the session is empty.
        key = self.session_key
        assert key is not None  # the row was found under it
        cache_key = self.cache_key_prefix + key
        try:
            self._cache_call(lambda: self._cache.set(cache_key, data, age))
            if not self._was_deleted(key):
                return data
            self._drop_copy(key)
        except StoreUnavailable:
            # The copy may or may not have landed: this process deletes it
            # before it reads the cache again.
            stale_copies.remember(cache_key)
            return data
        self._session_key = None
        return {}

    async def _acopy(self, data: dict[str, Any], age: int) -> dict[str, Any]:
        key = self.session_key
        assert key is not None
        cache_key = self.cache_key_prefix + key
        try:
            await self._acache_call(lambda: self._cache.aset(cache_key, data, age))
            if not await self._awas_deleted(key):
                return data
            await self._adrop_copy(key)
        except StoreUnavailable:
            stale_copies.remember(cache_key)
            return data
        self._session_key = None
        return {}

    def exists(self, session_key: str) -> bool:
        """Return whether the database holds ``session_key`` (the cache may have lost it)."""
        return self._db_exists(session_key)

    async def aexists(self, session_key: str) -> bool:
        """Async twin of :meth:`exists`."""
        return await self._adb_exists(session_key)

    def save(self, must_create: bool = False) -> None:
        """Save to the database, then the copy; raise ``UpdateError`` if the session was deleted meanwhile.

        A copy that cannot be written is remembered as stale (see the
        module's docstring); the request goes on.
        """
        if self.session_key is None:
            return self.create()
        existing = None if must_create else self.session_key
        self._db_save(must_create)
        cache_key = self.cache_key
        if not self._cache_usable():
            stale_copies.remember(cache_key)
            return None
        try:
            self._cache_call(
                lambda: self._cache.set(
                    cache_key,
                    self._session,  # type: ignore[attr-defined]  # not in django-stubs
                    self.get_expiry_age(),
                )
            )
            if existing is None or not self._was_deleted(existing):
                return None
            self._drop_copy(existing)
        except StoreUnavailable:
            stale_copies.remember(cache_key)
            return None
        raise UpdateError

    async def asave(self, must_create: bool = False) -> None:
        """Async twin of :meth:`save`."""
        if self.session_key is None:
            return await self.acreate()
        existing = None if must_create else self.session_key
        await self._adb_save(must_create)
        cache_key = await self.acache_key()
        if not await self._acache_usable():
            stale_copies.remember(cache_key)
            return None
        try:
            session = await self._aget_session()  # type: ignore[attr-defined]  # not in django-stubs
            age = await self.aget_expiry_age()
            await self._acache_call(lambda: self._cache.aset(cache_key, session, age))
            if existing is None or not await self._awas_deleted(existing):
                return None
            await self._adrop_copy(existing)
        except StoreUnavailable:
            stale_copies.remember(cache_key)
            return None
        raise UpdateError

    def delete(self, session_key: str | None = None) -> None:
        """Mark the key, delete the row, then the copy; ``StoreUnavailable`` if the cache cannot be reached.

        Without the cache nothing is deleted (the mark comes first). A copy
        that cannot be deleted after the row was is remembered as stale, and
        ``StoreUnavailable`` tells the caller the sign-out is not confirmed.
        """
        key = self.session_key if session_key is None else session_key
        if key is None:
            return
        # Before the deletion: a copy written after it then sees the mark.
        self._mark_deleted(key)
        try:
            self._db_delete(key)
        except StoreUnavailable:
            # The row is still there: without its mark again (best effort),
            # the session is as it was, and the sign-out can be asked again.
            with contextlib.suppress(StoreUnavailable):
                self._unmark(key)
            raise
        try:
            self._drop_copy(key)
        except StoreUnavailable:
            stale_copies.remember(self.cache_key_prefix + key)
            raise

    async def adelete(self, session_key: str | None = None) -> None:
        """Async twin of :meth:`delete`."""
        key = self.session_key if session_key is None else session_key
        if key is None:
            return
        await self._amark_deleted(key)
        try:
            await self._adb_delete(key)
        except StoreUnavailable:
            with contextlib.suppress(StoreUnavailable):
                await self._aunmark(key)
            raise
        try:
            await self._adrop_copy(key)
        except StoreUnavailable:
            stale_copies.remember(self.cache_key_prefix + key)
            raise
