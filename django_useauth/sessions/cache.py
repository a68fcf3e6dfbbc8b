"""Django's ``cache`` session engine, without resurrected sessions or lost cookies.

``SESSION_ENGINE = "django_useauth.sessions.cache"`` is a drop-in replacement
for ``django.contrib.sessions.backends.cache``: the same cache entries and the
same reads (one cache ``GET``). Deleting a session marks its key, and a write
that lands after a concurrent deletion is taken back
(:mod:`django_useauth.internal.tombstones`), so a sign-out stays a sign-out.

A cache that cannot be reached raises
:class:`~django_useauth.exceptions.StoreUnavailable` (a ``503``) from every
read and write. Django's engine reads it as "no such session", which signs
the user out and makes ``SessionMiddleware`` delete the session cookie: when
Redis comes back with its data, that user has lost a session that still
exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import cache

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal.tombstones import TombstoneMixin

__all__ = ["SessionStore"]


class SessionStore(TombstoneMixin, cache.SessionStore):
    """A cache session store whose writes never bring a deleted session back."""

    def load(self) -> dict[str, Any]:
        """Load the session: ``{}`` (and a new key) if the cache has none, ``StoreUnavailable`` if it cannot answer."""
        return self._loaded(self._read(lambda: self._cache.get(self.cache_key)))

    async def aload(self) -> dict[str, Any]:
        """Async twin of :meth:`load`."""
        key = await self.acache_key()
        return self._loaded(await self._aread(lambda: self._cache.aget(key)))

    def _read(self, get: Any) -> Any:
        try:
            return self._cache_call(get)
        except StoreUnavailable:
            raise
        except Exception:
            # A key the cache cannot store (memcached's InvalidCacheKey) or
            # an entry it cannot decode: no session, as in Django's engine
            # (ticket #17810).
            return None

    async def _aread(self, aget: Any) -> Any:
        try:
            return await self._acache_call(aget)
        except StoreUnavailable:
            raise
        except Exception:
            return None

    def _loaded(self, data: Any) -> dict[str, Any]:
        if data is not None:
            loaded: dict[str, Any] = data
            return loaded
        self._session_key = None
        return {}

    def exists(self, session_key: str) -> bool:
        """Return whether the cache holds ``session_key``; ``StoreUnavailable`` if it cannot answer."""
        exists = super().exists
        return self._cache_call(lambda: exists(session_key))

    async def aexists(self, session_key: str) -> bool:
        """Async twin of :meth:`exists`."""
        aexists = super().aexists
        return await self._acache_call(lambda: aexists(session_key))
