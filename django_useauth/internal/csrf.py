"""CSRF for the NextAuth endpoints, checked by Django's own ``CsrfViewMiddleware``.

NextAuth clients post the token as a ``csrfToken`` form or JSON field, which
Django does not read. The endpoints are therefore exempt from the middleware,
so that a failure can answer in NextAuth's shape, and each POST view runs the
very same check itself with the token taken from wherever the client put it.
Django's cookie, origin and referer checks all still apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from django_useauth.internal.http import json_response
from django_useauth.internal.http import no_store
from django_useauth.internal.http import prefers_json

if TYPE_CHECKING:
    from django.http import HttpRequest


def _no_response(request: HttpRequest) -> HttpResponse:  # pragma: no cover
    # process_view() never calls get_response; CsrfViewMiddleware wants one.
    return HttpResponse()


def csrf_is_valid(request: HttpRequest, token: object) -> bool:
    """Return whether ``request`` passes Django's CSRF check.

    ``token`` is the ``csrfToken`` the client posted, if any. Django looks for a
    token in ``csrfmiddlewaretoken`` first and then in the ``X-CSRFToken``
    header; ``token`` stands in for that header when the client sent none.
    """
    if (
        isinstance(token, str)
        and token
        and settings.CSRF_HEADER_NAME not in request.META
    ):
        # Django's fallback source of the token, filled from the NextAuth field.
        request.META[settings.CSRF_HEADER_NAME] = token
    # A new instance per call: CsrfViewMiddleware caches the trusted origins
    # it derives from settings on the instance.
    checker = CsrfViewMiddleware(_no_response)
    return checker.process_view(request, None, (), {}) is None  # type: ignore[arg-type]


#: The methods Django's CSRF check lets through (RFC 9110's safe methods).
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def needs_csrf_check(request: HttpRequest) -> bool:
    """Return whether ``request`` is unsafe and no CSRF check has accepted it yet.

    ``CsrfViewMiddleware`` marks the requests it accepted; it never checks a
    view exempt from it (DRF's and django-ninja's views, ``@csrf_exempt``).
    """
    return request.method not in _SAFE_METHODS and not getattr(
        request, "csrf_processing_done", False
    )


class _Checker(CsrfViewMiddleware):
    # Keeps the reason of a refusal for the JSON answer; the refusal itself
    # (logged, CSRF_FAILURE_VIEW) is Django's.
    reason: str | None = None

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        self.reason = reason
        return super()._reject(request, reason)  # type: ignore[misc, no-any-return]  # not in django-stubs


def csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Run Django's CSRF check on ``request``: ``None`` if it passes, else a ``403``.

    For the access guards, which let a request through on the strength of
    the session cookie: in a view exempt from ``CsrfViewMiddleware`` nothing
    else would check that a state-changing request came from the site's own
    pages. The ``403`` is Django's (``CSRF_FAILURE_VIEW``), or for a request
    that prefers JSON ``{"detail": "CSRF Failed: <reason>"}``, in the words
    of Django REST framework. May read the session (``CSRF_USE_SESSIONS``):
    sync only.
    """
    checker = _Checker(_no_response)
    if "CSRF_COOKIE" not in request.META:
        # What the middleware does for every request (check useauth.E005
        # requires it). Not again: a rotate_token() since (login()) is kept.
        checker.process_request(request)
    refused = checker.process_view(request, None, (), {})  # type: ignore[arg-type]
    if refused is None or not prefers_json(request):
        return refused
    # Not translated, as in DRF (SessionAuthentication's "CSRF Failed: %s"):
    # Django's reasons are English only, and clients may match the prefix.
    detail = f"CSRF Failed: {checker.reason}"
    return no_store(json_response({"detail": detail}, status=403))
