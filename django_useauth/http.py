"""Request parsing and response building shared by the endpoints."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from django.conf import settings
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers
from django.utils.cache import patch_cache_control
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

from django_useauth.conf import conf

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

__all__ = [
    "JSON_MODE_HEADER",
    "NEVER_CACHE",
    "json_response",
    "no_store",
    "parse_body",
    "redirect_response",
    "site_dependent",
    "string_field",
    "wants_json",
]

_Response = TypeVar("_Response", bound="HttpResponseBase")

#: Auth.js v5 asks for JSON mode with this request header (any value).
JSON_MODE_HEADER = "X-Auth-Return-Redirect"


def parse_body(request: HttpRequest) -> dict[str, Any] | None:
    """Return the POST body as a dict, or ``None`` if it is malformed.

    JSON bodies (``application/json`` or ``+json``) must be an object of
    text: nested too deep to parse, or holding a lone surrogate (``"\\ud800"``,
    which parses but cannot be encoded, hashed or stored), they are malformed.
    Anything else is read as form data, as Django parses it; a body Django
    cannot parse as a form (``text/plain``, say) reads as empty.
    """
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            data = json.loads(request.body)
            json.dumps(data, ensure_ascii=False).encode()
        except (ValueError, RecursionError):  # ValueError: also Unicode errors
            return None
        return data if isinstance(data, dict) else None
    try:
        return request.POST.dict()
    except MultiPartParserError:
        return None


def string_field(body: dict[str, Any], name: str) -> str | None:
    """Return ``body[name]`` if it is a string, else ``None`` (type confusion is ignored, not coerced)."""
    value = body.get(name)
    return value if isinstance(value, str) else None


def wants_json(request: HttpRequest, body: dict[str, Any]) -> bool:
    """Return whether the client asked for ``{"url": …}`` instead of a redirect.

    NextAuth v4 clients post ``json=true``; nuxt-auth may send a JSON ``true``;
    Auth.js v5 sends the ``X-Auth-Return-Redirect`` header.
    """
    flag = body.get("json")
    if flag is True or (isinstance(flag, str) and flag.lower() == "true"):
        return True
    return JSON_MODE_HEADER in request.headers


#: What ``add_never_cache_headers()`` writes on a response without caching headers.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def no_store(response: HttpResponseBase) -> HttpResponseBase:
    """Mark ``response`` as private and uncacheable, varying on the session cookie.

    The headers are Django's own (``add_never_cache_headers()`` and
    ``patch_vary_headers()``); on a response that has none of them yet, the
    common case, they are written without parsing anything, because every
    session read sends them.
    """
    headers = response.headers
    if "Cache-Control" in headers or "Expires" in headers or "Vary" in headers:
        add_never_cache_headers(response)
        patch_vary_headers(response, ("Cookie",))
    else:
        headers["Expires"] = http_date()
        headers["Cache-Control"] = NEVER_CACHE
        headers["Vary"] = "Cookie"
    return response


def site_dependent(response: _Response) -> _Response:
    """Keep a response that holds the site's origin out of shared caches, unless ``USEAUTH_URL`` fixes it.

    Without ``USEAUTH_URL`` the origin is the request's: its ``Host`` (or the
    proxy headers Django is told to trust). The response is then marked
    ``Cache-Control: private`` and varies on those headers, so that no shared
    cache hands one request's host to another. With ``USEAUTH_URL`` nothing in
    it comes from the request, and it is left as it is.
    """
    if conf.URL:
        return response
    patch_cache_control(response, private=True)
    patch_vary_headers(response, _origin_headers())
    return response


def _origin_headers() -> list[str]:
    # The request headers that request.get_host() and request.scheme read.
    headers = ["Host"]
    if settings.USE_X_FORWARDED_HOST:
        headers.append("X-Forwarded-Host")
    if settings.USE_X_FORWARDED_PORT:
        headers.append("X-Forwarded-Port")
    if settings.SECURE_PROXY_SSL_HEADER:
        key: str = settings.SECURE_PROXY_SSL_HEADER[0]
        # A key without HTTP_ is set by the server, not sent by the client.
        if key.startswith("HTTP_"):
            headers.append(key.removeprefix("HTTP_").replace("_", "-").title())
    return headers


def json_response(data: Any, *, status: int = 200) -> JsonResponse:
    """Return ``data`` as JSON that no browser sniffs as anything else."""
    # Compact separators, as NextAuth writes its JSON.
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"separators": (",", ":")}
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def redirect_response(url: str, *, json_mode: bool, status: int = 200) -> HttpResponse:
    """Answer an auth POST: ``302 Location: url``, or ``{"url": url}`` with ``status`` in JSON mode.

    Both forms are uncacheable. ``url`` must already be validated and absolute.
    """
    response: HttpResponse
    if json_mode:
        response = json_response({"url": url}, status=status)
    else:
        response = HttpResponseRedirect(url)
    no_store(response)
    return response
