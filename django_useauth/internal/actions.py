"""Sign-in and sign-out, shared by the endpoints and ``request.auth``."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import alogout
from django.contrib.auth import logout
from django.core.cache import caches
from django.views.decorators.debug import sensitive_variables

from django_useauth.conf import conf
from django_useauth.exceptions import StoreUnavailable
from django_useauth.exceptions import UnknownProvider
from django_useauth.internal import email_sign_in
from django_useauth.internal import oauth
from django_useauth.internal import outages
from django_useauth.internal import throttle
from django_useauth.internal.callbacks import sign_in_refusal
from django_useauth.internal.credentials import aauthenticate_credentials
from django_useauth.internal.credentials import authenticate_credentials
from django_useauth.internal.credentials import complete_sign_in
from django_useauth.internal.events import asend_event
from django_useauth.internal.events import send_event
from django_useauth.internal.pages import api_url
from django_useauth.internal.pages import error_url
from django_useauth.internal.providers import CREDENTIALS_ID
from django_useauth.internal.providers import Provider
from django_useauth.internal.providers import get_provider
from django_useauth.internal.providers import get_providers
from django_useauth.internal.redirects import allowed_callback_url
from django_useauth.internal.redirects import aresolve_callback_url
from django_useauth.internal.redirects import resolve_callback_url
from django_useauth.internal.results import SignInResult
from django_useauth.internal.results import SignOutResult
from django_useauth.signals import signed_in
from django_useauth.signals import signed_out

if TYPE_CHECKING:
    from django.contrib.auth.models import _User
    from django.http import HttpRequest

# How long a browser's pre-login identity stays spent after a sign-in with it.
_ONCE_SECONDS = 60


def _provider(provider_id: str) -> Provider:
    provider = get_provider(provider_id)
    if provider is None:
        raise UnknownProvider(provider_id, list(get_providers()))
    return provider


def _oauth_started(started: oauth.OAuthStart) -> SignInResult:
    return SignInResult(
        error=started.error, status=200, ok=started.error is None, url=started.url
    )


def _failed(
    request: HttpRequest, once: str | None, callback_url: object
) -> SignInResult:
    # user_login_failed has settled the attempt: it keeps its places in the
    # counts. (Settled here too, in case a project disconnected the receiver.)
    throttle.settle_failed(None, request=request)
    _release(once)
    params = {"provider": CREDENTIALS_ID}
    allowed = allowed_callback_url(request, callback_url)
    if allowed is not None:
        # Kept so that the sign-in page the error leads to can send the user
        # on to where they were going once they succeed.
        params["callbackUrl"] = allowed
    return SignInResult(
        error="CredentialsSignin",
        status=401,
        ok=False,
        url=error_url(request, "CredentialsSignin", **params),
    )


def _signed_in(url: str) -> SignInResult:
    return SignInResult(error=None, status=200, ok=True, url=url)


def _throttled(request: HttpRequest, wait: int) -> SignInResult:
    return SignInResult(
        error="TooManyAttempts",
        status=429,
        ok=False,
        url=error_url(request, "TooManyAttempts", provider=CREDENTIALS_ID),
        retry_after=wait,
    )


def _once_key(request: HttpRequest) -> str | None:
    # What identifies the browser before it signs in: the CSRF secret its
    # cookie holds (login() rotates it), else its pre-login session.
    secret = request.META.get("CSRF_COOKIE") or request.session.session_key
    if not secret:
        return None
    return f"useauth:signin-once:{hashlib.sha256(str(secret).encode()).hexdigest()}"


def _claim(key: str | None) -> bool:
    # A double-submitted sign-in (two requests with the same pre-login
    # cookies at once) would leave two live sessions: the first request to
    # claim the browser's pre-login identity signs in, the other is refused
    # like a spent CSRF token. A failed attempt releases the claim.
    if key is None:
        return True
    cache = caches[conf.THROTTLE_CACHE]
    try:
        return bool(
            outages.call(
                outages.cache_store(conf.THROTTLE_CACHE),
                lambda: cache.add(key, 1, timeout=_ONCE_SECONDS),
            )
        )
    except StoreUnavailable:
        # The limits' cache: refused with them (a 503), or let through with
        # them under USEAUTH_THROTTLE_FAIL_OPEN.
        if conf.THROTTLE_FAIL_OPEN is True:
            return True
        raise


def _release(key: str | None) -> None:
    if key is not None:
        cache = caches[conf.THROTTLE_CACHE]
        with contextlib.suppress(StoreUnavailable):
            outages.call(
                outages.cache_store(conf.THROTTLE_CACHE), lambda: cache.delete(key)
            )


def _already_signing_in(request: HttpRequest) -> SignInResult:
    return SignInResult(
        error="MissingCSRF",
        status=200,
        ok=False,
        url=api_url(request, "signin", csrf="true"),
    )


def _refused(request: HttpRequest, once: str | None, code: str) -> SignInResult:
    # The password was right: the attempt is no failure, but no sign-in either.
    throttle.release_held(request)
    _release(once)
    # NextAuth v4 answers a refused credentials sign-in with 403.
    return SignInResult(error=code, status=403, ok=False, url=error_url(request, code))


def _abandon(request: HttpRequest, once: str | None) -> None:
    throttle.release_held(request)
    _release(once)


@sensitive_variables("credentials")
def _begin(
    request: HttpRequest, credentials: Mapping[str, Any]
) -> tuple[SignInResult | None, str | None]:
    # Take the attempt's places in the limits before any password is hashed,
    # then the browser's pre-login identity. Return an early answer (limited,
    # or a double submit) or the claimed identity's key.
    attempt = throttle.reserve(request, credentials)
    if attempt.retry_after is not None:
        return _throttled(request, attempt.retry_after), None
    try:
        once = _once_key(request)
        claimed = _claim(once)
    except BaseException:
        attempt.release()
        raise
    if not claimed:
        attempt.release()
        return _already_signing_in(request), None
    # Held on the request for the authenticate() call that follows, which
    # ThrottleBackend then does not count again.
    attempt.awaits_backend = True
    throttle.hold(request, attempt)
    return None, once


def _finish(
    request: HttpRequest, once: str | None, user: _User | None, callback_url: object
) -> SignInResult | None:
    # Everything between authenticate() and the signed_in event, in one
    # function so that the async twin hops to a thread once for all of it.
    # None: signed in (the caller sends signed_in, then resolves the URL).
    try:
        if user is None:
            return _failed(request, once, callback_url)
        refusal = sign_in_refusal(user=user, provider=CREDENTIALS_ID, request=request)
        if refusal is not None:
            return _refused(request, once, refusal)
        complete_sign_in(request, user)
        # login() sent user_logged_in, whose receiver settled the attempt;
        # settled here too, in case a project disconnected it.
        throttle.settle_signed_in(None, request=request)
    except BaseException:
        _abandon(request, once)
        raise
    return None


@sensitive_variables("credentials")
def sign_in(
    request: HttpRequest,
    provider_id: str,
    *,
    callback_url: object = None,
    credentials: Mapping[str, Any] | None = None,
) -> SignInResult:
    """Sign in with ``provider_id``; for credentials, ``credentials`` are the posted fields.

    For the email provider, ``credentials["email"]`` is the address a sign-in
    e-mail is sent to, and the result's ``url`` the "check your e-mail" page.
    For an OAuth provider the result's ``url`` is the provider's authorize URL
    (redirect the browser there); the flow ends at ``callback/<id>``. Raise
    :class:`UnknownProvider` for an id that is not configured.
    """
    provider = _provider(provider_id)
    if provider.backend is not None:
        return _oauth_started(oauth.start(request, provider.backend, callback_url))
    if provider.type == "email":
        return email_sign_in.request_sign_in(
            request, (credentials or {}).get("email"), callback_url=callback_url
        )
    early, once = _begin(request, credentials or {})
    if early is not None:
        return early
    try:
        user = authenticate_credentials(request, credentials or {})
    except BaseException:
        _abandon(request, once)
        raise
    result = _finish(request, once, user, callback_url)
    if result is not None:
        return result
    send_event(signed_in, user, request=request, provider=CREDENTIALS_ID)
    return _signed_in(resolve_callback_url(request, callback_url))


@sensitive_variables("credentials")
async def asign_in(
    request: HttpRequest,
    provider_id: str,
    *,
    callback_url: object = None,
    credentials: Mapping[str, Any] | None = None,
) -> SignInResult:
    """Async twin of :func:`sign_in`: one thread hop before authentication and one after."""
    provider = _provider(provider_id)
    if provider.backend is not None:
        started = await sync_to_async(oauth.start)(
            request, provider.backend, callback_url
        )
        return _oauth_started(started)
    if provider.type == "email":
        return await sync_to_async(email_sign_in.request_sign_in)(
            request, (credentials or {}).get("email"), callback_url=callback_url
        )
    early, once = await sync_to_async(_begin)(request, credentials or {})
    if early is not None:
        return early
    try:
        user = await aauthenticate_credentials(request, credentials or {})
    except BaseException:
        await sync_to_async(_abandon)(request, once)
        raise
    result = await sync_to_async(_finish)(request, once, user, callback_url)
    if result is not None:
        return result
    await asend_event(signed_in, user, request=request, provider=CREDENTIALS_ID)
    return _signed_in(await aresolve_callback_url(request, callback_url))


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
        await asend_event(signed_out, user, request=request)
    return SignOutResult(url=await aresolve_callback_url(request, callback_url))
