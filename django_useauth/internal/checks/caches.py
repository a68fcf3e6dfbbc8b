"""Which cache backend a ``CACHES`` alias names, and what that backend does."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from django_useauth.conf import conf

LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"
DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"
# Caches that each process has to itself.
LOCAL_CACHES = (LOCMEM_CACHE, DUMMY_CACHE)
# Caches that cull when full, and that several processes share (a local
# memory one draws W011 instead).
CULLING_CACHES = ("django.core.cache.backends.db.DatabaseCache", FILE_CACHE)


def cache_backend(alias: str) -> str:
    # The BACKEND of the cache `alias` names in CACHES, or "".
    caches_setting: dict[str, dict[str, Any]] = settings.CACHES
    backend: str = caches_setting.get(alias, {}).get("BACKEND", "")
    return backend


def throttle_cache_backend() -> str:
    alias: object = conf.THROTTLE_CACHE
    return cache_backend(alias) if isinstance(alias, str) else ""
