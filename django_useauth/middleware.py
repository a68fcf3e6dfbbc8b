"""``AuthMiddleware`` and ``request.auth``, the server-side ``useAuth()``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from typing import overload

from asgiref.sync import iscoroutinefunction
from asgiref.sync import markcoroutinefunction
from asgiref.sync import sync_to_async
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import SynchronousOnlyOperation
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from django_useauth.exceptions import SessionRequired
from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import actions
from django_useauth.internal import outages
from django_useauth.internal import token_families
from django_useauth.internal.access_tokens import InvalidAccessToken
from django_useauth.internal.bearer import Bearer
from django_useauth.internal.bearer import aresolve as aresolve_bearer
from django_useauth.internal.bearer import carries_session_cookie
from django_useauth.internal.bearer import our_bearer_token
from django_useauth.internal.bearer import resolve as resolve_bearer
from django_useauth.internal.callbacks import session_callback
from django_useauth.internal.events import send_event
from django_useauth.internal.http import session_required_response
from django_useauth.internal.lifetime import Session
from django_useauth.internal.lifetime import SessionUser
from django_useauth.internal.lifetime import ais_over
from django_useauth.internal.lifetime import asession_end
from django_useauth.internal.lifetime import build_session
from django_useauth.internal.lifetime import is_over
from django_useauth.internal.lifetime import last_refreshed_at
from django_useauth.internal.lifetime import refresh_if_due
from django_useauth.internal.lifetime import session_end
from django_useauth.internal.lifetime import user_payload
from django_useauth.internal.outages import is_outage
from django_useauth.internal.providers import ProviderJSON
from django_useauth.internal.providers import providers_json
from django_useauth.internal.redirects import resolve_callback_url
from django_useauth.internal.results import SignInResult
from django_useauth.internal.results import SignOutResult
from django_useauth.internal.throttle import HELD_ATTRIBUTE
from django_useauth.internal.throttle import held_attempt
from django_useauth.internal.throttle import release_held
from django_useauth.internal.token_sign_in import is_token_sign_in
from django_useauth.internal.unavailable import unavailable_response
from django_useauth.internal.user_guard import anonymous
from django_useauth.internal.user_guard import follow_request_user
from django_useauth.internal.user_guard import guard_user
from django_useauth.internal.user_guard import user_guard_needed
from django_useauth.internal.usercache import acached_user
from django_useauth.internal.usercache import cached_user
from django_useauth.internal.usercache import remember_user
from django_useauth.signals import signed_out

if TYPE_CHECKING:
    from django.contrib.auth.models import _AnyUser
    from django.http import HttpRequest
    from django.http import HttpResponse
    from django.http.response import HttpResponseBase

__all__ = [
    "AuthDetails",
    "AuthMiddleware",
    "Scheme",
    "Session",
    "SessionUser",
    "SignInResult",
    "SignOutResult",
    "Status",
    "get_auth",
]

logger = logging.getLogger(__name__)


Status = Literal["authenticated", "unauthenticated"]
Scheme = Literal["session", "bearer"]


@dataclass(frozen=True)
class _State:
    data: Session | None
    last_refreshed_at: datetime | None


_SIGNED_OUT = _State(None, None)


@contextmanager
def _outages_raised() -> Iterator[None]:
    # The sign-in and sign-out actions run Django's and the providers' code,
    # whose errors name no store: an outage among them is StoreUnavailable.
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as error:
        if is_outage(error):
            raise outages.unavailable(error) from error
        raise


class AuthDetails:
    """``request.auth``: the session as ``useAuth()`` sees it, plus its actions.

    Nothing reads the session or the database until an attribute or method is
    used. In async code, ``await request.auth.aget_session()`` first; the
    attributes are then answered from what it loaded.

    While a store the answer depends on cannot be reached (the session store,
    the cache of ``USEAUTH_SESSION_CACHE`` when its entry must be checked, a
    token's revocation cache), every read raises
    :class:`~django_useauth.exceptions.StoreUnavailable`, which
    ``AuthMiddleware`` answers with a ``503``: the request never reads as
    signed out because a store is down.
    """

    def __init__(self, request: HttpRequest, *, bearer: str | None = None) -> None:
        self._request = request
        self._state: _State | None = None
        # The access token of an Authorization: Bearer header naming one of
        # our keys, which then decides alone (the session is not read).
        # Other Bearer tokens (another library's) leave the session in charge.
        self._bearer = bearer
        self._family: str | None = None
        # The session's user, as AuthenticationMiddleware (and the lifetime
        # guard) set request.user before any view ran. Kept apart because
        # DRF's Request.user setter writes through to request.user: an
        # AnonymousUser when none of a view's classes authenticated the
        # request, a token's user; reading that would sign the session out or
        # answer another user's data. login() and logout() update it
        # (_forget_loaded_session). None without AuthenticationMiddleware.
        self._user: _AnyUser | None = request.__dict__.get("user")

    def __bool__(self) -> bool:
        """Return whether the request is signed in."""
        return self._load().data is not None

    def __repr__(self) -> str:
        # Never loads the session: repr() runs in debuggers and on error
        # pages, in async code too.
        if self._state is None:
            return "<AuthDetails (not loaded)>"
        return f"<AuthDetails status={self.status!r}>"

    @property
    def scheme(self) -> Scheme:
        """``"bearer"`` when the request carried one of our access tokens (then only the token counts), else ``"session"``.

        Known without loading anything.
        """
        return "session" if self._bearer is None else "bearer"

    @property
    def status(self) -> Status:
        """``"authenticated"`` or ``"unauthenticated"`` (``"loading"`` exists only in the browser)."""
        return "authenticated" if self else "unauthenticated"

    @property
    def data(self) -> Session | None:
        """The session object (``{"user": {…}, "expires": …}``), or ``None`` when signed out."""
        return self._load().data

    @property
    def last_refreshed_at(self) -> datetime | None:
        """When the server last gave this session its lifetime (sign-in or extension); ``None`` when signed out."""
        return self._load().last_refreshed_at

    @overload
    def get_session(
        self, *, required: Literal[True], callback_url: str | None = None
    ) -> Session: ...

    @overload
    def get_session(
        self, *, required: bool = False, callback_url: str | None = None
    ) -> Session | None: ...

    def get_session(
        self, *, required: bool = False, callback_url: str | None = None
    ) -> Session | None:
        """Return the session object, or ``None`` when signed out.

        With ``required=True`` an anonymous request raises :class:`SessionRequired`,
        which ``AuthMiddleware`` turns into a redirect to the sign-in page with
        ``callback_url`` (default: the current path and query) as callbackUrl.
        """
        return self._required(self._load().data, required, callback_url)

    @overload
    async def aget_session(
        self, *, required: Literal[True], callback_url: str | None = None
    ) -> Session: ...

    @overload
    async def aget_session(
        self, *, required: bool = False, callback_url: str | None = None
    ) -> Session | None: ...

    async def aget_session(
        self, *, required: bool = False, callback_url: str | None = None
    ) -> Session | None:
        """Async twin of :meth:`get_session`."""
        return self._required((await self._aload()).data, required, callback_url)

    def get_csrf_token(self) -> str:
        """Return a CSRF token for the next POST (Django's masked token; sets the CSRF cookie)."""
        return get_token(self._request)

    async def aget_csrf_token(self) -> str:
        """Async twin of :meth:`get_csrf_token` (with ``CSRF_USE_SESSIONS`` it touches the session)."""
        return await sync_to_async(get_token)(self._request)

    def get_providers(self) -> dict[str, ProviderJSON]:
        """Return the providers as ``GET /api/auth/providers`` lists them."""
        return providers_json(self._request)

    async def aget_providers(self) -> dict[str, ProviderJSON]:
        """Async twin of :meth:`get_providers`."""
        return providers_json(self._request)

    def sign_in(
        self, provider: str, *, callback_url: str | None = None, **credentials: Any
    ) -> SignInResult:
        """Sign in with ``provider``; for ``"credentials"`` pass the fields as keywords.

        For ``"email"`` pass ``email=``: a sign-in e-mail is sent and the
        result's ``url`` is the "check your e-mail" page. Return a
        :class:`SignInResult`; raise
        :class:`~django_useauth.exceptions.UnknownProvider` for an unknown id.
        """
        with _outages_raised():
            return actions.sign_in(
                self._request,
                provider,
                callback_url=callback_url,
                credentials=credentials,
            )

    async def asign_in(
        self, provider: str, *, callback_url: str | None = None, **credentials: Any
    ) -> SignInResult:
        """Async twin of :meth:`sign_in`."""
        with _outages_raised():
            return await actions.asign_in(
                self._request,
                provider,
                callback_url=callback_url,
                credentials=credentials,
            )

    def sign_out(self, *, callback_url: str | None = None) -> SignOutResult:
        """Sign out and return where to go next.

        The server-side session is deleted; for a Bearer request, the token's
        family is revoked instead (its refresh and access tokens stop working).
        """
        with _outages_raised():
            if self._bearer is not None:
                return self._sign_out_bearer(callback_url)
            return actions.sign_out(self._request, callback_url=callback_url)

    async def asign_out(self, *, callback_url: str | None = None) -> SignOutResult:
        """Async twin of :meth:`sign_out`."""
        with _outages_raised():
            if self._bearer is not None:
                await self._aload()
                return await sync_to_async(self._sign_out_bearer)(callback_url)
            return await actions.asign_out(self._request, callback_url=callback_url)

    def _sign_out_bearer(self, callback_url: str | None) -> SignOutResult:
        state = self._load()
        if state.data is not None and self._family is not None:
            token_families.revoke(self._family)
            user = self._user
            self._state = _SIGNED_OUT
            self._user = anonymous()
            if self._request.__dict__.get("user") is user:
                # Lent by a guard (_adopt_user): taken back, as logout() does.
                self._request.user = anonymous()
                follow_request_user(self._request)
            send_event(signed_out, user, request=self._request)
        return SignOutResult(url=resolve_callback_url(self._request, callback_url))

    @staticmethod
    def _required(
        data: Session | None, required: bool, callback_url: str | None
    ) -> Session | None:
        if data is None and required:
            raise SessionRequired(callback_url)
        return data

    def _load(self) -> _State:
        if self._state is None:
            try:
                self._state = self._read()
            except Exception as error:
                self._state = self._failed(error)
        return self._state

    def _read(self) -> _State:
        if self._bearer is not None:
            try:
                bearer = resolve_bearer(self._bearer)
            except InvalidAccessToken as refused:
                return self._refused(refused)
            return self._bearer_state(bearer)
        payload = cached_user(self._request)
        user = self._session_user()
        if payload is None and not user.is_authenticated:
            if SESSION_KEY in self._request.session:
                # Django keeps the session of a user it no longer accepts
                # (deactivated, deleted, backend removed); a reactivation
                # must not bring it back.
                self._request.session.flush()
            return _SIGNED_OUT
        session = self._request.session
        now = timezone.now()
        expires = session_end(session)
        if is_over(session, now, end=expires):
            session.flush()
            return self._ended()
        return self._state_for(user, payload, now, expires)

    async def _aload(self) -> _State:
        if self._state is None:
            try:
                self._state = await self._aread()
            except Exception as error:
                self._state = self._failed(error)
        return self._state

    async def _aread(self) -> _State:
        if self._bearer is not None:
            try:
                bearer = await aresolve_bearer(self._bearer)
            except InvalidAccessToken as refused:
                return self._refused(refused)
            if session_callback() is None:
                return self._bearer_state(bearer)
            return await sync_to_async(self._bearer_state)(bearer)
        session = self._request.session
        payload = await acached_user(self._request)
        # The lazy request.user stands in for the user when the payload is
        # cached: nothing loads it unless a callback reads it.
        user = (
            self._session_user() if payload is not None else await self._request.auser()
        )
        if payload is None and not user.is_authenticated:
            if await session.ahas_key(SESSION_KEY):
                await session.aflush()
            return _SIGNED_OUT
        now = timezone.now()
        expires = await asession_end(session)
        if await ais_over(session, now, end=expires):
            await session.aflush()
            return self._ended()
        if session_callback() is None:
            return self._state_for(user, payload, now, expires)
        # The project's callback may query the database.
        return await sync_to_async(self._state_for)(user, payload, now, expires)

    def _refused(self, refused: InvalidAccessToken) -> _State:
        # An invalid, expired or revoked token reads as signed out (the
        # session cookie, if any, is not consulted): auth_required answers 401.
        # Logged quietly: a key rotation gone wrong shows here first.
        logger.info("Bearer token refused: %s.", refused.code)
        self._user = anonymous()
        return _SIGNED_OUT

    def _bearer_state(self, bearer: Bearer) -> _State:
        # Nothing here does I/O but the project's session callback.
        self._user = bearer.user
        self._family = bearer.access.family
        data = build_session(
            self._request,
            bearer.user,
            payload=bearer.payload,
            expires=bearer.access.expires,
        )
        return _State(data, bearer.access.issued_at)

    def _adopt_user(self) -> None:
        # For the guards and the API classes, once they have let a signed-in
        # Bearer request through: request.user and request.auser() answer
        # the token's user (lazily, if its payload came from the cache).
        # Nothing for a session: request.user is the session's already.
        if self._bearer is None or self._load().data is None:
            return
        user = self._user
        self._request.user = user  # type: ignore[assignment]
        self._request.auser = partial(_lent_user, user)

    def _ended(self) -> _State:
        # The session was past its end (a browser-session cookie's session,
        # which stores keep SESSION_COOKIE_AGE after its last write; a store
        # whose clock or timeout disagrees), or signed in before
        # USEAUTH_ABSOLUTE_MAX_AGE was set or lowered, and is flushed: as
        # after logout(), request.user agrees even if it was read already,
        # unless something else (an API framework's authentication) has set
        # request.user to a user of its own since.
        if self._request.__dict__.get("user") is self._user:
            self._request.user = anonymous()
            follow_request_user(self._request)
        self._user = anonymous()
        return _SIGNED_OUT

    def _session_user(self) -> _AnyUser:
        # Without AuthenticationMiddleware this raises AttributeError, which
        # the loaders turn into signed out (check useauth.E004 reports it).
        return self._user if self._user is not None else self._request.user

    def _state_for(
        self,
        user: _AnyUser,
        payload: SessionUser | None,
        now: datetime,
        expires: datetime,
    ) -> _State:
        # Signed in and not past its end (`expires`, as loaded). The session
        # is loaded by now, and the user too unless its payload came from the
        # cache (then `user` is the lazy request.user, which only the
        # project's session callback may read). Nothing here does I/O but
        # that callback.
        session = self._request.session
        if refresh_if_due(session, now):
            expires = session_end(session)
        if payload is None:
            payload = user_payload(user)  # type: ignore[arg-type]
            remember_user(session, user, payload)
        data = build_session(self._request, user, payload=payload, expires=expires)  # type: ignore[arg-type]
        return _State(data, last_refreshed_at(session))

    @staticmethod
    def _failed(error: Exception) -> _State:
        # Shared by the sync and async loaders. SynchronousOnlyOperation is a
        # bug in the caller (request.auth read in async code before
        # aget_session()), not a broken store: it is raised, not hidden.
        if isinstance(error, SynchronousOnlyOperation):
            raise error
        # A store that cannot be reached (ours raise StoreUnavailable;
        # Django's engines and caches their own errors) is no answer: the
        # request is neither signed in nor signed out, and AuthMiddleware
        # answers 503. Saying "signed out" would send signed-in users to the
        # sign-in page, and make the JavaScript clients drop their session.
        if isinstance(error, StoreUnavailable):
            raise error
        if is_outage(error):
            raise outages.unavailable(error) from error
        # Anything else fails closed: a broken session callback or user
        # lookup reads as signed out, never as a half-loaded signed-in state.
        logger.exception(
            "Could not load the session; treating the request as signed out."
        )
        return _SIGNED_OUT


class AuthMiddleware:
    """Attach :class:`AuthDetails` as ``request.auth``; answer :class:`SessionRequired`.

    Place it after ``SessionMiddleware`` and ``AuthenticationMiddleware``.
    """

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: (
            Callable[[HttpRequest], HttpResponseBase]
            | Callable[[HttpRequest], Awaitable[HttpResponseBase]]
        ),
    ) -> None:
        # Without the app its system checks never run, and the sign-in page
        # would fail on its first request (TemplateDoesNotExist); Django
        # builds the middleware at start-up, so say it there.
        if not apps.is_installed("django_useauth"):
            raise ImproperlyConfigured(
                "django_useauth.middleware.AuthMiddleware is in MIDDLEWARE but "
                "'django_useauth' is not in INSTALLED_APPS: add it (and "
                "'social_django') to INSTALLED_APPS."
            )
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(self.get_response)
        if self.async_mode:
            # Mark the class as async-capable, but do the actual switch inside
            # __call__ to avoid swapping out dunder methods.
            markcoroutinefunction(self)

    def __call__(
        self, request: HttpRequest
    ) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.async_mode:
            return self.__acall__(request)
        _attach(request)
        try:
            return self.get_response(request)
        finally:
            # A sign-in attempt that neither failed nor signed in (an API's
            # successful authenticate(), an exception) gives its places in
            # the sign-in limits back. (Checked inline: most requests hold
            # none, and this runs on every request.)
            if HELD_ATTRIBUTE in request.__dict__:
                release_held(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        _attach(request)
        try:
            return await self.get_response(request)  # type: ignore[misc, no-any-return]
        finally:
            if held_attempt(request) is not None:
                await sync_to_async(release_held)(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        """Answer :class:`SessionRequired` like ``@auth_required``, :class:`StoreUnavailable` with a ``503``; leave other exceptions alone."""
        if isinstance(exception, SessionRequired):
            return session_required_response(request, exception.callback_url)
        if isinstance(exception, StoreUnavailable) or (
            is_outage(exception) and _our_endpoint(request)
        ):
            # Any view that needed a store that is down; at the endpoints also
            # the raw errors of the code they run (Django's authenticate()
            # and login(), social-auth's queries), which name no store.
            outages.unavailable(exception)
            return unavailable_response(request)
        return None


def _our_endpoint(request: HttpRequest) -> bool:
    match = request.resolver_match
    # The application namespaces: an include() may give the instance another.
    return match is not None and bool(
        {"useauth", "useauth_token"}.intersection(match.app_names)
    )


async def _lent_user(user: Any) -> _AnyUser:
    # request.auser() of a Bearer request a guard let through.
    if isinstance(user, SimpleLazyObject):
        # The payload came from the cache: the user is loaded only now, in a
        # thread.
        await sync_to_async(lambda: user.is_authenticated)()
    lent: _AnyUser = user
    return lent


def get_auth(request: HttpRequest) -> AuthDetails:
    """Return the request's :class:`AuthDetails`, whatever has become of ``request.auth``.

    Django REST framework sets ``request.auth`` to what its authentication
    class returned (``None`` for ``SessionAuthentication``), django-ninja to
    what its ``auth=`` callback returned; this answers the object
    ``AuthMiddleware`` attached all the same. ``request`` may be Django's
    ``HttpRequest`` or DRF's ``Request``. It does no I/O (the details stay
    lazy), so it serves sync and async code alike.

    Raise ``ImproperlyConfigured`` when ``AuthMiddleware`` did not run for
    ``request`` (it is missing from ``MIDDLEWARE``, or a test built the request
    with ``RequestFactory``).
    """
    try:
        # Kept under a private name besides request.auth, which DRF (its
        # Request.auth setter writes through to the HttpRequest), django-ninja
        # (it assigns the auth callback's result) or a project may replace.
        # DRF's Request forwards unknown attributes to the HttpRequest.
        return request._useauth  # type: ignore[attr-defined, no-any-return]
    except AttributeError:
        raise ImproperlyConfigured(
            "AuthMiddleware did not run for this request: add "
            "'django_useauth.middleware.AuthMiddleware' to MIDDLEWARE, after "
            "'django.contrib.auth.middleware.AuthenticationMiddleware' (in tests, "
            "send requests through the test client rather than RequestFactory)."
        ) from None


def _attach(request: HttpRequest) -> None:
    token = our_bearer_token(request)
    if token is not None:
        _attach_bearer(request, token)
        return
    if user_guard_needed():
        guard_user(request)
    # After the guard: AuthDetails keeps the guarded request.user.
    details = AuthDetails(request)
    request.auth = details  # type: ignore[attr-defined]
    request._useauth = details  # type: ignore[attr-defined]  # see get_auth()


def _attach_bearer(request: HttpRequest, token: str) -> None:
    # A Bearer request is the token's alone for request.auth. request.user
    # stays Django's (the session's, or anonymous): a view that knows only
    # request.user (the admin, login_required) does not take a token, which
    # a script in the page may have read. The guards and the API classes,
    # which accept tokens, lend request.user the token's user (adopt_user()).
    details = AuthDetails(request, bearer=token)
    request.auth = details  # type: ignore[attr-defined]
    request._useauth = details  # type: ignore[attr-defined]  # see get_auth()
    if not carries_session_cookie(request):
        # No cookie, no ambient authority for a forged request to borrow, and
        # a page on another site cannot add an Authorization header without
        # the site's CORS consent: CSRF does not apply (docs/tokens.md). With
        # a session cookie, Django's check applies as to any request.
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]


def _forget_loaded_session(
    sender: object,
    request: HttpRequest | None = None,
    user: _AnyUser | None = None,
    **kwargs: Any,
) -> None:
    # Receiver of user_logged_in and user_logged_out (connected in apps.py):
    # request.auth loads the session once per request; after login() or
    # logout(), ours or any other code's, it must not answer from the old one.
    auth: AuthDetails | None = getattr(request, "_useauth", None)
    if auth is not None and not is_token_sign_in(request):
        # (A token sign-in signs the request's session in to nothing.)
        auth._state = None
        # login() sends user_logged_in with the user it signed in; logout()
        # sends user_logged_out before it sets request.user to anonymous.
        signed_in = kwargs["signal"] is user_logged_in and user is not None
        auth._user = user if signed_in else anonymous()
        follow_request_user(auth._request)
