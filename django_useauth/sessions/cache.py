"""Django's ``cache`` session engine, without resurrected sessions.

``SESSION_ENGINE = "django_useauth.sessions.cache"`` is a drop-in replacement
for ``django.contrib.sessions.backends.cache``: the same cache entries and the
same reads (one cache ``GET``). Deleting a session marks its key, and a write
that lands after a concurrent deletion is taken back
(:mod:`django_useauth.internal.tombstones`), so a sign-out stays a sign-out.
"""

from __future__ import annotations

from django.contrib.sessions.backends import cache

from django_useauth.internal.tombstones import TombstoneMixin

__all__ = ["SessionStore"]


class SessionStore(TombstoneMixin, cache.SessionStore):
    """A cache session store whose writes never bring a deleted session back."""
