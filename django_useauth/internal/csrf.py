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


def csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Run Django's CSRF check on ``request``: ``None`` if it passes, else Django's ``403`` (``CSRF_FAILURE_VIEW``).

    For the access guards, which let a request through on the strength of
    the session cookie: in a view exempt from ``CsrfViewMiddleware`` nothing
    else would check that a state-changing request came from the site's own
    pages. May read the session (``CSRF_USE_SESSIONS``): sync only.
    """
    checker = CsrfViewMiddleware(_no_response)
    # As the middleware does for every request: the CSRF cookie into META.
    checker.process_request(request)
    return checker.process_view(request, None, (), {})  # type: ignore[arg-type]
