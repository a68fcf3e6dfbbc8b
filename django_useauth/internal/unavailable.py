"""The ``503`` answered while a store cannot be reached.

One answer for every place that finds a store down (``AuthMiddleware``, the
endpoints, ``django_useauth.sessions.middleware.SessionMiddleware``): status
``503``, ``Retry-After``, uncacheable. It never signs anyone out: the session
cookie is left alone, and ``SessionMiddleware`` saves nothing for a 5xx
response, so a request that failed half-way changes no session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import TypeVar

from django.shortcuts import render

from django_useauth.internal.error_codes import error_page
from django_useauth.internal.http import bearer_token
from django_useauth.internal.http import is_htmx
from django_useauth.internal.http import json_response
from django_useauth.internal.http import log_quietly
from django_useauth.internal.http import no_store
from django_useauth.internal.http import parse_body
from django_useauth.internal.http import prefers_json
from django_useauth.internal.http import wants_json
from django_useauth.internal.outages import RETRY_AFTER
from django_useauth.internal.pages import error_url
from django_useauth.internal.redirects import absolute_url

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http import HttpResponse

_Response = TypeVar("_Response", bound="HttpResponse")

#: The error code of the answer (``?error=ServiceUnavailable``, ``{"error": …}``).
CODE = "ServiceUnavailable"


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """Answer ``503`` to a request whose answer depends on a store that is down.

    API clients (an ``Authorization: Bearer`` header, token mode's
    ``/api/token/*`` endpoints, or ``Accept`` preferring JSON) get
    ``{"error": "ServiceUnavailable"}`` (with the error page's ``url`` for
    the last); browsers and htmx the error page.
    """
    response: HttpResponse
    endpoint = _endpoint_answer(request)
    if endpoint is not None:
        response = endpoint
    elif bearer_token(request) is not None or _token_endpoint(request):
        response = json_response({"error": CODE}, status=503)
    elif not is_htmx(request) and prefers_json(request):
        response = json_response(
            {"error": CODE, "url": error_url(request, CODE)}, status=503
        )
    else:
        return unavailable_page(request)
    return retry_later(request, response)


def _endpoint_answer(request: HttpRequest) -> HttpResponse | None:
    # What the /api/auth/ endpoints answer themselves (views.py), for an
    # outage found outside them: while SessionMiddleware saves the session
    # (a sign-in's, a refreshed one) after the view answered.
    match = request.resolver_match
    if match is None or "useauth" not in match.app_names:
        return None
    if match.url_name == "session":
        return json_response({}, status=503)
    # A malformed body never got this far (a 400 first): {} is no body.
    if request.method == "POST" and wants_json(request, parse_body(request) or {}):
        url = error_url(request, CODE)
        return json_response({"url": url}, status=503)
    return None


def _token_endpoint(request: HttpRequest) -> bool:
    # /api/token/* speaks JSON only (a mobile app, nuxt-auth's local provider).
    match = request.resolver_match
    return match is not None and "useauth_token" in match.app_names


def unavailable_page(request: HttpRequest) -> HttpResponse:
    """Answer ``503`` with the error page (``?error=ServiceUnavailable``'s), ``Retry-After`` and no-store."""
    context = {"page": error_page(CODE), "site_url": absolute_url(request, "/")}
    response = render(request, "django_useauth/error.html", context, status=503)
    return retry_later(request, response)


def retry_later(request: HttpRequest, response: _Response) -> _Response:
    """Add ``Retry-After`` to a ``503``, make it uncacheable, and log it at INFO.

    django.request would log each 503 at ERROR (and mail ``ADMINS`` for every
    request of an outage); the outage itself is logged once, at WARNING, by
    :mod:`~django_useauth.internal.outages`. ``log_response()`` marks the
    response as logged, so Django's handler does not log it again.
    """
    response["Retry-After"] = str(RETRY_AFTER)
    log_quietly(request, response, "info")
    return no_store(response)
