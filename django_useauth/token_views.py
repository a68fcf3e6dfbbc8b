"""Token mode's endpoints: nuxt-auth's ``local`` provider (with refresh), SPAs on other origins and mobile apps.

Every view answers JSON, sets no cookie and is ``csrf_exempt``: a client
authenticates with what it sends explicitly (the credentials, a refresh token
in the body, ``Authorization: Bearer``), never with something a browser
attaches on its own, so a forged cross-site request has nothing to borrow
(docs/tokens.md). Error bodies are ``{"error": <code>}`` with the codes of
docs/tokens.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar
from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError
from django.db import router
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST
from django.views.decorators.http import require_safe

from django_useauth.conf import conf
from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import access_tokens
from django_useauth.internal import token_families
from django_useauth.internal import token_sign_in
from django_useauth.internal.access_tokens import InvalidAccessToken
from django_useauth.internal.http import bearer_challenge
from django_useauth.internal.http import bearer_token
from django_useauth.internal.http import json_response
from django_useauth.internal.http import no_store
from django_useauth.internal.http import parse_body
from django_useauth.internal.http import site_dependent
from django_useauth.internal.http import string_field
from django_useauth.internal.lifetime import user_payload
from django_useauth.internal.openapi import for_server as openapi_description
from django_useauth.internal.redirects import absolute_url
from django_useauth.internal.token_families import RefreshRefused
from django_useauth.middleware import get_auth

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http import HttpResponse

__all__ = ["login", "logout", "openapi", "refresh", "register", "session"]

_View = TypeVar("_View", bound=Callable[..., Any])


def _endpoint(view: _View) -> _View:
    # Reachable signed out, no CSRF (see the module's docstring), never
    # cached, and never a cookie: the view runs with a throwaway session, so
    # whatever a user_logged_in receiver writes to request.session is neither
    # saved (SESSION_SAVE_EVERY_REQUEST included) nor sent; the request's own
    # session is left as it came.
    @functools.wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        original = request.__dict__.get("session")
        if original is not None:
            engine = import_module(settings.SESSION_ENGINE)
            request.session = engine.SessionStore()
        try:
            response: HttpResponse = view(request, *args, **kwargs)
        finally:
            if original is not None:
                request.session = original
        return no_store(response)

    return cast(_View, login_not_required(csrf_exempt(inner)))


def _error(code: str, status: int, **headers: str) -> HttpResponse:
    response = json_response({"error": code}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _malformed() -> HttpResponse:
    return _error("MalformedBody", 400)


def _not_found() -> HttpResponse:
    return _error("NotFound", 404)


@_endpoint
@require_POST
@sensitive_post_parameters()
@sensitive_variables("body")
def login(request: HttpRequest) -> HttpResponse:
    """``POST login``: the credentials fields (JSON or form) → ``{"token", "refreshToken", "expires"}``."""
    if not conf.CREDENTIALS_ENABLED:
        return _not_found()
    body = parse_body(request)
    if body is None:
        return _malformed()
    outcome = token_sign_in.sign_in(request, body)
    if outcome.pair is not None:
        return json_response(outcome.pair.as_json())
    assert outcome.error is not None
    if outcome.retry_after is not None:
        return _error(
            outcome.error, outcome.status, **{"Retry-After": str(outcome.retry_after)}
        )
    return _error(outcome.error, outcome.status)


@_endpoint
@require_safe
def session(request: HttpRequest) -> HttpResponse:
    """``GET session`` with ``Authorization: Bearer``: the session object, as ``GET /api/auth/session`` shapes it."""
    auth = get_auth(request)
    if auth.scheme != "bearer":
        # No token, or one that names none of our keys.
        sent = bool(bearer_token(request))
        return bearer_challenge(request, error="invalid_token" if sent else None)
    data = auth.get_session()
    if data is None:
        return bearer_challenge(request, error="invalid_token")
    return json_response(data)


@_endpoint
@require_POST
@sensitive_post_parameters("refreshToken")
@sensitive_variables()
def refresh(request: HttpRequest) -> HttpResponse:
    """``POST refresh`` ``{"refreshToken"}`` → a new access token (and refresh token, with rotation)."""
    body = parse_body(request)
    value = string_field(body, "refreshToken") if body is not None else None
    if not value:
        return _malformed()
    try:
        pair = token_families.refresh(value)
    except RefreshRefused as refused:
        return _error(refused.code, 401)
    return json_response(pair.as_json())


@_endpoint
@require_POST
@sensitive_post_parameters("refreshToken")
@sensitive_variables()
def logout(request: HttpRequest) -> HttpResponse:
    """``POST logout``: revoke the family of the posted refresh token, or of the Bearer token (even expired).

    Answer ``{}``, or ``401`` when the request holds neither a refresh token
    nor an access token of this site.
    """
    body = parse_body(request)
    value = string_field(body, "refreshToken") if body is not None else None
    family = token_families.family_of(value) if value else None
    family_id = str(family.id) if family is not None else _family_of_bearer(request)
    if family_id is None:
        return bearer_challenge(request, error="invalid_token")
    auth = get_auth(request)
    try:
        live = auth.scheme == "bearer" and auth.get_session() is not None
    except StoreUnavailable:
        # The revocation cache cannot say whether the token is live: the
        # family is revoked all the same, and revoke() answers the 503.
        live = False
    if live:
        # Sends signed_out, as a sign-out with a live token.
        auth.sign_out()
    token_families.revoke(family_id)
    return json_response({})


@sensitive_variables()
def _family_of_bearer(request: HttpRequest) -> str | None:
    token = bearer_token(request)
    if not token:
        return None
    try:
        return access_tokens.verify(token, allow_expired=True).family
    except InvalidAccessToken:
        return None


@_endpoint
@require_POST
@sensitive_post_parameters()
@sensitive_variables("body")
def register(request: HttpRequest) -> HttpResponse:
    """``POST register`` (nuxt-auth's ``signUp``): create a user with the form of ``USEAUTH_TOKEN_REGISTER_FORM``.

    ``404`` unless ``USEAUTH_TOKEN_REGISTER`` is on; ``201 {"user": {…}}``;
    ``400 {"error": "InvalidRegistration", "fields": {…}}`` with Django's
    form errors. It signs nobody in: nuxt-auth calls ``POST login`` next.
    """
    if not conf.TOKEN_REGISTER:
        return _not_found()
    body = parse_body(request)
    if body is None:
        return _malformed()
    form_class = import_string(conf.TOKEN_REGISTER_FORM)
    # Only strings reach the form: a JSON number or list is type confusion.
    form = form_class(data={k: v for k, v in body.items() if isinstance(v, str)})
    if not form.is_valid():
        return _invalid_registration(form)
    try:
        # Its own transaction: a failed INSERT must not break the request's.
        with transaction.atomic(using=router.db_for_write(form._meta.model)):
            user = form.save()
    except IntegrityError:
        # Two sign-ups for one username at once: the form's uniqueness check
        # passed for both, and the password's hashing lies between it and
        # the INSERT. The loser is told as if it had come second.
        form.validate_unique()
        if form.is_valid():
            raise
        return _invalid_registration(form)
    return json_response({"user": user_payload(user)}, status=201)


def _invalid_registration(form: Any) -> HttpResponse:
    return json_response(
        {"error": "InvalidRegistration", "fields": form.errors.get_json_data()},
        status=400,
    )


@_endpoint
@require_safe
def openapi(request: HttpRequest) -> HttpResponse:
    """``GET openapi.json``: the OpenAPI 3.1 description of token mode's endpoints, for this site.

    Served only with ``USEAUTH_OPENAPI`` (default: ``DEBUG``); a 404 otherwise.
    """
    if not conf.OPENAPI:
        return _not_found()
    base = absolute_url(request, reverse("useauth_token:session").rsplit("/", 1)[0])
    document = openapi_description("token_openapi.json", base)
    return site_dependent(json_response(document))
