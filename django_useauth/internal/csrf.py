"""CSRF for the NextAuth endpoints, checked by Django's own ``CsrfViewMiddleware``.

NextAuth clients post the token as a ``csrfToken`` form or JSON field, which
Django does not read. The endpoints are therefore exempt from the middleware,
so that a failure can answer in NextAuth's shape, and each POST view runs the
very same check itself with the token taken from wherever the client put it.
Django's cookie, origin and referer checks all still apply.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.functional import cached_property

from django_useauth.conf import conf
from django_useauth.internal.http import json_response
from django_useauth.internal.http import no_store
from django_useauth.internal.http import prefers_json

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)


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
    checker = _Checker(_no_response)
    valid = checker.process_view(request, None, (), {}) is None  # type: ignore[arg-type]
    if not valid:
        _explain_origin(request, checker.reason)
    return valid


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
    # Django's check, with USEAUTH_URL's origin trusted besides
    # CSRF_TRUSTED_ORIGINS: it is the site's own origin, and behind a proxy
    # that does not pass Host on (Nuxt's routeRules proxy) the request's own
    # host is not. Keeps the reason of a refusal for the JSON answer and the
    # log; the refusal itself (logged, CSRF_FAILURE_VIEW) is Django's.
    reason: str | None = None

    @cached_property
    def allowed_origins_exact(self) -> set[str]:
        origins: set[str] = set(super().allowed_origins_exact)
        own = _own_origin()
        if own is not None:
            origins.add(own)
        return origins

    @cached_property
    def csrf_trusted_origins_hosts(self) -> list[str]:
        # The Referer check of HTTPS requests that send no Origin.
        hosts: list[str] = list(super().csrf_trusted_origins_hosts)
        own = _own_origin()
        if own is not None:
            hosts.append(urlsplit(own).netloc)
        return hosts

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        self.reason = reason
        return super()._reject(request, reason)  # type: ignore[misc, no-any-return]  # not in django-stubs


def _own_origin() -> str | None:
    url = conf.URL
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None  # check useauth.E0xx reports a USEAUTH_URL that is no origin
    return f"{parts.scheme}://{parts.netloc}"


# The origins already explained in the log, once per origin and process, for
# the first few: the Origin header is the client's to choose, and neither
# memory nor the log may grow with what an attacker sends.
_explained: set[str] = set()
_EXPLAINED_AT_MOST = 16


def _explain_origin(request: HttpRequest, reason: str | None) -> None:
    # A POST from a front end whose origin is neither the request's host nor
    # trusted fails Django's origin check, and NextAuth clients report the
    # answer (a redirect to signin?csrf=true) as success: say why, loudly,
    # and how to fix it, once per origin.
    origin = request.META.get("HTTP_ORIGIN")
    if not reason or not reason.startswith("Origin checking failed") or not origin:
        return
    if origin == "null":
        # An opaque origin (a sandboxed frame, a file, a page served with
        # Referrer-Policy: no-referrer) is no front end to trust: logged as
        # Django logs any CSRF refusal, with no advice.
        return
    if origin in _explained or len(_explained) >= _EXPLAINED_AT_MOST:
        return
    _explained.add(origin)
    logger.error(
        "A POST to %s from the origin %s failed Django's CSRF origin check "
        "(the request's own host is %s). If %s is this site's front end "
        "(behind a proxy that does not pass the Host header on, as Nuxt's "
        "routeRules proxy), set USEAUTH_URL = %r; otherwise add it to "
        "CSRF_TRUSTED_ORIGINS. NextAuth clients report this refusal as a "
        "success with a URL ending in ?csrf=true.",
        request.path,
        origin,
        request.get_host(),
        origin,
        origin,
    )


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
