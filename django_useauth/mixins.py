"""Class-based view mixins matching the decorators. Put them first among the bases."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import resolve_url
from django.views import View

from django_useauth.internal.csrf import csrf_refusal
from django_useauth.internal.csrf import needs_csrf_check
from django_useauth.internal.http import browser_redirect
from django_useauth.internal.http import session_required_response
from django_useauth.middleware import get_auth

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http import HttpResponseBase

__all__ = ["AuthRequiredMixin", "UnauthenticatedOnlyMixin"]


class _GuardMixin(View):
    def _checks_csrf(self) -> bool:  # pragma: no cover
        # Whether a signed-in request let through is CSRF-checked when
        # nothing checked it yet (see decorators._guard).
        raise NotImplementedError

    def _signed_in_allowed(self, signed_in: bool) -> bool:  # pragma: no cover
        raise NotImplementedError

    def _deny(self, request: HttpRequest) -> HttpResponseBase:  # pragma: no cover
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if self.view_is_async:
            return self._adispatch(request, *args, **kwargs)
        auth = get_auth(request)
        signed_in = auth.get_session() is not None
        if not self._signed_in_allowed(signed_in):
            return self._deny(request)
        # A Bearer request let through: request.user is the token's user.
        auth._adopt_user()
        if signed_in and self._checks_csrf() and needs_csrf_check(request):
            refused = csrf_refusal(request)
            if refused is not None:
                return refused
        return super().dispatch(request, *args, **kwargs)

    async def _adispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        auth = get_auth(request)
        signed_in = await auth.aget_session() is not None
        if not self._signed_in_allowed(signed_in):
            return self._deny(request)
        auth._adopt_user()
        if signed_in and self._checks_csrf() and needs_csrf_check(request):
            refused = await sync_to_async(csrf_refusal)(request)
            if refused is not None:
                return refused
        return await super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    @classmethod
    def as_view(cls, *args: Any, **initkwargs: Any) -> Any:
        # The view enforces access itself (see decorators.py). *args: DRF's
        # ViewSet.as_view() takes the actions first.
        return login_not_required(super().as_view(*args, **initkwargs))


class AuthRequiredMixin(_GuardMixin):
    """Like ``@auth_required``: only signed-in requests reach the view.

    ``auth_callback_url`` overrides the callbackUrl (default: the request's path and query).
    A signed-in request with an unsafe method that no CSRF check has accepted
    (the view is exempt from ``CsrfViewMiddleware``) is checked here, unless
    ``auth_csrf_check`` is ``False``.
    """

    auth_callback_url: str | None = None
    auth_csrf_check: bool = True

    def _checks_csrf(self) -> bool:
        return self.auth_csrf_check

    def _signed_in_allowed(self, signed_in: bool) -> bool:
        return signed_in

    def _deny(self, request: HttpRequest) -> HttpResponseBase:
        return session_required_response(request, self.auth_callback_url)


class UnauthenticatedOnlyMixin(_GuardMixin):
    """Like ``@unauthenticated_only``: signed-in requests go to ``navigate_authenticated_to``."""

    navigate_authenticated_to: str = "/"

    def _signed_in_allowed(self, signed_in: bool) -> bool:
        return not signed_in

    def _deny(self, request: HttpRequest) -> HttpResponseBase:
        return browser_redirect(request, resolve_url(self.navigate_authenticated_to))

    def _checks_csrf(self) -> bool:  # pragma: no cover - signed-in requests are denied
        return False
