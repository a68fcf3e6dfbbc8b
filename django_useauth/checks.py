"""System checks. Every message has an id (``useauth.E0NN`` / ``W0NN``), listed in ``docs/checks.md``.

One function per concern, each registered with its tags in ``apps.py``; they
live in ``django_useauth.internal.checks``, grouped by concern. The
``USEAUTH_*`` settings are read through ``conf``: its properties, or
``conf.configured()`` where the check needs the value exactly as written.
"""

from __future__ import annotations

from django_useauth.internal.checks.backends import check_backends
from django_useauth.internal.checks.deploy import check_deploy
from django_useauth.internal.checks.deploy import check_proxy
from django_useauth.internal.checks.email import check_email
from django_useauth.internal.checks.installation import check_middleware
from django_useauth.internal.checks.installation import check_templates
from django_useauth.internal.checks.limits import check_throttle
from django_useauth.internal.checks.limits import check_throttle_settings
from django_useauth.internal.checks.outages import check_outage_settings
from django_useauth.internal.checks.outages import check_outages
from django_useauth.internal.checks.routing import check_endpoints
from django_useauth.internal.checks.session_store import check_browser_sessions
from django_useauth.internal.checks.session_store import check_session_cache
from django_useauth.internal.checks.session_store import check_session_engine
from django_useauth.internal.checks.settings import check_callbacks
from django_useauth.internal.checks.settings import check_credentials
from django_useauth.internal.checks.settings import check_lifetimes
from django_useauth.internal.checks.settings import check_openapi
from django_useauth.internal.checks.settings import check_pages
from django_useauth.internal.checks.settings import check_urls
from django_useauth.internal.checks.site import check_site
from django_useauth.internal.checks.social import check_providers
from django_useauth.internal.checks.tokens import check_tokens

__all__ = [
    "check_backends",
    "check_browser_sessions",
    "check_callbacks",
    "check_credentials",
    "check_deploy",
    "check_email",
    "check_endpoints",
    "check_lifetimes",
    "check_middleware",
    "check_openapi",
    "check_outage_settings",
    "check_outages",
    "check_pages",
    "check_providers",
    "check_proxy",
    "check_session_cache",
    "check_session_engine",
    "check_site",
    "check_templates",
    "check_throttle",
    "check_throttle_settings",
    "check_tokens",
    "check_urls",
]
