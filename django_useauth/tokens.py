"""Token mode from Python: issue tokens for a user, revoke a user's token sign-ins (docs/tokens.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from django_useauth.internal import token_families
from django_useauth.internal.token_families import TokenPair

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest

__all__ = ["TokenPair", "issue_tokens", "revoke_tokens"]


def issue_tokens(
    user: AbstractBaseUser,
    *,
    request: HttpRequest | None = None,
    backend: str | None = None,
) -> TokenPair:
    """Start a token sign-in (a new token family) for ``user`` and return its access and refresh tokens.

    For a project's own sign-in flows (after a one-time code, a device
    pairing); nothing is checked but what ``request.auth`` checks later on
    each use. ``backend`` is the authentication backend's dotted path, as
    ``login()`` takes it: default the one ``authenticate()`` stamped on
    ``user``, or the only one configured. ``request`` gives the family the
    client's ``User-Agent``. No signal is sent.
    """
    return token_families.start(user, request=request, backend=backend)


def revoke_tokens(user: AbstractBaseUser | Any) -> int:
    """Revoke every token sign-in of ``user`` (an instance or a primary key); return how many were live.

    Their refresh tokens stop working at once, and their access tokens on
    every server that shares ``USEAUTH_TOKEN_REVOCATION_CACHE``. Password
    changes and deactivations need no call: they end token sign-ins as they
    end sessions.
    """
    return token_families.revoke_user(user)
