"""Marks left in the session cache for deleted session keys.

Django's ``cache`` and ``cached_db`` engines check that a session exists and
then write it, in two steps (``cached_db`` writes its cache copy after the
database). A request that loaded a session before a concurrent sign-out
deleted it can therefore write it back after the deletion: the sign-out is
undone and a copied cookie works again. The engines of
``django_useauth.sessions`` close that window with :class:`TombstoneMixin`:
deleting a session first leaves a mark for its key in the shared session
cache, and a write that finds the mark after writing takes its write back and
raises ``UpdateError``, which ``SessionMiddleware`` answers as it does for
Django's own engines (``SessionInterrupted``, a 400).

The mark has to outlive only the requests that were running when the session
was deleted, so it expires after :data:`TOMBSTONE_TIMEOUT`.

Every cache call goes through :func:`django_useauth.internal.outages.call`:
a cache that cannot be reached raises ``StoreUnavailable``, never reads as a
missing mark or session.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import TypeVar

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.base import UpdateError

from django_useauth.internal import outages

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache

_T = TypeVar("_T")

#: Seconds a deleted session key stays marked: far longer than any request.
TOMBSTONE_TIMEOUT = 3600

_PREFIX = "django_useauth.sessions.deleted:"


class TombstoneMixin(SessionBase):
    """Mark deleted keys; take back a write that lands after its session's deletion.

    For stores with a session cache (``_cache``) whose entries are named
    ``cache_key_prefix + session_key``. Only writes of an existing session pay
    for it, with one cache ``GET``; reads and new sessions cost what they did.
    """

    _cache: BaseCache
    cache_key_prefix: str

    @property
    def cache_store(self) -> str:
        """The session cache's name in logs and outage records."""
        return outages.cache_store(settings.SESSION_CACHE_ALIAS)

    def _cache_call(self, function: Callable[[], _T]) -> _T:
        return outages.call(self.cache_store, function)

    async def _acache_call(self, function: Callable[[], Awaitable[_T]]) -> _T:
        return await outages.acall(self.cache_store, function)

    def _was_deleted(self, session_key: str) -> bool:
        return (
            self._cache_call(lambda: self._cache.get(_PREFIX + session_key)) is not None
        )

    async def _awas_deleted(self, session_key: str) -> bool:
        mark = await self._acache_call(lambda: self._cache.aget(_PREFIX + session_key))
        return mark is not None

    def _mark_deleted(self, session_key: str) -> None:
        self._cache_call(
            lambda: self._cache.set(_PREFIX + session_key, True, TOMBSTONE_TIMEOUT)
        )

    async def _amark_deleted(self, session_key: str) -> None:
        await self._acache_call(
            lambda: self._cache.aset(_PREFIX + session_key, True, TOMBSTONE_TIMEOUT)
        )

    def _unmark(self, session_key: str) -> None:
        self._cache_call(lambda: self._cache.delete(_PREFIX + session_key))

    async def _aunmark(self, session_key: str) -> None:
        await self._acache_call(lambda: self._cache.adelete(_PREFIX + session_key))

    def _drop_copy(self, session_key: str) -> None:
        self._cache_call(
            lambda: self._cache.delete(self.cache_key_prefix + session_key)
        )

    async def _adrop_copy(self, session_key: str) -> None:
        await self._acache_call(
            lambda: self._cache.adelete(self.cache_key_prefix + session_key)
        )

    def save(self, must_create: bool = False) -> None:
        """Save the session; raise ``UpdateError`` if it was deleted meanwhile, leaving it deleted."""
        existing = None if must_create else self.session_key
        save = super().save
        self._cache_call(lambda: save(must_create))
        if existing is not None and self._was_deleted(existing):
            self._drop_copy(existing)
            raise UpdateError

    async def asave(self, must_create: bool = False) -> None:
        """Async twin of :meth:`save`."""
        existing = None if must_create else self.session_key
        asave = super().asave
        await self._acache_call(lambda: asave(must_create))
        if existing is not None and await self._awas_deleted(existing):
            await self._adrop_copy(existing)
            raise UpdateError

    def delete(self, session_key: str | None = None) -> None:
        """Delete the session, marking its key first so that no running request can write it back.

        Raise ``StoreUnavailable``, having deleted nothing, when the cache
        cannot be reached for the mark.
        """
        key = self.session_key if session_key is None else session_key
        if key is not None:
            # Before the deletion: a write that lands after it then sees the mark.
            self._mark_deleted(key)
        delete = super().delete
        self._cache_call(lambda: delete(session_key))

    async def adelete(self, session_key: str | None = None) -> None:
        """Async twin of :meth:`delete`."""
        key = self.session_key if session_key is None else session_key
        if key is not None:
            await self._amark_deleted(key)
        adelete = super().adelete
        await self._acache_call(lambda: adelete(session_key))
