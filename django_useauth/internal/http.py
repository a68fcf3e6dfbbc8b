"""Reading requests (the body), and the responses of the endpoints and of the access guards (decorators, mixins, middleware)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING
from typing import Any
from typing import ParamSpec
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
from django.utils.log import log_response

from django_useauth.conf import conf
from django_useauth.internal.pages import sign_in_url
from django_useauth.internal.redirects import absolute_url

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase


_Response = TypeVar("_Response", bound="HttpResponseBase")
_P = ParamSpec("_P")

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


def bearer_token(request: HttpRequest) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` header (``""`` if empty), or ``None`` without one."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if not isinstance(header, str) or not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


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


def no_store(response: _Response) -> _Response:
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


def no_store_view(view: Callable[_P, _Response]) -> Callable[_P, _Response]:
    """Pass every response of the sync ``view`` through :func:`no_store`.

    Django's ``never_cache`` plus ``Vary: Cookie``. Put it below the method
    decorators (``require_safe``, …): the 405 they answer is left as Django
    writes it.
    """

    @wraps(view)
    def inner(*args: _P.args, **kwargs: _P.kwargs) -> _Response:
        return no_store(view(*args, **kwargs))

    return inner


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

    ``url`` must already be validated and absolute. The caller makes the
    response uncacheable (the endpoints are :func:`no_store_view`).
    """
    if json_mode:
        return json_response({"url": url}, status=status)
    return HttpResponseRedirect(url)


def browser_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to ``url``, uncacheable: a 302, or ``HX-Redirect`` for an htmx request.

    htmx would follow a 302 itself and swap the page it got into the current
    one; ``HX-Redirect`` makes it navigate instead.
    """
    response: HttpResponse
    if is_htmx(request):
        response = HttpResponse(headers={"HX-Redirect": url})
    else:
        response = HttpResponseRedirect(url)
    return no_store(response)


def session_required_response(
    request: HttpRequest, callback_url: str | None = None
) -> HttpResponse:
    """Answer an anonymous request for something that needs a session; uncacheable.

    The callbackUrl is ``callback_url`` or the request's full path and query.
    Browsers get a 302 to the sign-in page; htmx requests an ``HX-Redirect``
    there; requests that prefer JSON a ``401`` with
    ``{"error": "SessionRequired", "url": <sign-in URL>}``; requests with an
    ``Authorization: Bearer`` header a ``401`` with
    ``WWW-Authenticate: Bearer realm="api", error="invalid_token"``.
    """
    token = bearer_token(request)
    if token is not None:
        # An API client with a token: no sign-in page can help it. An empty
        # one is no token at all (RFC 6750 §3.1: no error code then).
        return bearer_challenge(request, error="invalid_token" if token else None)
    url = sign_in_url(
        request,
        callback_url=request.get_full_path() if callback_url is None else callback_url,
    )
    if not is_htmx(request) and prefers_json(request):
        return no_store(
            json_response(
                {"error": "SessionRequired", "url": absolute_url(request, url)},
                status=401,
            )
        )
    return browser_redirect(request, url)


def bearer_challenge(request: HttpRequest, *, error: str | None) -> HttpResponse:
    """Answer ``401`` to a request that needs a Bearer token, with RFC 6750's challenge; uncacheable.

    ``error`` is ``"invalid_token"`` when the request carried a token that was
    refused (malformed, expired, revoked, …), ``None`` when it carried none.
    The body is ``{"error": "InvalidToken"}`` or ``{"error": "SessionRequired"}``.
    """
    challenge = 'Bearer realm="api"'
    if error is not None:
        challenge += f', error="{error}"'
    code = "InvalidToken" if error is not None else "SessionRequired"
    response = json_response({"error": code}, status=401)
    response["WWW-Authenticate"] = challenge
    return no_store(response)


def is_htmx(request: HttpRequest) -> bool:
    """Return whether ``request`` was sent by htmx (``HX-Request: true``)."""
    return request.headers.get("HX-Request") == "true"


def prefers_json(request: HttpRequest) -> bool:
    """Return whether ``request`` prefers ``application/json`` to ``text/html``."""
    preferred = request.get_preferred_type(["text/html", "application/json"])
    return preferred == "application/json"


def log_quietly(request: HttpRequest, response: HttpResponse, level: str) -> None:
    """Log ``response`` (a 5xx that is no failure of the server's code) at ``level``, and only there.

    django.request would log every 5xx at ERROR and mail ``ADMINS``.
    ``log_response()`` marks the response as logged (Django's private
    ``response._has_been_logged``), so Django's handler does not log it
    again; tests/test_error_logging.py fails if that ever stops working.
    """
    log_response(
        "%s: %s",
        response.reason_phrase,
        request.path,
        response=response,
        request=request,
        level=level,
    )
