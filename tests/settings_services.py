"""The test settings on real servers: PostgreSQL for the database, Redis for the session cache.

Selected with ``pytest --ds=tests.settings_services`` (``.ci/run`` does), with
``USEAUTH_TEST_DATABASE_URL`` (e.g. ``postgres://postgres@127.0.0.1:5432/useauth``)
and ``USEAUTH_TEST_REDIS_URL`` (e.g. ``redis://127.0.0.1:6379/15``) set. Both
are required: a missing server fails the run instead of skipping it.
"""

from __future__ import annotations

import os

import environ

from tests.settings import *  # noqa: F403

_env = environ.Env()

DATABASES = {"default": _env.db_url("USEAUTH_TEST_DATABASE_URL")}

# Both on Redis: the session cache and the default one, which holds the
# sign-in throttle's counts. One prefix per run, so that runs do not mix.
_redis = {
    **_env.cache_url("USEAUTH_TEST_REDIS_URL"),
    "KEY_PREFIX": f"useauth-test-{os.getpid()}",
}
CACHES = {"default": _redis, "sessions": _redis}
