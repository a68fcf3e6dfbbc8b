"""Sign-in and sign-out, shared by the endpoints and ``request.auth``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import alogout
from django.contrib.auth import logout

from django_useauth import oauth
from django_useauth.callbacks import sign_in_refusal
from django_useauth.credentials import aauthenticate_credentials
from django_useauth.credentials import acomplete_sign_in
from django_useauth.credentials import authenticate_credentials
from django_useauth.credentials import complete_sign_in
from django_useauth.exceptions import UnknownProvider
from django_useauth.pages import error_url
from django_useauth.providers import CREDENTIALS_ID
from django_useauth.providers import Provider
from django_useauth.providers import get_provider
from django_useauth.providers import get_providers
from django_useauth.redirects import is_allowed_callback_url
from django_useauth.redirects import resolve_callback_url
from django_useauth.signals import send_event
from django_useauth.signals import signed_in
from django_useauth.signals import signed_out

if TYPE_CHECKING:
    from django.contrib.auth.models import _User
    from django.http import HttpRequest

__all__ = [
    "SignInResult",
    "SignOutResult",
    "asign_in",
    "asign_out",
    "sign_in",
    "sign_out",
]


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in, shaped like the result of next-auth's ``signIn()``.

    ``url`` is where the browser goes next: the callbackUrl on success, the
    error page (``…/error?error=<code>``) on failure. ``status`` is the HTTP
    status the endpoint answers with.
    """

    error: str | None
    status: int
    ok: bool
    url: str


@dataclass(frozen=True)
class SignOutResult:
    """The outcome of a sign-out: ``url`` is the validated, absolute callbackUrl."""

    url: str


def _provider(provider_id: str) -> Provider:
    provider = get_provider(provider_id)
    if provider is None:
        raise UnknownProvider(provider_id, list(get_providers()))
    return provider


def _oauth_started(started: oauth.OAuthStart) -> SignInResult:
    return SignInResult(
        error=started.error, status=200, ok=started.error is None, url=started.url
    )


def _credentials_failed(request: HttpRequest, callback_url: object) -> SignInResult:
    params = {"provider": CREDENTIALS_ID}
    if is_allowed_callback_url(request, callback_url):
        # Kept so that the sign-in page the error leads to can send the user
        # on to where they were going once they succeed.
        assert isinstance(callback_url, str)
        params["callbackUrl"] = callback_url
    return SignInResult(
        error="CredentialsSignin",
        status=401,
        ok=False,
        url=error_url(request, "CredentialsSignin", **params),
    )


def _signed_in(request: HttpRequest, callback_url: object) -> SignInResult:
    return SignInResult(
        error=None, status=200, ok=True, url=resolve_callback_url(request, callback_url)
    )


def _refused(request: HttpRequest, code: str) -> SignInResult:
    # NextAuth v4 answers a refused credentials sign-in with 403.
    return SignInResult(error=code, status=403, ok=False, url=error_url(request, code))


def sign_in(
    request: HttpRequest,
    provider_id: str,
    *,
    callback_url: object = None,
    credentials: Mapping[str, Any] | None = None,
) -> SignInResult:
    """Sign in with ``provider_id``; for credentials, ``credentials`` are the posted fields.

    For an OAuth provider the result's ``url`` is the provider's authorize URL
    (redirect the browser there); the flow ends at ``callback/<id>``. Raise
    :class:`UnknownProvider` for an id that is not configured.
    """
    provider = _provider(provider_id)
    if provider.backend is not None:
        return _oauth_started(oauth.start(request, provider.backend, callback_url))
    user: _User | None = authenticate_credentials(request, credentials or {})
    if user is None:
        return _credentials_failed(request, callback_url)
    refusal = sign_in_refusal(user=user, provider=CREDENTIALS_ID, request=request)
    if refusal is not None:
        return _refused(request, refusal)
    complete_sign_in(request, user)
    send_event(signed_in, user, request=request, provider=CREDENTIALS_ID)
    return _signed_in(request, callback_url)


async def asign_in(
    request: HttpRequest,
    provider_id: str,
    *,
    callback_url: object = None,
    credentials: Mapping[str, Any] | None = None,
) -> SignInResult:
    """Async twin of :func:`sign_in`."""
    provider = _provider(provider_id)
    if provider.backend is not None:
        started = await sync_to_async(oauth.start)(
            request, provider.backend, callback_url
        )
        return _oauth_started(started)
    user = await aauthenticate_credentials(request, credentials or {})
    if user is None:
        return _credentials_failed(request, callback_url)
    refusal = await sync_to_async(sign_in_refusal)(
        user=user, provider=CREDENTIALS_ID, request=request
    )
    if refusal is not None:
        return _refused(request, refusal)
    await acomplete_sign_in(request, user)
    await sync_to_async(send_event)(
        signed_in, user, request=request, provider=CREDENTIALS_ID
    )
    return _signed_in(request, callback_url)


def sign_out(request: HttpRequest, *, callback_url: object = None) -> SignOutResult:
    """Sign out with Django's ``logout()``, which deletes the server-side session."""
    # Resolved before logout() replaces it with AnonymousUser.
    user = request.user if request.user.is_authenticated else None
    logout(request)
    if user is not None:
        send_event(signed_out, user, request=request)
    return SignOutResult(url=resolve_callback_url(request, callback_url))


async def asign_out(
    request: HttpRequest, *, callback_url: object = None
) -> SignOutResult:
    """Async twin of :func:`sign_out`."""
    user = await request.auser()
    await alogout(request)
    if user.is_authenticated:
        await sync_to_async(send_event)(signed_out, user, request=request)
    return SignOutResult(url=resolve_callback_url(request, callback_url))
