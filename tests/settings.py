from __future__ import annotations

import os
import tempfile
from pathlib import Path

SECRET_KEY = "django-useauth-tests-not-secret"

DEBUG = False

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        # A file, not memory, for the test database: Django shares an
        # in-memory database's one connection with the live servers' request
        # threads, which is not thread-safe and breaks when a kept-alive
        # request outlives its test class. With a file each thread connects.
        "TEST": {
            "NAME": str(
                Path(tempfile.gettempdir()) / f"useauth-tests-{os.getpid()}.sqlite3"
            )
        },
    }
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "social_django",
    "django_useauth",
    # Proxy and child user models (tests/models.py).
    "tests",
    # The API frameworks of django_useauth.rest_framework and .ninja.
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_useauth.middleware.AuthMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "django_useauth.backends.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "tests.urls"

# LOGIN_URL stays Django's default, which tests/urls.py does not serve: the
# tests check that Django's own redirect to it is left alone
# (tests/test_views_login_required.py), so its check is expected to fire.
SILENCED_SYSTEM_CHECKS = ["useauth.W022"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django_useauth.context_processors.auth",
            ],
        },
    }
]

# Sessions on the cache engine use their own alias, so that the store tests
# can point it at Redis (tests/settings_services.py) without touching the rest.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "sessions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sessions",
    },
}

SESSION_CACHE_ALIAS = "sessions"

# Fast hashing keeps the suite quick; the hasher-count tests do not depend on it.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Django 6.1 wants mailers named (the test runner makes each one local memory);
# older versions ignore the setting and use EMAIL_BACKEND.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

STATIC_URL = "/static/"

USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# DRF's defaults (SessionAuthentication, BasicAuthentication) stay, so that the
# tests also see DRF as a project that does not use our classes has it;
# drf-spectacular describes the DRF test views.
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
