"""Token sign-ins: their families, refresh tokens (rotation, reuse detection) and revocation.

A family is created per token sign-in. A refresh token is 32 random bytes,
stored as its SHA-256 digest. With ``USEAUTH_TOKEN_ROTATE_REFRESH`` each use
exchanges it for a new one, and a used token presented again revokes the
whole family: one of the two holders of that token is a thief, and neither
can be told apart (RFC 9700 §4.14.2). Revoking a family also marks it in
``USEAUTH_TOKEN_REVOCATION_CACHE`` for as long as its access tokens live, so
that every server sharing that cache refuses them at once, without SQL.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from django.conf import settings
from django.contrib.auth import load_backend
from django.core.cache import caches
from django.db import router
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from django_useauth.conf import conf
from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import access_tokens
from django_useauth.internal import outages
from django_useauth.models import RefreshToken
from django_useauth.models import TokenFamily

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

_REVOKED_PREFIX = "useauth:token-family-revoked:"
# Kept a minute longer than an access token lives: clocks of several
# servers differ a little.
_MARK_MARGIN_SECONDS = 60

Reason = TokenFamily.Reason


@dataclass(frozen=True)
class TokenPair:
    """What a token sign-in or refresh answers: an access token, and a refresh token unless none was issued."""

    token: str
    expires: datetime
    refresh_token: str | None
    refresh_expires: datetime | None
    family: str

    def as_json(self) -> dict[str, Any]:
        """The body of ``POST login`` and ``POST refresh``: nuxt-auth reads ``/token`` and ``/refreshToken``."""
        body: dict[str, Any] = {
            "token": self.token,
            "expires": _iso(self.expires),
        }
        if self.refresh_token is not None:
            body["refreshToken"] = self.refresh_token
        return body


class RefreshRefused(Exception):
    """``POST refresh`` is refused: ``code`` is the documented error (``InvalidRefreshToken``, ``RefreshTokenReused``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _iso(instant: datetime) -> str:
    return instant.astimezone(timezone.get_fixed_timezone(0)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


@sensitive_variables()
def digest(value: str) -> str:
    """Return the stored form of a refresh token."""
    return hashlib.sha256(value.encode()).hexdigest()


@sensitive_variables()
def _new_refresh_token(family: TokenFamily, now: datetime) -> tuple[str, datetime]:
    value = secrets.token_urlsafe(32)
    expires = now + conf.TOKEN_REFRESH_LIFETIME
    if family.expires_at is not None:
        expires = min(expires, family.expires_at)
    RefreshToken.objects.create(
        family=family, digest=digest(value), created_at=now, expires_at=expires
    )
    return value, expires


def _backend_path(user: AbstractBaseUser) -> str:
    # What login() would keep in the session: the backend authenticate()
    # stamped on the user, or the only one configured.
    backend = getattr(user, "backend", None)
    if isinstance(backend, str):
        return backend
    backends = settings.AUTHENTICATION_BACKENDS
    if len(backends) == 1:
        return str(backends[0])
    raise ValueError(
        "The user has no .backend (authenticate() sets it) and several "
        "AUTHENTICATION_BACKENDS are configured: pass backend=."
    )


def start(
    user: AbstractBaseUser,
    *,
    request: HttpRequest | None = None,
    backend: str | None = None,
) -> TokenPair:
    """Create a family for a token sign-in of ``user`` and return its first tokens."""
    backend = backend or _backend_path(user)
    now = timezone.now()
    absolute = conf.TOKEN_ABSOLUTE_MAX_AGE
    user_agent = request.headers.get("User-Agent", "") if request is not None else ""
    with transaction.atomic(using=router.db_for_write(TokenFamily)):
        family = TokenFamily.objects.create(
            user_id=user.pk,
            backend=backend,
            auth_hash=access_tokens.auth_hash_digest(user.get_session_auth_hash()),
            created_at=now,
            last_used_at=now,
            expires_at=now + absolute if absolute is not None else None,
            user_agent=user_agent[:255],
        )
        refresh, refresh_expires = _new_refresh_token(family, now)
    token, expires = access_tokens.issue(
        user,
        family=str(family.id),
        backend=backend,
        now=now,
        not_after=family.expires_at,
    )
    return TokenPair(token, expires, refresh, refresh_expires, str(family.id))


@dataclass(frozen=True)
class _Outcome:
    pair: TokenPair | None = None
    refusal: str | None = None


@sensitive_variables()
def refresh(value: str) -> TokenPair:
    """Exchange the refresh token ``value`` for a new access token (and a new refresh token with rotation).

    Raise :class:`RefreshRefused`. Revocations it decides on (reuse, a
    password change, a user who can no longer sign in) are committed even
    though the request is refused.
    """
    outcome = _refresh(value)
    if outcome.pair is None:
        raise RefreshRefused(outcome.refusal or "InvalidRefreshToken")
    return outcome.pair


@sensitive_variables()
def _refresh(value: str) -> _Outcome:
    now = timezone.now()
    invalid = _Outcome(refusal="InvalidRefreshToken")
    rotate = conf.TOKEN_ROTATE_REFRESH
    key = digest(value)
    with transaction.atomic(using=router.db_for_write(RefreshToken)):
        # A write first: one UPDATE decides which of two concurrent uses of a
        # token wins, on every database, and on SQLite it takes the write
        # lock before any read (a read first would deadlock two concurrent
        # refreshes: "database is locked").
        if rotate:
            claimed = RefreshToken.objects.filter(
                digest=key, used_at__isnull=True, expires_at__gt=now
            ).update(used_at=now)
        else:
            TokenFamily.objects.filter(refresh_tokens__digest=key).update(
                last_used_at=now
            )
        row = RefreshToken.objects.select_related("family").filter(digest=key).first()
        if row is None:
            return invalid
        family = row.family
        if rotate and not claimed:
            if row.used_at is None:
                # Expired unused (a client retrying an old token): no theft
                # to suspect.
                return invalid
            interval = conf.TOKEN_REUSE_INTERVAL
            # The clock read again: `now` was read before the UPDATE that
            # another request won, and may be earlier than its used_at.
            if interval <= timedelta(0) or timezone.now() - row.used_at >= interval:
                return _reused(family, now)
            # Used again within USEAUTH_TOKEN_REUSE_INTERVAL: two requests
            # of one client that overlapped (two server renders at once).
            # It gets tokens of its own in the same family.
        if family.revoked_at is not None:
            return invalid
        if family.expires_at is not None and family.expires_at <= now:
            _revoke(family, Reason.EXPIRED, now)
            return invalid
        if row.expires_at <= now:
            return invalid
        user = _user(family)
        if user is None:
            _revoke(family, Reason.INACTIVE, now)
            return invalid
        if not access_tokens.user_auth_hash_matches(user, family.auth_hash):
            _revoke(family, Reason.PASSWORD, now)
            return invalid
        # Under the current SECRET_KEY from now on: a sign-in refreshed while
        # the old key is a fallback survives the fallback's removal, as a
        # session does.
        family.auth_hash = access_tokens.auth_hash_digest(user.get_session_auth_hash())
        family.last_used_at = now
        family.save(update_fields=["last_used_at", "auth_hash"])
        new_refresh: str | None = None
        refresh_expires: datetime | None = None
        if rotate:
            new_refresh, refresh_expires = _new_refresh_token(family, now)
    token, expires = access_tokens.issue(
        user,
        family=str(family.id),
        backend=family.backend,
        now=now,
        not_after=family.expires_at,
    )
    return _Outcome(
        pair=TokenPair(token, expires, new_refresh, refresh_expires, str(family.id))
    )


def _reused(family: TokenFamily, now: datetime) -> _Outcome:
    # A used token presented again. Reuse, whether its family is live (now
    # revoked) or already revoked for reuse (another loser of the same race);
    # a family that ended otherwise (sign-out, password) says only invalid.
    if family.revoked_at is None:
        _revoke(family, Reason.REUSE, now)
        logger.warning(
            "A used refresh token was presented again: token family %s of user "
            "%s is revoked. If no one stole it, the client kept a rotated "
            "refresh token (nuxt-auth: set refresh.refreshOnlyToken to false; "
            "or set USEAUTH_TOKEN_ROTATE_REFRESH = False).",
            family.id,
            family.user_id,
        )
    elif family.revoked_reason != Reason.REUSE:
        return _Outcome(refusal="InvalidRefreshToken")
    return _Outcome(refusal="RefreshTokenReused")


def _user(family: TokenFamily) -> AbstractBaseUser | None:
    # As django.contrib.auth.get_user() does for a session: the backend must
    # still be configured, and its get_user() must still answer the user
    # (ModelBackend answers None for an inactive user).
    if family.backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    user: AbstractBaseUser | None = load_backend(family.backend).get_user(
        family.user_id
    )
    return user


@sensitive_variables()
def family_of(value: str) -> TokenFamily | None:
    """Return the family of the refresh token ``value``, if it is one of ours."""
    return TokenFamily.objects.filter(refresh_tokens__digest=digest(value)).first()


def revoke(family_id: str, reason: str = Reason.SIGN_OUT) -> bool:
    """Revoke the family ``family_id``; return whether it was live until now.

    For a sign-out, raise ``StoreUnavailable`` (a 503) after the revocation
    when the revocation cache could not be told: the refresh tokens are dead,
    but the family's access tokens would be taken again once the cache is
    back, until they expire, so the sign-out is not reported done (asked
    again, it answers at once).
    """
    marked = mark_revoked(family_id)
    # One UPDATE, no read first: atomic on every database.
    revoked = TokenFamily.objects.filter(pk=family_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    if not marked and reason == Reason.SIGN_OUT:
        raise StoreUnavailable(outages.cache_store(conf.TOKEN_REVOCATION_CACHE))
    return bool(revoked)


def revoke_user(user: AbstractBaseUser | Any, reason: str = Reason.REVOKED) -> int:
    """Revoke every live token family of ``user`` (an instance or a primary key); return how many."""
    user_id: Any = getattr(user, "pk", user)
    ids = list(
        TokenFamily.objects.filter(
            user_id=user_id, revoked_at__isnull=True
        ).values_list("pk", flat=True)
    )
    for family_id in ids:
        mark_revoked(str(family_id))
    return TokenFamily.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def _revoke(family: TokenFamily, reason: str, now: datetime) -> None:
    # The mark first: it can only make access tokens stop sooner, and it
    # holds even if the transaction rolls back.
    mark_revoked(str(family.id))
    family.revoked_at = now
    family.revoked_reason = reason
    family.save(update_fields=["revoked_at", "revoked_reason"])


def _mark_key(family_id: str) -> str:
    return _REVOKED_PREFIX + family_id


def _mark_timeout() -> float:
    return conf.TOKEN_ACCESS_LIFETIME.total_seconds() + _MARK_MARGIN_SECONDS


def mark_revoked(family_id: str) -> bool:
    """Tell every server sharing the revocation cache that ``family_id``'s access tokens are void; return whether it could.

    A cache that cannot be reached is logged, never raised: the revocation in
    the database must happen all the same (its refresh tokens stop at once),
    and the family's access tokens then stop at their expiry.
    """
    cache = caches[conf.TOKEN_REVOCATION_CACHE]
    store = outages.cache_store(conf.TOKEN_REVOCATION_CACHE)
    try:
        outages.call(
            store,
            lambda: cache.set(_mark_key(family_id), True, timeout=_mark_timeout()),
        )
    except Exception as error:
        # An outage is logged once by outages; this names the family.
        logger.warning(
            "Could not mark token family %s as revoked in the cache %r (%s): its "
            "access tokens stay valid until they expire (within "
            "USEAUTH_TOKEN_ACCESS_LIFETIME); its refresh tokens are revoked.",
            family_id,
            conf.TOKEN_REVOCATION_CACHE,
            type(error).__name__,
            exc_info=not isinstance(error, StoreUnavailable),
        )
        return False
    return True


def is_revoked(family_id: str) -> bool:
    """Return whether ``family_id`` was revoked while its access tokens may still live (one cache read, no SQL)."""
    cache = caches[conf.TOKEN_REVOCATION_CACHE]
    # StoreUnavailable while it cannot answer: a token is not taken on trust.
    return (
        outages.call(
            outages.cache_store(conf.TOKEN_REVOCATION_CACHE),
            lambda: cache.get(_mark_key(family_id)),
        )
        is not None
    )


async def ais_revoked(family_id: str) -> bool:
    """Async twin of :func:`is_revoked`."""
    cache = caches[conf.TOKEN_REVOCATION_CACHE]
    entry = await outages.acall(
        outages.cache_store(conf.TOKEN_REVOCATION_CACHE),
        lambda: cache.aget(_mark_key(family_id)),
    )
    return entry is not None
