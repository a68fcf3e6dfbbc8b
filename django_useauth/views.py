"""The ``/api/auth`` endpoints, wire-compatible with NextAuth v4.

Every view is ``login_not_required`` (the endpoints must answer anonymous
requests under ``LoginRequiredMiddleware``) and ``csrf_exempt``: the POST views
run Django's CSRF check themselves (``django_useauth.internal.csrf``) so that a failure
answers in NextAuth's shape instead of Django's 403 page. All but
``providers``, ``openapi`` and ``log`` are ``no_store_view``, below the method
decorators: a 405 is left as Django answers it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING
from typing import Any
from typing import Concatenate
from typing import ParamSpec
from typing import TypeVar
from typing import cast

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseBadRequest
from django.http import HttpResponseNotAllowed
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST
from django.views.decorators.http import require_safe

from django_useauth.conf import conf
from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import actions
from django_useauth.internal import email_sign_in
from django_useauth.internal import email_tokens
from django_useauth.internal import oauth
from django_useauth.internal import outages
from django_useauth.internal import unavailable
from django_useauth.internal.csrf import csrf_is_valid
from django_useauth.internal.error_codes import SIGN_IN_ERRORS
from django_useauth.internal.error_codes import error_page
from django_useauth.internal.error_codes import sign_in_error_message
from django_useauth.internal.events import send_event
from django_useauth.internal.http import json_response
from django_useauth.internal.http import log_quietly
from django_useauth.internal.http import no_store_view
from django_useauth.internal.http import parse_body
from django_useauth.internal.http import redirect_response
from django_useauth.internal.http import site_dependent
from django_useauth.internal.http import string_field
from django_useauth.internal.http import wants_json
from django_useauth.internal.lifetime import build_session
from django_useauth.internal.openapi import for_server as openapi_description
from django_useauth.internal.outages import is_outage
from django_useauth.internal.pages import api_url
from django_useauth.internal.pages import error_url
from django_useauth.internal.pages import page_url
from django_useauth.internal.providers import CREDENTIALS_ID
from django_useauth.internal.providers import EMAIL_ID
from django_useauth.internal.providers import get_provider
from django_useauth.internal.providers import get_providers
from django_useauth.internal.providers import providers_json
from django_useauth.internal.redirects import absolute_url
from django_useauth.internal.redirects import is_allowed_callback_url
from django_useauth.internal.results import SignInResult
from django_useauth.internal.unavailable import retry_later
from django_useauth.middleware import get_auth
from django_useauth.signals import session_updated

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import JsonResponse

    from django_useauth.internal.providers import Provider


__all__ = [
    "callback",
    "csrf",
    "error",
    "log",
    "openapi",
    "providers",
    "session",
    "signin",
    "signin_provider",
    "signout",
    "verify_request",
]

_View = Callable[..., HttpResponse]
_Request = TypeVar("_Request", bound=HttpRequest)
_P = ParamSpec("_P")

logger = logging.getLogger(__name__)

# As NextAuth v4: the sign-in errors are matched exactly (and sent back to the
# sign-in page); the error page's own codes case-insensitively. Only a known
# code is ever passed on or shown.
_ERROR_PAGE_CODES = {
    code.lower(): code
    for code in (
        "Configuration",
        "AccessDenied",
        "Verification",
        "Default",
        "InvalidProvider",
        "ServiceUnavailable",
    )
}


def _known_error(code: str | None) -> str | None:
    if not code:
        return None
    if code in SIGN_IN_ERRORS:
        return code
    return _ERROR_PAGE_CODES.get(code.lower())


def _endpoint(view: _View) -> _View:
    # Applied to every endpoint: reachable signed out, CSRF handled in-view.
    return login_not_required(csrf_exempt(view))


def _bad_request() -> HttpResponse:
    return HttpResponseBadRequest(
        gettext("Malformed request body."), content_type="text/plain; charset=utf-8"
    )


def _callback_url_param(request: HttpRequest) -> str | None:
    # The page's own callbackUrl, or Django's "next" for projects that point
    # LOGIN_URL here; refused values are dropped, not passed on.
    for name in ("callbackUrl", "next"):
        value = request.GET.get(name)
        if value is not None:
            return value if is_allowed_callback_url(request, value) else None
    return None


def _posted_callback_url(request: HttpRequest, body: dict[str, Any]) -> str | None:
    # NextAuth reads body.callbackUrl, then query.callbackUrl.
    value = string_field(body, "callbackUrl")
    return value if value is not None else request.GET.get("callbackUrl")


def _page_params(
    request: HttpRequest, callback_url: str | None, error: str | None = None
) -> dict[str, str]:
    # The query NextAuth passes to a page: callbackUrl, error and csrf, each
    # only when present and known.
    params = {}
    if callback_url:
        params["callbackUrl"] = callback_url
    if error:
        params["error"] = error
    if request.GET.get("csrf") == "true":
        params["csrf"] = "true"
    return params


def _page_redirect(
    custom: str | None, route: str, params: dict[str, str]
) -> HttpResponseRedirect:
    return HttpResponseRedirect(page_url(custom, route, params))


def _checked_post(
    back_to: str,
) -> Callable[
    [Callable[Concatenate[_Request, dict[str, Any], bool, _P], HttpResponse]],
    Callable[Concatenate[_Request, _P], HttpResponse],
]:
    # NextAuth's POST actions: the view gets the parsed body and whether the
    # client wants JSON mode. A malformed body is a 400 before anything else
    # runs; a failed CSRF check sends the client back to the `back_to` page
    # with ?csrf=true. The body may hold a password: error reports must not
    # show it.
    def decorator(
        view: Callable[Concatenate[_Request, dict[str, Any], bool, _P], HttpResponse],
    ) -> Callable[Concatenate[_Request, _P], HttpResponse]:
        @sensitive_variables("body")
        @wraps(view)
        def inner(
            request: _Request, /, *args: _P.args, **kwargs: _P.kwargs
        ) -> HttpResponse:
            body = parse_body(request)
            if body is None:
                return _bad_request()
            json_mode = wants_json(request, body)
            try:
                if not csrf_is_valid(request, body.get("csrfToken")):
                    url = api_url(request, back_to, csrf="true")
                    return redirect_response(url, json_mode=json_mode)
                return view(request, body, json_mode, *args, **kwargs)
            except Exception as error:
                # The limits' cache, the session store, or the database of
                # authenticate() and login() cannot be reached.
                if not is_outage(error):
                    raise
                outages.unavailable(error)
                return _unavailable(request, json_mode)

        return inner

    return decorator


def _unavailable(request: HttpRequest, json_mode: bool) -> HttpResponse:
    # A POST action that found a store down: NextAuth's error answer, with
    # 503 and Retry-After (next-auth's signIn() reports "ServiceUnavailable");
    # a form post gets the error page itself, with its 503, not a redirect.
    # Only a 5xx keeps SessionMiddleware from saving what the action did
    # before it failed (logout() empties the session before deleting it).
    if json_mode:
        url = error_url(request, unavailable.CODE)
        return retry_later(request, redirect_response(url, json_mode=True, status=503))
    return unavailable.unavailable_page(request)


@_endpoint
@require_safe
@no_store_view
def csrf(request: HttpRequest) -> JsonResponse:
    """``GET csrf``: ``{"csrfToken": <Django's masked token>}``; sets the CSRF cookie."""
    return json_response({"csrfToken": get_auth(request).get_csrf_token()})


@_endpoint
@require_safe
def providers(request: HttpRequest) -> HttpResponse:
    """``GET providers``: the providers by id, with absolute sign-in and callback URLs.

    Private, varying on ``Host``, unless ``USEAUTH_URL`` is set.
    """
    return site_dependent(json_response(providers_json(request)))


@_endpoint
@require_http_methods(["GET", "HEAD", "POST"])
@no_store_view
def session(request: HttpRequest) -> JsonResponse:
    """``GET session``: the session object, or ``{}`` signed out (200).

    ``POST session`` (``useSession().update()``): CSRF-checked, answers the
    session like ``GET``; a failed check answers ``400 {}`` and changes nothing.

    While the session's store cannot be reached: ``503 {}`` with
    ``Retry-After``. The body is empty on purpose: nuxt-auth's ``authjs``
    provider takes any non-empty body of a failed ``GET session`` for the
    session itself (docs/failures.md).
    """
    try:
        if request.method == "POST":
            body = parse_body(request)
            if body is None or not csrf_is_valid(request, body.get("csrfToken")):
                return json_response({}, status=400)
            return _update_session(request, body.get("data"))
        data = get_auth(request).get_session()
    except StoreUnavailable:
        return retry_later(request, json_response({}, status=503))
    return json_response(data or {})


def _update_session(request: HttpRequest, data: Any) -> JsonResponse:
    # useSession().update(data): the session callback gets `data` as
    # new_session and answers the new session object.
    if get_auth(request).get_session() is None:
        return json_response({})
    # Signed in (there is a session), so not an AnonymousUser.
    user = cast("AbstractBaseUser", request.user)
    try:
        updated = build_session(request, user, trigger="update", new_session=data)
    except Exception as error:
        if is_outage(error):
            # A store the callback needed is down: the 503 of GET session.
            raise outages.unavailable(error) from error
        # A clean error, as for a failed CSRF check; the session is as before.
        logger.exception("USEAUTH_SESSION_CALLBACK raised on a session update.")
        return json_response({}, status=400)
    send_event(session_updated, user, request=request, data=data, session=updated)
    return json_response(updated)


# The sign-in errors that answer the credentials form: the sign-in page
# marks its fields invalid and puts the focus back in the first one.
_CREDENTIALS_ERRORS = frozenset({"CredentialsSignin", "TooManyAttempts"})
# And those that answer the e-mail form.
_EMAIL_ERRORS = frozenset({"EmailSignin", "TooManyEmails"})


def _sign_in_page(request: HttpRequest) -> HttpResponse:
    callback_url = _callback_url_param(request)
    error = request.GET.get("error")
    if conf.PAGES_SIGN_IN:
        params = _page_params(request, callback_url, _known_error(error))
        return _page_redirect(conf.PAGES_SIGN_IN, "signin", params)
    all_providers = get_providers()
    context = {
        "callback_url": callback_url,
        "error_message": sign_in_error_message(error),
        "credentials_error": error in _CREDENTIALS_ERRORS,
        "csrf_failed": request.GET.get("csrf") == "true",
        "credentials": all_providers.get(CREDENTIALS_ID),
        "email": all_providers.get(EMAIL_ID),
        "email_error": error in _EMAIL_ERRORS,
        "providers": [p for p in all_providers.values() if p.type == "oauth"],
    }
    return render(request, "django_useauth/signin.html", context)


@_endpoint
@require_safe
@no_store_view
def signin(request: HttpRequest) -> HttpResponse:
    """``GET signin``: the sign-in page (or a redirect to ``USEAUTH_PAGES_SIGN_IN``)."""
    return _sign_in_page(request)


@_endpoint
@require_http_methods(["GET", "HEAD", "POST"])
@no_store_view
def signin_provider(request: HttpRequest, provider: str) -> HttpResponse:
    """``GET signin/<id>``: the sign-in page. ``POST signin/<id>``: start signing in with a provider.

    A GET never starts a flow. The credentials provider signs in through
    ``callback/credentials``, so posting here answers with the sign-in page URL.
    """
    if request.method != "POST":
        return _sign_in_page(request)
    return _start_sign_in(request, provider)


@_checked_post(back_to="signin")
def _start_sign_in(
    request: HttpRequest, body: dict[str, Any], json_mode: bool, provider_id: str
) -> HttpResponse:
    provider = get_provider(provider_id)
    if provider is None:
        return _unknown_provider(request, json_mode)
    if provider.type == "email":
        result = email_sign_in.request_sign_in(
            request,
            body.get("email"),
            callback_url=_posted_callback_url(request, body),
        )
        return _sign_in_response(result, json_mode)
    if provider.backend is None:
        # As NextAuth v4: credentials sign in through callback/, so this
        # answers with the sign-in page.
        return redirect_response(api_url(request, "signin"), json_mode=json_mode)
    started = oauth.start(
        request, provider.backend, _posted_callback_url(request, body)
    )
    if started.response is not None and not json_mode:
        # The redirect to the provider (or a backend's own sign-in page).
        return started.response
    return redirect_response(started.url, json_mode=json_mode)


def _unknown_provider(request: HttpRequest, json_mode: bool) -> HttpResponse:
    if json_mode:
        url = error_url(request, "InvalidProvider")
        return redirect_response(url, json_mode=True, status=404)
    return _render_error(request, "InvalidProvider")


@_endpoint
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters()
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    """``POST callback/credentials``: sign in with credentials (CSRF-checked).

    Success: the callbackUrl (302, or ``200 {"url"}`` in JSON mode). Failure:
    ``…/error?error=CredentialsSignin&provider=credentials``, with status 401
    in JSON mode. Credentials are never accepted by GET (405).

    ``GET|POST callback/<oauth id>``: where the provider sends the browser
    back. Not CSRF-checked (the provider's request carries no token; the OAuth
    ``state`` is the check). Success: the stored callbackUrl; failure: the
    error page with the NextAuth code.
    """
    found = get_provider(provider)
    # Each kind of provider takes its own methods. These 405s are left as
    # Django writes them, like require_http_methods' own: never-cache starts
    # below, in _callback.
    if found is not None and found.type == "credentials" and request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if found is not None and found.backend is not None and request.method == "HEAD":
        # A HEAD must not spend the flow's one-time state.
        return HttpResponseNotAllowed(["GET", "POST"])
    return _callback(request, found)


@no_store_view
def _callback(request: HttpRequest, found: Provider | None) -> HttpResponse:
    if found is None:
        json_mode = False
        if request.method == "POST":
            body = parse_body(request)
            json_mode = body is not None and wants_json(request, body)
        return _unknown_provider(request, json_mode)
    if found.type == "email":
        if request.method == "POST":
            return _email_callback(request)
        return _email_confirmation(request)
    if found.backend is None:
        return _credentials_callback(request)
    return oauth.complete(request, found.backend)


@_checked_post(back_to="signin")
@sensitive_variables("body")
def _credentials_callback(
    request: HttpRequest, body: dict[str, Any], json_mode: bool
) -> HttpResponse:
    result = actions.sign_in(
        request,
        CREDENTIALS_ID,
        callback_url=_posted_callback_url(request, body),
        credentials=body,
    )
    return _sign_in_response(result, json_mode)


def _sign_in_response(result: SignInResult, json_mode: bool) -> HttpResponse:
    response = redirect_response(result.url, json_mode=json_mode, status=result.status)
    if result.retry_after is not None:
        response["Retry-After"] = str(result.retry_after)
    return response


def _email_confirmation(request: HttpRequest) -> HttpResponse:
    # GET callback/email?token&email: the link in the e-mail. A mail
    # scanner fetches every link, so a GET only asks; the sign-in is the
    # page's POST. A link that can no longer sign in says so at once.
    token = request.GET.get("token")
    address = request.GET.get("email")
    if email_tokens.find_token(address, token) is None:
        return HttpResponseRedirect(error_url(request, "Verification"))
    context = {"email": address, "token": token}
    response = render(request, "django_useauth/email_confirm.html", context)
    # The URL holds the token: no Referer may carry it, not even to this
    # site's own logs (the stylesheet's request). Not no-referrer, under
    # which browsers send "Origin: null" with the page's POST, and Django's
    # CSRF check refuses that.
    response["Referrer-Policy"] = "strict-origin"
    return response


@sensitive_variables("body")
def _email_callback(request: HttpRequest) -> HttpResponse:
    # The confirmation page posts the link's token; the "check your e-mail"
    # page posts the code, and a failed CSRF check sends it back there.
    body = parse_body(request)
    if body is None:
        return _bad_request()
    json_mode = wants_json(request, body)
    try:
        response = _email_sign_in(request, body, json_mode)
    except Exception as error:
        if not is_outage(error):
            raise
        outages.unavailable(error)
        return _unavailable(request, json_mode)
    # The browser goes on from here with no Referer at all (the page it came
    # from held the link's token in its URL).
    response["Referrer-Policy"] = "no-referrer"
    return response


@sensitive_variables("body")
def _email_sign_in(
    request: HttpRequest, body: dict[str, Any], json_mode: bool
) -> HttpResponse:
    with_token = body.get("token") is not None
    if not csrf_is_valid(request, body.get("csrfToken")):
        url = (
            api_url(request, "signin", csrf="true")
            if with_token
            else email_sign_in.verify_request_url(request, csrf="true")
        )
        return redirect_response(url, json_mode=json_mode)
    email = body.get("email")
    if with_token:
        result = email_sign_in.sign_in_with_token(request, email, body.get("token"))
    else:
        result = email_sign_in.sign_in_with_code(request, email, body.get("code"))
    return _sign_in_response(result, json_mode)


@_endpoint
@require_http_methods(["GET", "HEAD", "POST"])
@no_store_view
def signout(request: HttpRequest) -> HttpResponse:
    """``GET signout``: a confirmation page; it never signs out. ``POST signout``: sign out.

    The POST is CSRF-checked (failure: ``…/signout?csrf=true``) and answers the
    validated callbackUrl; the server-side session is deleted.
    """
    if request.method == "POST":
        return _sign_out(request)
    callback_url = _callback_url_param(request)
    if conf.PAGES_SIGN_OUT:
        params = _page_params(request, callback_url)
        return _page_redirect(conf.PAGES_SIGN_OUT, "signout", params)
    context = {
        "callback_url": callback_url,
        "csrf_failed": request.GET.get("csrf") == "true",
    }
    return render(request, "django_useauth/signout.html", context)


@_checked_post(back_to="signout")
def _sign_out(
    request: HttpRequest, body: dict[str, Any], json_mode: bool
) -> HttpResponse:
    result = get_auth(request).sign_out(
        callback_url=_posted_callback_url(request, body)
    )
    return redirect_response(result.url, json_mode=json_mode)


def _render_error(request: HttpRequest, code: str | None) -> HttpResponse:
    page = error_page(code)
    context = {"page": page, "site_url": absolute_url(request, "/")}
    response = render(request, "django_useauth/error.html", context, status=page.status)
    if page.status >= 500:
        _log_as_not_a_failure(request, response)
    return response


def _log_as_not_a_failure(request: HttpRequest, response: HttpResponse) -> None:
    # The 500 of error=Configuration is NextAuth v4's status for a page that
    # anyone can ask for with a query string; it is no failure of this request.
    # A misconfiguration the server finds itself is logged at ERROR where it
    # is found. django.request would log every 5xx at ERROR (and mail ADMINS):
    # this records the request at WARNING instead, as it does a 4xx.
    # tests/test_error_logging.py shows that real 500s still reach
    # django.request at ERROR.
    log_quietly(request, response, "warning")


# The codes the "check your e-mail" page explains; others are not shown.
_VERIFY_REQUEST_ERRORS = {
    "Verification": gettext_lazy(
        "That code did not work. It may be mistyped, used, or expired, or it "
        "was tried too many times. Check it, or ask for a new e-mail."
    ),
    "TooManyAttempts": gettext_lazy("Too many failed attempts. Try again later."),
}


@_endpoint
@require_safe
@no_store_view
def verify_request(request: HttpRequest) -> HttpResponse:
    """``GET verify-request``: the "check your e-mail" page, with a form for the e-mailed code.

    Or a redirect to ``USEAUTH_PAGES_VERIFY_REQUEST`` with the same query.
    ``error`` (``Verification``, ``TooManyAttempts``) says why a code was
    refused.
    """
    error = request.GET.get("error")
    known = error if error in _VERIFY_REQUEST_ERRORS else None
    if conf.PAGES_VERIFY_REQUEST:
        params = {"provider": EMAIL_ID, "type": "email"}
        if known:
            params["error"] = known
        if request.GET.get("csrf") == "true":
            params["csrf"] = "true"
        return _page_redirect(conf.PAGES_VERIFY_REQUEST, "verify_request", params)
    context = {
        "email": email_sign_in.pending_address(request),
        "error_message": _VERIFY_REQUEST_ERRORS[known] if known else None,
        "csrf_failed": request.GET.get("csrf") == "true",
        "code_enabled": get_provider(EMAIL_ID) is not None,
    }
    return render(request, "django_useauth/verify_request.html", context)


@_endpoint
@require_safe
@no_store_view
def error(request: HttpRequest) -> HttpResponse:
    """``GET error?error=<code>``: the error page, or the sign-in page for sign-in errors.

    Statuses follow NextAuth v4: ``Configuration`` 500, ``AccessDenied`` and
    ``Verification`` 403, anything else 200. The code is never reflected:
    unknown codes show the default page. The ``Configuration`` page is logged
    by ``django.request`` at WARNING, not ERROR: anyone can ask for it.
    """
    known = _known_error(request.GET.get("error")) or "Default"
    callback_url = _callback_url_param(request)
    # The error comes first in the query, as NextAuth puts it.
    params = {"error": known, **_page_params(request, callback_url)}
    if conf.PAGES_ERROR:
        return _page_redirect(conf.PAGES_ERROR, "error", params)
    if known in SIGN_IN_ERRORS:
        return _page_redirect(conf.PAGES_SIGN_IN, "signin", params)
    return _render_error(request, known)


@_endpoint
@require_safe
def openapi(request: HttpRequest) -> HttpResponse:
    """``GET openapi.json``: the OpenAPI 3.1 description of these endpoints, for this site.

    Served only with ``USEAUTH_OPENAPI`` (default: ``DEBUG``); a 404 otherwise.
    Private, varying on ``Host``, unless ``USEAUTH_URL`` is set.
    """
    if not conf.OPENAPI:
        raise Http404("The OpenAPI description is switched off (USEAUTH_OPENAPI).")
    base = absolute_url(request, reverse("useauth:session").rsplit("/", 1)[0])
    document = openapi_description("openapi.json", base)
    return site_dependent(json_response(document))


@_endpoint
@require_POST
def log(request: HttpRequest) -> HttpResponse:
    """``POST _log``: the client logger's beacon; accepted and dropped."""
    return HttpResponse()
