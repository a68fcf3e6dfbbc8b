"""System checks. Every message has an id (``useauth.E0NN`` / ``W0NN``), listed in ``docs/checks.md``.

One function per concern, each registered with its tags in ``apps.py``; they
live in ``django_useauth.internal.checks``, one module per concern. The
``USEAUTH_*`` settings are read through ``conf``: its properties, or
``conf.configured()`` where the check needs the value exactly as written.
"""

from __future__ import annotations

from django_useauth.internal.checks.callbacks import check_callbacks
from django_useauth.internal.checks.credentials import check_credentials
from django_useauth.internal.checks.deploy import check_deploy
from django_useauth.internal.checks.deploy import check_proxy
from django_useauth.internal.checks.lifetimes import check_lifetimes
from django_useauth.internal.checks.middleware import check_middleware
from django_useauth.internal.checks.openapi import check_openapi
from django_useauth.internal.checks.pages import check_pages
from django_useauth.internal.checks.providers import check_providers
from django_useauth.internal.checks.redirects import check_urls
from django_useauth.internal.checks.sessions import check_browser_sessions
from django_useauth.internal.checks.sessions import check_session_cache
from django_useauth.internal.checks.sessions import check_session_engine
from django_useauth.internal.checks.templates import check_templates
from django_useauth.internal.checks.throttle import check_throttle
from django_useauth.internal.checks.throttle import check_throttle_settings

__all__ = [
    "check_browser_sessions",
    "check_callbacks",
    "check_credentials",
    "check_deploy",
    "check_lifetimes",
    "check_middleware",
    "check_openapi",
    "check_pages",
    "check_providers",
    "check_proxy",
    "check_session_cache",
    "check_session_engine",
    "check_templates",
    "check_throttle",
    "check_throttle_settings",
    "check_urls",
]
