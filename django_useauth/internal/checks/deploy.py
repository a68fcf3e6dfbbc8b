"""The ``manage.py check --deploy`` checks (W010–W012, W016–W018; W060 and W080–W083 from ``tokens`` and ``email``).

``USEAUTH_URL`` on https; a throttle cache that every process shares and that
no cull empties; ``USEAUTH_TRUSTED_PROXY_COUNT`` against the proxy settings.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Warning

from django_useauth.conf import conf
from django_useauth.internal.checks.email import check_email_deploy
from django_useauth.internal.checks.tokens import check_revocation_cache_shared
from django_useauth.internal.checks.values import CULLING_CACHES
from django_useauth.internal.checks.values import LOCMEM_CACHE
from django_useauth.internal.checks.values import throttle_cache_backend

#: Fewer entries than this let junk sign-ins (about four entries each) cull
#: the counts of a cache that evicts when full.
_MIN_THROTTLE_ENTRIES = 100_000


def _check_throttle_cache_shared() -> list[CheckMessage]:
    # W011: every process counts in the same cache.
    backend = throttle_cache_backend()
    if conf.THROTTLE_ENABLED is not True or backend != LOCMEM_CACHE:
        return []
    return [
        Warning(
            f"USEAUTH_THROTTLE_CACHE should name a cache shared by every process; "
            f"{conf.THROTTLE_CACHE!r} is {backend.rsplit('.', 1)[-1]}, so each process "
            "(and each gunicorn worker) counts failed sign-ins on its own.",
            hint="Point USEAUTH_THROTTLE_CACHE at a Redis, Memcached or database cache.",
            id="useauth.W011",
        )
    ]


def _check_throttle_capacity() -> list[CheckMessage]:
    # W018: Django's database and file caches (and local memory) cull entries
    # once they hold MAX_ENTRIES (300 by default), all of them with
    # CULL_FREQUENCY 0: an attacker who fills the cache with junk sign-ins
    # from other addresses erases an account's count.
    if (
        conf.THROTTLE_ENABLED is not True
        or throttle_cache_backend() not in CULLING_CACHES
    ):
        return []
    caches_setting: dict[str, dict[str, Any]] = settings.CACHES
    options: dict[str, object] = caches_setting[conf.THROTTLE_CACHE].get("OPTIONS", {})
    entries = options.get("MAX_ENTRIES", 300)
    culls_all = options.get("CULL_FREQUENCY", 3) == 0
    if not culls_all and (
        not isinstance(entries, int) or entries >= _MIN_THROTTLE_ENTRIES
    ):
        return []
    return [
        Warning(
            f"USEAUTH_THROTTLE_CACHE {conf.THROTTLE_CACHE!r} drops entries once it "
            f"holds MAX_ENTRIES ({entries!r}): sign-ins from other addresses can "
            "fill it and erase an account's count, and the limits no longer hold.",
            hint=f"Give the throttle a cache of its own with OPTIONS = "
            f"{{'MAX_ENTRIES': {_MIN_THROTTLE_ENTRIES * 10}, 'CULL_FREQUENCY': 3}} "
            "or more, or use Redis without eviction.",
            id="useauth.W018",
        )
    ]


def _check_url_deploy() -> list[CheckMessage]:
    # W010, W012: the site's canonical origin is set, on https.
    url: object = conf.URL
    if isinstance(url, str) and url.startswith("http://"):
        return [
            Warning(
                f"USEAUTH_URL should use https in production; got {url!r}.",
                hint="Serve the site over https and set USEAUTH_URL = 'https://…'.",
                id="useauth.W010",
            )
        ]
    if url:
        return []
    return [
        Warning(
            "USEAUTH_URL should be set in production to the site's canonical "
            "origin; without it every absolute URL is built from the request's "
            "Host (or X-Forwarded-Host) header, and GET /api/auth/providers and "
            "openapi.json are sent private and varying on it.",
            hint="Set USEAUTH_URL = 'https://example.com' (your site's origin).",
            id="useauth.W012",
        )
    ]


def check_deploy(**kwargs: Any) -> list[CheckMessage]:
    """W010–W012, W018, W060, W080–W083 (``--deploy``): an https ``USEAUTH_URL`` is set; throttle counts and token revocations every server shares, and no cull erases; sign-in e-mails that arrive."""
    return [
        *_check_throttle_cache_shared(),
        *_check_throttle_capacity(),
        *_check_url_deploy(),
        *check_revocation_cache_shared(),
        *check_email_deploy(),
    ]


def _behind_proxy() -> bool:
    return bool(
        getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        or getattr(settings, "USE_X_FORWARDED_HOST", False)
        or getattr(settings, "USE_X_FORWARDED_PORT", False)
    )


def check_proxy(**kwargs: Any) -> list[CheckMessage]:
    """W016, W017 (``--deploy``): the client address the sign-in limits count is the client's."""
    proxies: object = conf.TRUSTED_PROXY_COUNT
    if conf.THROTTLE_ENABLED is not True or not isinstance(proxies, int):
        return []
    if proxies == 0 and _behind_proxy():
        return [
            Warning(
                "USEAUTH_TRUSTED_PROXY_COUNT is 0, but SECURE_PROXY_SSL_HEADER or "
                "USE_X_FORWARDED_HOST/PORT says a proxy is in front of the site: every "
                "visitor then has the proxy's address, and USEAUTH_THROTTLE_IP_FAILURES "
                "failed sign-ins from anyone lock everyone out.",
                hint="Set USEAUTH_TRUSTED_PROXY_COUNT to the number of proxies that "
                "append to X-Forwarded-For (1 for one nginx; 2 for a CDN and a proxy). "
                "docs/security.md shows the usual deployments.",
                id="useauth.W016",
            )
        ]
    if proxies > 0 and not _behind_proxy():
        return [
            Warning(
                f"USEAUTH_TRUSTED_PROXY_COUNT is {proxies}, but no proxy is configured "
                "(SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST/PORT): a client that "
                "reaches the site directly writes X-Forwarded-For itself and picks a "
                "new address for every sign-in attempt.",
                hint="Set USEAUTH_TRUSTED_PROXY_COUNT = 0 when no proxy appends to "
                "X-Forwarded-For; behind a proxy, configure SECURE_PROXY_SSL_HEADER too.",
                id="useauth.W017",
            )
        ]
    return []
