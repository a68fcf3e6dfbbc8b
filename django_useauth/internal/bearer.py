"""``Authorization: Bearer`` on any request: from the header to the signed-in user, without SQL when it can.

The access token is verified (``access_tokens.verify``: no I/O), its family
looked up in the revocation cache (one cache read), and the user's session
payload taken from ``USEAUTH_SESSION_CACHE`` when it holds one for the token's
backend and password; only otherwise is the user loaded from the database
(its backend's ``get_user()``, which refuses inactive users), checked against
the token's password digest, and cached for the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import load_backend
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject
from django.views.decorators.debug import sensitive_variables

from django_useauth.internal import access_tokens
from django_useauth.internal import token_families
from django_useauth.internal.access_tokens import AccessToken
from django_useauth.internal.access_tokens import InvalidAccessToken
from django_useauth.internal.http import bearer_token
from django_useauth.internal.lifetime import user_payload
from django_useauth.internal.user_guard import anonymous
from django_useauth.internal.usercache import acached_token_user
from django_useauth.internal.usercache import cached_token_user
from django_useauth.internal.usercache import remember_verified_user

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest

    from django_useauth.internal.lifetime import SessionUser


def our_bearer_token(request: HttpRequest) -> str | None:
    """Return the Bearer token of ``request`` if it names one of our signing keys (see ``access_tokens.names_our_key``)."""
    token = bearer_token(request)
    if token and access_tokens.names_our_key(token):
        return token
    return None


def carries_session_cookie(request: HttpRequest) -> bool:
    """Return whether ``request`` carries a session cookie, which makes CSRF apply even with a Bearer token."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


@dataclass(frozen=True)
class Bearer:
    """A verified access token, its user (lazy when the payload came from the cache) and the payload."""

    access: AccessToken
    user: Any
    payload: SessionUser


def _matches(access: AccessToken) -> Any:
    def matches(session_auth_hash: str) -> bool:
        return constant_time_compare(
            access_tokens.auth_hash_digest(session_auth_hash), access.auth_hash
        )

    return matches


def _load_user(access: AccessToken) -> AbstractBaseUser | None:
    # As django.contrib.auth.get_user() does for a session: a backend that is
    # still configured, a user its get_user() still answers (ModelBackend
    # refuses inactive users), and the password the token was issued under.
    if access.backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    user: AbstractBaseUser | None = load_backend(access.backend).get_user(
        access.user_id
    )
    if user is None or not access_tokens.user_auth_hash_matches(user, access.auth_hash):
        return None
    return user


def _lazy_user(access: AccessToken) -> Any:
    # The payload came from the cache: the user is loaded only if read, and
    # answers anonymous if it no longer qualifies.
    return SimpleLazyObject(lambda: _load_user(access) or anonymous())


def _verified(user: AbstractBaseUser | None, access: AccessToken) -> Bearer:
    if user is None:
        raise InvalidAccessToken("user")
    payload = user_payload(user)
    remember_verified_user(user, access.backend, payload)
    return Bearer(access, user, payload)


@sensitive_variables()
def resolve(token: str) -> Bearer:
    """Return the :class:`Bearer` of ``token``; raise :class:`InvalidAccessToken`."""
    access = access_tokens.verify(token)
    if token_families.is_revoked(access.family):
        raise InvalidAccessToken("revoked")
    payload = cached_token_user(access.user_id, access.backend, _matches(access))
    if payload is not None:
        return Bearer(access, _lazy_user(access), payload)
    return _verified(_load_user(access), access)


@sensitive_variables()
async def aresolve(token: str) -> Bearer:
    """Async twin of :func:`resolve`."""
    access = access_tokens.verify(token)
    if await token_families.ais_revoked(access.family):
        raise InvalidAccessToken("revoked")
    payload = await acached_token_user(access.user_id, access.backend, _matches(access))
    if payload is not None:
        return Bearer(access, _lazy_user(access), payload)
    return await sync_to_async(
        lambda: _verified(_load_user(access), access), thread_sensitive=True
    )()
