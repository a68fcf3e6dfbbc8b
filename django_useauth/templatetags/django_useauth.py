"""Template tags: ``{% load django_useauth %}``.

Each tag wraps a typed function that builds its HTML with ``format_html``.
Tags render nothing when the template context has no ``request`` (check
``useauth.W001`` reports the missing context processor); with a request that
``AuthMiddleware`` did not see, the tags that read the session raise
``ImproperlyConfigured``. They read the session through
:func:`~django_useauth.middleware.get_auth`, so a template rendered by a DRF
or django-ninja view sees it too. Tags that take a
``callback_url`` default to the current page; pass ``None`` to leave it out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING
from typing import Any
from typing import Concatenate
from typing import Final
from typing import ParamSpec
from typing import TypeVar

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from django_useauth.conf import conf
from django_useauth.internal import client as _client
from django_useauth.internal.pages import sign_in_url as _sign_in_url
from django_useauth.internal.providers import CREDENTIALS_ID
from django_useauth.internal.providers import Provider
from django_useauth.internal.providers import get_providers
from django_useauth.internal.redirects import allowed_callback_url
from django_useauth.middleware import get_auth

if TYPE_CHECKING:
    from django.http import HttpRequest


__all__ = [
    "CURRENT_PAGE",
    "auth_status",
    "auth_user",
    "credentials_form",
    "provider_buttons",
    "sign_in_link",
    "sign_in_url",
    "sign_out_form",
    "useauth_script",
]

register = template.Library()

_P = ParamSpec("_P")
_R = TypeVar("_R", str, SafeString)


class _CurrentPage:
    def __repr__(self) -> str:
        return "<the current page>"


#: Default of every ``callback_url`` argument: the request's path and query.
CURRENT_PAGE: Final = _CurrentPage()

_EMPTY = SafeString("")

_INPUT_TYPES = {"password": "password", "email": "email"}
_AUTOCOMPLETE = {
    "password": "current-password",
    "username": "username",
    "email": "email",
}


def _callback(
    request: HttpRequest, callback_url: str | _CurrentPage | None
) -> str | None:
    value = request.get_full_path() if callback_url is CURRENT_PAGE else callback_url
    return allowed_callback_url(request, value)


def _hidden_fields(request: HttpRequest, callback_url: str | None) -> SafeString:
    fields = format_html(
        '<input type="hidden" name="csrfToken" value="{}">', get_token(request)
    )
    if callback_url is not None:
        fields += format_html(
            '<input type="hidden" name="callbackUrl" value="{}">', callback_url
        )
    return fields


def _with_request(
    empty: _R,
) -> Callable[
    [Callable[Concatenate[template.Context, _P], _R]],
    Callable[Concatenate[template.Context, _P], _R],
]:
    # Every tag reads context["request"]: without one (no request context
    # processor, check useauth.W001) it renders `empty` instead. functools.wraps
    # keeps the tag's own signature for Django, which checks a tag's arguments
    # when the template is compiled.
    def decorate(
        tag: Callable[Concatenate[template.Context, _P], _R],
    ) -> Callable[Concatenate[template.Context, _P], _R]:
        @wraps(tag)
        def guarded(
            context: template.Context, /, *args: _P.args, **kwargs: _P.kwargs
        ) -> _R:
            if context.get("request") is None:
                return empty
            return tag(context, *args, **kwargs)

        return guarded

    return decorate


def _provider_button(
    request: HttpRequest, provider: Provider, callback_url: str | None
) -> SafeString:
    return format_html(
        '<form class="useauth-provider" method="post" action="{}">{}'
        '<button type="submit">Sign in with {}</button></form>',
        reverse("useauth:signin_provider", args=[provider.id]),
        _hidden_fields(request, callback_url),
        provider.name,
    )


def _credential_inputs(fields: tuple[str, ...]) -> SafeString:
    return format_html_join(
        "",
        '<p><label for="useauth-{0}">{1}</label>'
        '<input id="useauth-{0}" name="{0}" type="{2}" autocomplete="{3}" required></p>',
        (
            (
                field,
                field.replace("_", " ").capitalize(),
                _INPUT_TYPES.get(field, "text"),
                _AUTOCOMPLETE.get(field, "on"),
            )
            for field in fields
        ),
    )


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def useauth_script(
    context: template.Context,
    refresh_on_focus: bool = True,
    refresh_interval: int = 0,
    nonce: str | None = None,
) -> SafeString:
    """``{% useauth_script %}``: hydrate and load the browser client (``useauth.js``); put it in ``<head>``.

    Renders the session as a ``json_script`` data block (not executed, so a
    Content-Security-Policy only has to allow the module script, by ``nonce``
    or by the static files' origin) and the ``<script type="module">``.
    ``refresh_interval`` (seconds, 0 = off) refreshes a signed-in session
    periodically; ``refresh_on_focus`` (default on) refreshes when the page
    gets the focus. ``nonce`` defaults to the page's CSP nonce: Django's
    ``csp_nonce`` context variable, or django-csp's ``request.csp_nonce``.
    """
    return _client.script(
        context,
        refresh_on_focus=refresh_on_focus,
        refresh_interval=refresh_interval,
        nonce=nonce,
    )


@register.simple_tag(takes_context=True)
@_with_request("")
def auth_status(context: template.Context) -> str:
    """``{% auth_status %}``: ``authenticated`` or ``unauthenticated``."""
    return get_auth(context["request"]).status


@register.simple_tag(takes_context=True)
@_with_request("")
def auth_user(context: template.Context, field: str = "name") -> str:
    """``{% auth_user "email" %}``: a field of the session's user (``name``, ``email``, ``image``), escaped; empty signed out."""
    data = get_auth(context["request"]).data
    if data is None:
        return ""
    value: Any = data["user"].get(field)
    return "" if value is None else str(value)


@register.simple_tag(takes_context=True)
@_with_request("")
def sign_in_url(
    context: template.Context, callback_url: str | _CurrentPage | None = CURRENT_PAGE
) -> str:
    """``{% sign_in_url %}``: the sign-in page URL with the current page as callbackUrl."""
    request = context["request"]
    return _sign_in_url(request, callback_url=_callback(request, callback_url))


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def sign_in_link(
    context: template.Context,
    text: str = "Sign in",
    callback_url: str | _CurrentPage | None = CURRENT_PAGE,
) -> SafeString:
    """``{% sign_in_link "Sign in" %}``: a link to the sign-in page that comes back here."""
    request = context["request"]
    return format_html(
        '<a class="useauth-sign-in" href="{}">{}</a>',
        _sign_in_url(request, callback_url=_callback(request, callback_url)),
        text,
    )


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def sign_out_form(
    context: template.Context,
    text: str = "Sign out",
    callback_url: str | _CurrentPage | None = CURRENT_PAGE,
) -> SafeString:
    """``{% sign_out_form "Sign out" %}``: a sign-out button (a POST form to ``/api/auth/signout`` with the CSRF token)."""
    request = context["request"]
    return format_html(
        '<form class="useauth-sign-out" method="post" action="{}">{}'
        '<button type="submit">{}</button></form>',
        reverse("useauth:signout"),
        _hidden_fields(request, _callback(request, callback_url)),
        text,
    )


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def provider_buttons(
    context: template.Context, callback_url: str | _CurrentPage | None = CURRENT_PAGE
) -> SafeString:
    """``{% provider_buttons %}``: a "Sign in with …" POST form per OAuth provider."""
    request = context["request"]
    callback = _callback(request, callback_url)
    return format_html_join(
        "",
        "{}",
        (
            (_provider_button(request, provider, callback),)
            for provider in get_providers().values()
            if provider.type == "oauth"
        ),
    )


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def credentials_form(
    context: template.Context, callback_url: str | _CurrentPage | None = CURRENT_PAGE
) -> SafeString:
    """``{% credentials_form %}``: the credentials sign-in form (one labelled input per field), or nothing if that provider is off."""
    request = context["request"]
    provider = get_providers().get(CREDENTIALS_ID)
    if provider is None:
        return _EMPTY
    return format_html(
        '<form class="useauth-credentials" method="post" action="{}">{}{}'
        '<button type="submit">Sign in with {}</button></form>',
        reverse("useauth:callback", args=[CREDENTIALS_ID]),
        _hidden_fields(request, _callback(request, callback_url)),
        _credential_inputs(tuple(conf.CREDENTIALS_FIELDS)),
        provider.name,
    )
