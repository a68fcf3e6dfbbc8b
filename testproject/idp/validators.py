"""The demo IdP's OAuth2 validator: django-oauth-toolkit's, with the standard claims."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Protocol

from oauth2_provider.oauth2_validators import OAuth2Validator

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


class _OAuthRequest(Protocol):
    # The part of oauthlib's Request (untyped) that the claims read.
    @property
    def user(self) -> AbstractUser: ...


_Claim = Callable[[_OAuthRequest], object]


class ClaimsValidator(OAuth2Validator):  # type: ignore [misc]
    """Release the standard profile and email claims in the ID token and at userinfo.

    The claims are ``name`` (the full name, else the username), ``given_name``,
    ``family_name``, ``preferred_username``, ``email`` and ``email_verified``.
    ``sub`` stays the toolkit's: the user's primary key, as a string. Each claim
    is released only under its OpenID Connect scope (``profile`` or ``email``),
    which the toolkit's ``oidc_claim_scope`` already maps, so a client that asks
    for ``openid`` alone gets ``sub`` and nothing else.
    """

    # Request-agnostic on purpose: with this one-argument signature the toolkit
    # calls the claims per request and also lists their names in the discovery
    # document's claims_supported, which a `(self, request)` override does not.
    def get_additional_claims(self) -> dict[str, _Claim]:
        return {
            "name": lambda request: (
                request.user.get_full_name() or request.user.get_username()
            ),
            "given_name": lambda request: request.user.first_name,
            "family_name": lambda request: request.user.last_name,
            "preferred_username": lambda request: request.user.get_username(),
            "email": lambda request: request.user.email,
            # Accounts here are created by seed_idp, which sets the address, so
            # it is taken as verified.
            "email_verified": lambda request: True,
        }
