"""Fixtures for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches

from django_useauth.internal import outages
from django_useauth.internal import stale_copies


@pytest.fixture(autouse=True)
def _empty_caches() -> Iterator[None]:
    # Sessions and the sign-in throttle's counts live in the caches; each test
    # starts without those of the tests before it.
    for cache in caches.all():
        cache.clear()
    # Outages, their cool-downs and the stale cache copies they left are
    # remembered per process: none of another test's.
    outages.reset()
    stale_copies.clear()
    yield
