"""django-ninja: ``auth=`` from the ``useAuth()`` session.

Needs the ``ninja`` extra (``pip install "django-useauth[ninja]"``); nothing
else in the package imports django-ninja. In an operation with
``auth=useauth``, ``request.auth`` is the request's
:class:`~django_useauth.middleware.AuthDetails` (``request.auth.status``,
``.data``, ``.last_refreshed_at``) and ``request.user`` is Django's.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

try:
    from ninja.errors import HttpError
    from ninja.security import APIKeyCookie
    from ninja.security import HttpBearer
    from ninja.utils import check_csrf
except ImportError as error:
    raise ImportError(
        "django_useauth.ninja needs django-ninja: pip install 'django-useauth[ninja]'"
    ) from error

from django_useauth.middleware import get_auth

if TYPE_CHECKING:
    from django.http import HttpRequest

    from django_useauth.middleware import AuthDetails

__all__ = ["UseAuth", "UseAuthBearer", "useauth", "useauth_bearer"]


class UseAuth(APIKeyCookie):
    """Authenticate an operation from the Django session, exactly as ``request.auth`` reads it.

    Use the instance :data:`useauth` (``auth=useauth`` on an operation, a
    router or the ``NinjaAPI``), or subclass it and override
    :meth:`authenticate` for checks on the session's data (docs/apis.md).
    Signed out, the operation answers Ninja's ``401 {"detail": "Unauthorized"}``
    (after any other ``auth=`` callbacks had their turn). Signed in, an
    unsafe method needs Django's CSRF token (an ``X-CSRFToken`` header, say),
    else ``403 {"detail": "CSRF check Failed"}`` as with Ninja's
    ``django_auth``; unlike ``django_auth``, a signed-out request is not
    CSRF-checked, so that another ``auth=`` callback (a Bearer token) can
    still accept it. In the OpenAPI document the scheme is an ``apiKey`` in
    the session cookie, named ``UseAuth``.
    """

    def __init__(self, csrf: bool = True) -> None:
        # The cookie's name for the OpenAPI scheme (Ninja reads param_name
        # when the instance is made; the session itself is read from
        # request.session, whatever the name).
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=csrf)

    def __call__(
        self, request: HttpRequest
    ) -> AuthDetails | None | Coroutine[Any, Any, Any]:
        """Return the :class:`AuthDetails` of a signed-in request that passed CSRF, else ``None``.

        Sync, so that it serves sync operations and, through Ninja's
        ``sync_to_async``, async ones: the session is loaded once, before the
        operation runs, and ``request.auth``'s attributes are then answered
        from memory in async code too. Raise ``HttpError(403)`` when the CSRF
        check fails. With a subclass's ``async def authenticate`` (which makes
        Ninja await the callback, on the event loop in async operations) it
        returns a coroutine that loads the session in a thread first.
        """
        if self.is_async:
            return self._acall(request)
        if not self._signed_in(request):
            return None
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    async def _acall(self, request: HttpRequest) -> Any:
        if not await sync_to_async(self._signed_in)(request):
            return None
        return await self.authenticate(request, request.COOKIES.get(self.param_name))  # type: ignore[misc]

    def _signed_in(self, request: HttpRequest) -> bool:
        # Loads the session (I/O); raises HttpError(403) for a signed-in
        # request that fails the CSRF check.
        if get_auth(request).get_session() is None:
            return False
        # As APIKeyCookie checks, skipping operations marked csrf_exempt.
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check Failed")
        # For a Bearer request, request.user becomes the token's user.
        get_auth(request)._adopt_user()
        return True

    def authenticate(self, request: HttpRequest, key: str | None) -> AuthDetails | None:
        """Return what ``request.auth`` becomes for a signed-in request, or ``None`` to refuse it.

        Called only for a signed-in request that passed CSRF, with ``key``
        the session cookie as Ninja's cookie schemes pass it; it answers the
        loaded :func:`~django_useauth.middleware.get_auth`. Override it for
        checks on the session's data; raise ``ninja.errors.HttpError(403, …)``
        to answer ``403`` rather than ``401``. An override may be
        ``async def`` (to query the database asynchronously, say).
        """
        return get_auth(request)


#: ``auth=useauth``: the session, with CSRF on unsafe methods.
useauth = UseAuth()


class UseAuthBearer(HttpBearer):
    """Authenticate an operation from a Bearer access token of token mode (docs/tokens.md).

    :class:`UseAuth` accepts Bearer requests too (``request.auth`` reads the
    token whenever one is sent); this class is for the OpenAPI document, where
    it is an ``http`` ``bearer`` scheme named ``UseAuthBearer``: use
    ``auth=[useauth, useauth_bearer]``. A Bearer-only request needs no CSRF
    token; with a session cookie as well, Django's CSRF check applies.
    """

    def authenticate(self, request: HttpRequest, token: str) -> AuthDetails | None:
        """Return the :class:`AuthDetails` of a request signed in by its Bearer token, else ``None``.

        Override it for checks on the session's data, as with :class:`UseAuth`.
        """
        auth = get_auth(request)
        if auth.scheme != "bearer" or auth.get_session() is None:
            return None
        if check_csrf(request) is not None:
            # Only with a session cookie (AuthMiddleware exempts Bearer-only
            # requests): the cookie must not ride on a token's request.
            raise HttpError(403, "CSRF check Failed")
        auth._adopt_user()
        return auth


#: ``auth=useauth_bearer``: a Bearer access token (no CSRF unless a session cookie came along).
useauth_bearer = UseAuthBearer()
