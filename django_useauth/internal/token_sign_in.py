"""``POST login`` of token mode: the credentials provider's sign-in, ending in tokens instead of a session.

The same steps as the cookie flow (``internal.actions.sign_in``): the
sign-in limits take their places before any password is hashed,
``authenticate()`` with the fields of ``USEAUTH_CREDENTIALS_FIELDS``, the
sign-in callback, Django's ``user_logged_in`` (so ``last_login`` and lockout
tools see the sign-in) and our ``signed_in`` event. Only the end differs: a
token family instead of ``login()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from django_useauth.internal import throttle
from django_useauth.internal import token_families
from django_useauth.internal.callbacks import sign_in_refusal
from django_useauth.internal.credentials import authenticate_credentials
from django_useauth.internal.events import send_event
from django_useauth.internal.providers import CREDENTIALS_ID
from django_useauth.internal.token_families import TokenPair
from django_useauth.signals import signed_in

#: Set on a request whose user_logged_in is a token sign-in, not a login():
#: the receivers that keep a session in step (the sign-in instant, the
#: loaded request.auth) have no session to keep.
TOKEN_SIGN_IN_ATTRIBUTE = "_useauth_token_sign_in"


def is_token_sign_in(request: object) -> bool:
    """Return whether ``request`` is signing in for tokens rather than a session."""
    return bool(getattr(request, "__dict__", {}).get(TOKEN_SIGN_IN_ATTRIBUTE))


@dataclass(frozen=True)
class TokenSignIn:
    """The outcome: ``pair`` when signed in, else the ``error`` code and HTTP ``status``."""

    pair: TokenPair | None = None
    error: str | None = None
    status: int = 200
    retry_after: int | None = None


@sensitive_variables("credentials")
def sign_in(request: HttpRequest, credentials: Mapping[str, Any]) -> TokenSignIn:
    """Sign in with the credentials provider and return tokens, or why not."""
    attempt = throttle.reserve(request, credentials)
    if attempt.retry_after is not None:
        return TokenSignIn(
            error="TooManyAttempts", status=429, retry_after=attempt.retry_after
        )
    # Held for the authenticate() below, which ThrottleBackend then does not
    # count again; the middleware releases it if nothing settles it.
    attempt.awaits_backend = True
    throttle.hold(request, attempt)
    try:
        user = authenticate_credentials(request, credentials)
        if user is None:
            # user_login_failed settled it; settled here too, in case a
            # project disconnected the receiver.
            throttle.settle_failed(None, request=request)
            return TokenSignIn(error="CredentialsSignin", status=401)
        refusal = sign_in_refusal(user=user, provider=CREDENTIALS_ID, request=request)
        if refusal is not None:
            throttle.release_held(request)
            return TokenSignIn(error=refusal, status=403)
        pair = token_families.start(user, request=request)
        # Our own receivers of user_logged_in leave the session alone for it.
        request.__dict__[TOKEN_SIGN_IN_ATTRIBUTE] = True
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        throttle.settle_signed_in(None, request=request)
    except BaseException:
        throttle.release_held(request)
        raise
    send_event(signed_in, user, request=request, provider=CREDENTIALS_ID)
    return TokenSignIn(pair=pair)
