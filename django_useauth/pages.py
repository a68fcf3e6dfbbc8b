"""Where the sign-in, sign-out and error pages are, and how a request is sent to sign in.

``USEAUTH_PAGES_SIGN_IN``, ``USEAUTH_PAGES_SIGN_OUT`` and ``USEAUTH_PAGES_ERROR``
replace the built-in pages like NextAuth's ``pages`` option; the built-in
``/api/auth`` routes then redirect there with the query parameters NextAuth passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse

from django_useauth.conf import conf
from django_useauth.http import json_response
from django_useauth.http import no_store
from django_useauth.redirects import absolute_url
from django_useauth.redirects import is_allowed_callback_url

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "api_url",
    "error_url",
    "page_url",
    "session_required_response",
    "sign_in_url",
]


def _with_query(url: str, params: dict[str, str]) -> str:
    if not params:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def api_url(request: HttpRequest, name: str, **params: str) -> str:
    """Return the absolute URL of the ``useauth:<name>`` route, with a query string."""
    return absolute_url(request, _with_query(reverse(f"useauth:{name}"), params))


def page_url(custom: str | None, route: str, params: dict[str, str]) -> str:
    """Return the custom page ``custom`` if configured, else the built-in ``route``, with ``params``."""
    base = resolve_url(custom) if custom else reverse(f"useauth:{route}")
    return _with_query(base, params)


def sign_in_url(
    request: HttpRequest,
    *,
    callback_url: str | None = None,
) -> str:
    """Return the URL of the sign-in page (custom or built-in) carrying ``callbackUrl``.

    A ``callback_url`` that the redirect policy refuses is left out rather than
    passed on. The URL is relative unless the custom page is absolute.
    """
    params = {}
    if callback_url is not None and is_allowed_callback_url(request, callback_url):
        params["callbackUrl"] = callback_url
    return page_url(conf.PAGES_SIGN_IN, "signin", params)


def error_url(request: HttpRequest, error: str, **params: str) -> str:
    """Return the absolute ``/api/auth/error?error=…`` URL NextAuth answers failures with."""
    return api_url(request, "error", error=error, **params)


def session_required_response(
    request: HttpRequest, callback_url: str | None = None
) -> HttpResponse:
    """Answer an anonymous request for something that needs a session.

    The callbackUrl is ``callback_url`` or the request's full path and query.
    Browsers get a 302 to the sign-in page; htmx requests an ``HX-Redirect``
    there; requests that prefer JSON a ``401`` with
    ``{"error": "SessionRequired", "url": <sign-in URL>}``.
    """
    url = sign_in_url(
        request,
        callback_url=request.get_full_path() if callback_url is None else callback_url,
    )
    response: HttpResponse
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(headers={"HX-Redirect": url})
    elif (
        request.get_preferred_type(["text/html", "application/json"])
        == "application/json"
    ):
        response = json_response(
            {"error": "SessionRequired", "url": absolute_url(request, url)},
            status=401,
        )
    else:
        response = HttpResponseRedirect(url)
    no_store(response)
    return response
