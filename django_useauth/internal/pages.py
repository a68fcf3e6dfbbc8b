"""Where the sign-in, sign-out and error pages and the ``/api/auth`` routes are.

``USEAUTH_PAGES_SIGN_IN``, ``USEAUTH_PAGES_SIGN_OUT`` and ``USEAUTH_PAGES_ERROR``
replace the built-in pages like NextAuth's ``pages`` option; the built-in
``/api/auth`` routes then redirect there with the query parameters NextAuth passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.shortcuts import resolve_url
from django.urls import reverse

from django_useauth.conf import conf
from django_useauth.internal.redirects import absolute_url
from django_useauth.internal.redirects import is_allowed_callback_url

if TYPE_CHECKING:
    from django.http import HttpRequest


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
