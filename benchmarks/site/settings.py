"""Settings of the benchmark's Django project, chosen by environment variables.

Every Django server of the benchmark runs this module; what differs between
them is only the environment:

``BENCH_DB_PATH``
    The SQLite file (required; the runner makes a fresh one per server).
``BENCH_STORE``
    ``db`` (default): ``django.contrib.sessions.backends.db`` and no cache but
    local memory. ``redis``: the session engine :data:`REDIS_SESSION_ENGINE` on
    Redis (see ``BENCH_REDIS_CLIENT``), which also holds django-useauth's cached
    session payload (``USEAUTH_SESSION_CACHE``), so a session read runs no SQL.
``BENCH_REDIS_CLIENT``
    The Redis store's cache backend: ``django`` (default), Django's own
    ``RedisCache``, which builds a new ``redis.Redis`` client for every cache
    operation; or ``django-redis``, django-redis's ``RedisCache``, which keeps
    one per process.
``BENCH_REDIS_URL``, ``BENCH_CACHE_PREFIX``
    The Redis server and the key prefix of this run (default
    ``redis://127.0.0.1:6379/0`` and ``useauth-bench``).
``BENCH_AUTH_MIDDLEWARE``
    ``1`` (default) keeps ``django_useauth.middleware.AuthMiddleware`` in
    ``MIDDLEWARE``; ``0`` leaves it out, to measure what it costs.
``BENCH_ALLAUTH``
    ``1`` adds django-allauth with its headless API at ``/_allauth/``.

Token mode is on everywhere (``/api/token/``), with access tokens that
outlive a whole run (:data:`USEAUTH_TOKEN_ACCESS_LIFETIME`). Its revocation
list is in the ``default`` cache: Redis on the Redis store.
"""

from __future__ import annotations

import os
from datetime import timedelta

#: The session engine of the Redis store: Django's cache engine without its
#: sign-out race (docs/sessions.md#stores), with the same cost per read.
REDIS_SESSION_ENGINE = "django_useauth.sessions.cache"

#: The cache backends the Redis store can use (``BENCH_REDIS_CLIENT``).
REDIS_BACKENDS = {
    "django": "django.core.cache.backends.redis.RedisCache",
    "django-redis": "django_redis.cache.RedisCache",
}


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default) == "1"


STORE = os.environ.get("BENCH_STORE", "db")
if STORE not in ("db", "redis"):
    raise ValueError(f"BENCH_STORE should be 'db' or 'redis'; got {STORE!r}.")
REDIS_CLIENT = os.environ.get("BENCH_REDIS_CLIENT", "django")
if REDIS_CLIENT not in REDIS_BACKENDS:
    raise ValueError(
        f"BENCH_REDIS_CLIENT should be one of {sorted(REDIS_BACKENDS)}; got {REDIS_CLIENT!r}."
    )
AUTH_MIDDLEWARE = _flag("BENCH_AUTH_MIDDLEWARE", "1")
ALLAUTH = _flag("BENCH_ALLAUTH", "0")

DEBUG = False
SECRET_KEY = "useauth-benchmark-not-secret-" + "x" * 32
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "benchmarks.site.urls"
WSGI_APPLICATION = "benchmarks.site.wsgi.application"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "social_django",
    "django_useauth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_useauth.middleware.AuthMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if not AUTH_MIDDLEWARE:
    MIDDLEWARE.remove("django_useauth.middleware.AuthMiddleware")
    # Left out on purpose: this server measures the project without it.
    SILENCED_SYSTEM_CHECKS = ["useauth.E001"]

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

# The runner signs in once per pass and loads with the same access token
# until the pass ends, over ten minutes with the defaults (more on a busy
# machine): the default 15 minutes would leave too little margin.
USEAUTH_TOKEN_ACCESS_LIFETIME = timedelta(hours=2)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": ["django.template.context_processors.request"]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["BENCH_DB_PATH"],
        # A new connection per request, as the figures were taken.
        "CONN_MAX_AGE": 0,
    }
}

if STORE == "redis":
    CACHES = {
        "default": {
            "BACKEND": REDIS_BACKENDS[REDIS_CLIENT],
            "LOCATION": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX", "useauth-bench"),
        }
    }
    SESSION_ENGINE = REDIS_SESSION_ENGINE
    SESSION_CACHE_ALIAS = "default"
    USEAUTH_SESSION_CACHE = "default"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

if ALLAUTH:
    INSTALLED_APPS += ["allauth", "allauth.account", "allauth.headless"]
    MIDDLEWARE.append("allauth.account.middleware.AccountMiddleware")
    AUTHENTICATION_BACKENDS.append(
        "allauth.account.auth_backends.AuthenticationBackend"
    )
    ACCOUNT_LOGIN_METHODS = {"username"}
    ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
    ACCOUNT_EMAIL_VERIFICATION = "none"
    HEADLESS_ONLY = True
    HEADLESS_CLIENTS = ("browser",)
    HEADLESS_FRONTEND_URLS: dict[str, str] = {}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
