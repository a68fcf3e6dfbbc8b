"""View decorators: ``auth_required`` and its guest-only twin ``unauthenticated_only``.

Both check in the view itself rather than trusting a middleware to have run
(next.js CVE-2025-29927), work on sync and async views, and mark the view as
handling its own access so ``LoginRequiredMiddleware`` lets it through.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar
from typing import cast
from typing import overload

from asgiref.sync import iscoroutinefunction
from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import resolve_url

from django_useauth.internal.csrf import csrf_refusal
from django_useauth.internal.csrf import needs_csrf_check
from django_useauth.internal.http import browser_redirect
from django_useauth.internal.http import session_required_response
from django_useauth.middleware import get_auth

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http import HttpResponse


__all__ = ["auth_required", "unauthenticated_only"]

_View = TypeVar("_View", bound=Callable[..., Any])


def _guard(
    view: _View,
    allowed: Callable[[bool], bool],
    deny: Callable[[HttpRequest], HttpResponse],
    *,
    csrf: bool,
) -> _View:
    # One wrapper for both decorators: `allowed(signed_in)` decides, `deny`
    # answers. Branch once on the view's kind so sync views never await.
    # A Bearer request let through has request.user lent the token's user.
    # With `csrf`, a signed-in request let through is also CSRF-checked if
    # nothing checked it yet: the view may be exempt from CsrfViewMiddleware
    # (DRF's and django-ninja's are), and the session cookie alone let it in.
    if iscoroutinefunction(view):

        async def async_inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            auth = get_auth(request)
            signed_in = await auth.aget_session() is not None
            if not allowed(signed_in):
                return deny(request)
            auth._adopt_user()
            if csrf and signed_in and needs_csrf_check(request):
                refused = await sync_to_async(csrf_refusal)(request)
                if refused is not None:
                    return refused
            return await view(request, *args, **kwargs)

        inner: Callable[..., Any] = wraps(view)(async_inner)
    else:

        def sync_inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            auth = get_auth(request)
            signed_in = auth.get_session() is not None
            if not allowed(signed_in):
                return deny(request)
            auth._adopt_user()
            if csrf and signed_in and needs_csrf_check(request):
                refused = csrf_refusal(request)
                if refused is not None:
                    return refused
            return view(request, *args, **kwargs)

        inner = wraps(view)(sync_inner)
    # The view enforces access itself, so LoginRequiredMiddleware must not
    # answer for it (guest-only views must stay reachable signed out).
    return cast(_View, login_not_required(inner))


@overload
def auth_required(function: _View, /) -> _View: ...


@overload
def auth_required(
    function: None = None,
    /,
    *,
    callback_url: str | None = None,
    csrf_check: bool = True,
) -> Callable[[_View], _View]: ...


def auth_required(
    function: _View | None = None,
    /,
    *,
    callback_url: str | None = None,
    csrf_check: bool = True,
) -> _View | Callable[[_View], _View]:
    """Let only signed-in requests through: ``getSession({required: true, callbackUrl})``.

    Anonymous browsers are redirected to the sign-in page with ``callback_url``
    (default: the requested path and query) as callbackUrl; htmx requests get
    ``HX-Redirect``; requests that prefer JSON get ``401``. A signed-in
    request with an unsafe method that no CSRF check has accepted (the view
    is exempt from ``CsrfViewMiddleware``, as DRF's and django-ninja's are)
    is checked here and refused with ``403`` (Django's CSRF failure, or JSON
    ``{"detail": "CSRF Failed: …"}`` for a request that prefers JSON), unless
    ``csrf_check`` is ``False``.
    """

    def decorator(view: _View) -> _View:
        return _guard(
            view,
            allowed=lambda signed_in: signed_in,
            deny=lambda request: session_required_response(request, callback_url),
            csrf=csrf_check,
        )

    if function is not None:
        return decorator(function)
    return decorator


@overload
def unauthenticated_only(function: _View, /) -> _View: ...


@overload
def unauthenticated_only(
    function: None = None, /, *, navigate_authenticated_to: str = "/"
) -> Callable[[_View], _View]: ...


def unauthenticated_only(
    function: _View | None = None, /, *, navigate_authenticated_to: str = "/"
) -> _View | Callable[[_View], _View]:
    """Let only signed-out requests through (nuxt-auth's guest mode).

    Signed-in requests are redirected to ``navigate_authenticated_to`` (a URL
    or URL name, default ``/``); htmx requests get ``HX-Redirect``.
    """

    def decorator(view: _View) -> _View:
        return _guard(
            view,
            allowed=lambda signed_in: not signed_in,
            deny=lambda request: browser_redirect(
                request, resolve_url(navigate_authenticated_to)
            ),
            csrf=False,
        )

    if function is not None:
        return decorator(function)
    return decorator
