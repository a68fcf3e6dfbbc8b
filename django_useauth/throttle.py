"""Brute-force and credential-stuffing limits on the credentials provider.

Failed sign-ins are counted in the cache (so several app servers share the
counts when the cache is Redis or Memcached), per account and per client IP,
in fixed windows of ``USEAUTH_THROTTLE_WINDOW``. Once either count reaches its
limit, sign-in with credentials is refused with ``TooManyAttempts`` until the
window ends, whatever the password: even the right one. A success clears the
account's own count, never the IP's or another account's.

The account is the posted identifying fields (not the password), compared the
way a lookup compares them: NFKC, then case-folded, so ``Alice``, ``alice``
and ``ａｌｉｃｅ`` share one count. Unknown accounts are counted like known ones,
so the limit reveals nothing. The client IP is ``REMOTE_ADDR``; the
``X-Forwarded-For`` header is used only with ``USEAUTH_TRUSTED_PROXY_COUNT``
set to the number of proxies that append to it.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from django.core.cache import caches

from django_useauth.conf import conf

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache
    from django.http import HttpRequest

__all__ = ["Throttle", "client_ip", "throttle_for"]

# The fields whose values never name an account (as Django hides them in
# user_login_failed).
_SECRET_FIELD = re.compile("api|token|key|secret|password|signature", re.IGNORECASE)
# Longer values are cut before NFKC, which can be slow on huge input.
_MAX_KEY_INPUT = 1024


def client_ip(request: HttpRequest) -> str:
    """Return the client's IP: ``REMOTE_ADDR``, or the entry ``USEAUTH_TRUSTED_PROXY_COUNT`` from the right of ``X-Forwarded-For``."""
    proxies = conf.TRUSTED_PROXY_COUNT
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    chain = [
        part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")
    ]
    chain = [part for part in chain if part]
    # Each trusted proxy appended the address it saw; the client's is the one
    # the outermost trusted proxy appended. Anything left of it is claimed by
    # the client and ignored.
    return chain[-proxies] if len(chain) >= proxies else remote


def _account(values: Mapping[str, Any]) -> str:
    parts = []
    for field in conf.CREDENTIALS_FIELDS:
        value = values.get(field)
        if _SECRET_FIELD.search(field) or not isinstance(value, str):
            continue
        parts.append(
            unicodedata.normalize("NFKC", value[:_MAX_KEY_INPUT]).casefold().strip()
        )
    return "\x00".join(parts)


def _digest(kind: str, value: str) -> str:
    # Hashed: cache keys must be short and safe, and must not hold usernames.
    return f"useauth:throttle:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


@dataclass(frozen=True)
class Throttle:
    """The counts of one sign-in attempt: its account and its client IP."""

    account_key: str
    ip_key: str

    @property
    def _cache(self) -> BaseCache:
        return caches[conf.THROTTLE_CACHE]

    def retry_after(self) -> int | None:
        """Return the seconds until sign-in is allowed again, or ``None`` if it is allowed now."""
        if not conf.THROTTLE_ENABLED:
            return None
        limits = {
            self.account_key: conf.THROTTLE_ACCOUNT_FAILURES,
            self.ip_key: conf.THROTTLE_IP_FAILURES,
        }
        counts: dict[str, float] = self._cache.get_many(
            [*limits, *(f"{key}:reset" for key in limits)]
        )
        waits = [
            counts.get(f"{key}:reset", 0.0) - time.time()
            for key, limit in limits.items()
            if counts.get(key, 0) >= limit
        ]
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def failed(self) -> None:
        """Count a failed sign-in for the account and the IP."""
        if not conf.THROTTLE_ENABLED:
            return
        window = conf.THROTTLE_WINDOW.total_seconds()
        cache = self._cache
        for key in (self.account_key, self.ip_key):
            # add() starts a window only if none is running; incr() is atomic
            # on Redis and Memcached, so concurrent failures are all counted.
            if cache.add(key, 0, timeout=window):
                cache.set(f"{key}:reset", time.time() + window, timeout=window)
            try:
                cache.incr(key)
            except ValueError:
                # The window ended between add() and incr(): start a new one.
                cache.set(key, 1, timeout=window)
                cache.set(f"{key}:reset", time.time() + window, timeout=window)

    def succeeded(self) -> None:
        """Clear the account's count after a sign-in (the IP's stays)."""
        if conf.THROTTLE_ENABLED:
            self._cache.delete_many([self.account_key, f"{self.account_key}:reset"])


def throttle_for(request: HttpRequest, values: Mapping[str, Any]) -> Throttle:
    """Return the throttle of a credentials sign-in with the posted ``values``."""
    return Throttle(
        account_key=_digest("account", _account(values)),
        ip_key=_digest("ip", client_ip(request)),
    )
