"""The session cache copies this process could not update or delete.

The ``cached_db`` engine (:mod:`django_useauth.sessions.cached_db`) writes
each session to the database, then copies it into the cache. When the cache
cannot be reached, the copy it holds (if it kept its data through the outage)
is older than the row: the engine remembers its key here, and deletes every
remembered copy before it reads the cache again, so a copy older than its row
is never served by this process. Per process: a copy remembered by another
server is deleted by that server, at its next use of the cache.
"""

from __future__ import annotations

import threading

#: The most keys remembered; the oldest are forgotten first.
MAX_KEYS = 100_000

_lock = threading.Lock()
# Cache keys (with their prefix) in insertion order, each with the number of
# its last remembering: a key remembered again while its copy was being
# deleted stays remembered.
_keys: dict[str, int] = {}
_count = 0


def remember(cache_key: str) -> None:
    """Remember that the copy under ``cache_key`` may be older than its row."""
    global _count
    with _lock:
        _count += 1
        _keys.pop(cache_key, None)
        _keys[cache_key] = _count
        while len(_keys) > MAX_KEYS:
            del _keys[next(iter(_keys))]


def keys() -> dict[str, int]:
    """Return the remembered keys, each with the number of its remembering (for :func:`forget`)."""
    with _lock:
        return dict(_keys)


def forget(remembered: dict[str, int]) -> None:
    """Forget the keys of ``remembered`` (from :func:`keys`) whose copies were deleted, unless remembered again since."""
    with _lock:
        for cache_key, number in remembered.items():
            if _keys.get(cache_key) == number:
                del _keys[cache_key]


def clear() -> None:
    """Forget every key (for tests)."""
    with _lock:
        _keys.clear()
