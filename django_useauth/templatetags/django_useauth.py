"""Template tags: ``{% load django_useauth %}``.

Each tag wraps a typed function that builds its HTML with ``format_html``.
Tags render nothing when the template context has no ``request`` (check
``useauth.W001`` reports the missing context processor); with a request that
``AuthMiddleware`` did not see, the tags that read the session raise
``ImproperlyConfigured``. They read the session through
:func:`~django_useauth.middleware.get_auth`, so a template rendered by a DRF
or django-ninja view sees it too. Tags that take a
``callback_url`` default to the current page; pass ``None`` to leave it out.
Their default texts are translated into the active language; a text passed
by the template is used as given. One filter, ``bdi``, isolates a name inside
a translated sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING
from typing import Any
from typing import Concatenate
from typing import Final
from typing import ParamSpec
from typing import TypeVar

from django import template
from django.middleware.csrf import get_token
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.html import format_html
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import pgettext
from django.utils.translation import pgettext_lazy

from django_useauth import defaults
from django_useauth.conf import conf
from django_useauth.internal import client as _client
from django_useauth.internal.assets import asset_url as _asset_url
from django_useauth.internal.pages import sign_in_url as _sign_in_url
from django_useauth.internal.providers import CREDENTIALS_ID
from django_useauth.internal.providers import EMAIL_ID
from django_useauth.internal.providers import Provider
from django_useauth.internal.providers import get_providers
from django_useauth.internal.redirects import allowed_callback_url
from django_useauth.middleware import get_auth

if TYPE_CHECKING:
    from django.http import HttpRequest


__all__ = [
    "CURRENT_PAGE",
    "Site",
    "auth_status",
    "auth_user",
    "bdi",
    "credentials_form",
    "email_form",
    "provider_buttons",
    "sign_in_link",
    "sign_in_url",
    "sign_out_form",
    "useauth_importmap",
    "useauth_importmap_entry",
    "useauth_module_url",
    "useauth_script",
    "useauth_site",
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
# The labels of the fields Django's user model has; any other field is
# labelled with its own name, which is the project's to choose. With a
# context: apps listed before ours in INSTALLED_APPS translate a bare "Email"
# their own way ("E-Mail-Adresse"), and theirs would win.
_LABELS = {
    "username": pgettext_lazy("sign-in form field", "Username"),
    "password": pgettext_lazy("sign-in form field", "Password"),
    "email": pgettext_lazy("sign-in form field", "Email"),
}
_AUTOCOMPLETE = {
    "password": "current-password",
    "username": "username",
    "email": "email",
}
# What a visitor types takes its own direction (dir="auto": a name in Arabic
# reads right to left on an English page, and the other way round), except
# that an address is written left to right in every language, and that a
# password field's alignment would tell onlookers the script of the password.
_DIRECTION = {
    "password": _EMPTY,
    "email": SafeString(' dir="ltr"'),
}
_AUTO_DIRECTION = SafeString(' dir="auto"')


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


def _sign_in_with(name: str) -> str:
    # Translators: the button of a sign-in method, e.g. "Sign in with GitHub".
    return gettext("Sign in with %(provider)s") % {"provider": name}


def _credentials_button(name: str) -> str:
    # "Sign in with Credentials" means nothing to a visitor: NextAuth's
    # default name stays the provider's name on the wire, and the button of
    # the password form just says "Sign in".
    if name == defaults.CREDENTIALS_NAME:
        # Translators: the button that signs in (the password form, the code form,
        # the page of an e-mailed link), and the heading of sign-in pages.
        return gettext("Sign in")
    return _sign_in_with(name)


def _provider_button(
    request: HttpRequest, provider: Provider, callback_url: str | None
) -> SafeString:
    return format_html(
        '<form class="useauth-provider" method="post" action="{}">{}'
        '<button type="submit">{}</button></form>',
        reverse("useauth:signin_provider", args=[provider.id]),
        _hidden_fields(request, callback_url),
        _sign_in_with(provider.name),
    )


def _field_state(error_id: str | None, first: bool) -> SafeString:
    # Refused credentials: every input is invalid and described by the
    # message, and the first one takes the focus, so that a screen reader
    # reads the message where the visitor types again.
    if error_id is None:
        return _EMPTY
    return format_html(
        ' aria-invalid="true" aria-describedby="{}"{}',
        error_id,
        SafeString(" autofocus") if first else _EMPTY,
    )


def _credential_inputs(fields: tuple[str, ...], error_id: str | None) -> SafeString:
    return format_html_join(
        "",
        '<p><label for="useauth-{0}">{1}</label>'
        '<input id="useauth-{0}" name="{0}" type="{2}"{3} autocomplete="{4}" required{5}></p>',
        (
            (
                field,
                _LABELS.get(field, field.replace("_", " ").capitalize()),
                _INPUT_TYPES.get(field, "text"),
                _DIRECTION.get(field, _AUTO_DIRECTION),
                _AUTOCOMPLETE.get(field, "on"),
                _field_state(error_id, index == 0),
            )
            for index, field in enumerate(fields)
        ),
    )


@dataclass(frozen=True)
class Site:
    """What ``{% useauth_site %}`` gives: the site's look on the built-in pages, ready to render.

    ``name``: ``USEAUTH_SITE_NAME`` in the active language, or ``None``.
    ``logo``: the URL of ``USEAUTH_SITE_LOGO``, or ``None``. ``url``:
    ``USEAUTH_SITE_URL`` resolved like ``resolve_url()``, or ``None``.
    ``favicon``: the URL of ``USEAUTH_FAVICON``, or of the icon shipped with
    the app.
    """

    name: str | None
    logo: str | None
    url: str | None
    favicon: str


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def useauth_script(
    context: template.Context,
    refresh_on_focus: bool = True,
    refresh_interval: int = 0,
    nonce: str | None = None,
    importmap: bool = True,
) -> SafeString:
    """``{% useauth_script %}``: hydrate and load the browser client (``useauth.js``); put it in ``<head>``, before any other module script.

    Renders the session as a ``json_script`` data block (not executed), an
    import map that names the module's static URL ``"django-useauth"`` (so
    the page's modules write ``import { useAuth } from "django-useauth"``),
    and the ``<script type="module">``; a Content-Security-Policy has to
    allow the last two, which carry the ``nonce``. ``importmap=False`` leaves
    the import map out, for a page with an import map of its own (put
    ``{% useauth_importmap_entry %}`` in it). ``refresh_interval`` (seconds,
    0 = off) refreshes a signed-in session periodically; ``refresh_on_focus``
    (default on) refreshes when the page gets the focus. ``nonce`` defaults to
    the page's CSP nonce: Django's ``csp_nonce`` context variable, or
    django-csp's ``request.csp_nonce``.
    """
    return _client.script(
        context,
        refresh_on_focus=refresh_on_focus,
        refresh_interval=refresh_interval,
        nonce=nonce,
        importmap=importmap,
    )


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def useauth_importmap(
    context: template.Context, nonce: str | None = None
) -> SafeString:
    """``{% useauth_importmap %}``: the ``<script type="importmap">`` that names ``useauth.js``'s static URL ``"django-useauth"``.

    ``{% useauth_script %}`` renders it already; this tag is for a page that
    needs the map before its own first module script and loads the client
    later with ``{% useauth_script importmap=False %}``. ``nonce`` defaults to
    the page's CSP nonce, as for ``{% useauth_script %}``.
    """
    return _client.importmap_script(context, nonce=nonce)


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def useauth_importmap_entry(context: template.Context) -> SafeString:
    """``{% useauth_importmap_entry %}``: ``"django-useauth": "<static URL of useauth.js>"``, to put in the ``"imports"`` of the page's own import map (JSON, safe inside ``<script>``)."""
    return _client.importmap_entry()


@register.simple_tag(takes_context=True)
@_with_request("")
def useauth_module_url(context: template.Context) -> str:
    """``{% useauth_module_url %}``: the static URL of ``useauth.js`` (after ``STATIC_URL`` and the storage's hashed name), escaped; for an HTML attribute such as ``modulepreload``'s ``href`` (inside a ``<script>``, import ``"django-useauth"`` through the map)."""
    return _client.module_url()


@register.simple_tag
def useauth_site() -> Site:
    """``{% useauth_site as site %}``: the site's ``name``, ``logo``, ``url`` and ``favicon`` for the built-in pages.

    From ``USEAUTH_SITE_NAME`` (in the active language), ``USEAUTH_SITE_LOGO``,
    ``USEAUTH_SITE_URL`` (resolved like a URL name) and ``USEAUTH_FAVICON``; a
    logo or favicon that is not a URL or absolute path is a static file.
    ``None`` where the setting is ``None``, except the favicon, which falls
    back to the icon shipped with the app. A URL name that does not reverse
    raises ``NoReverseMatch`` (check ``useauth.E052`` reports it).
    """
    name, logo, url = conf.SITE_NAME, conf.SITE_LOGO, conf.SITE_URL
    return Site(
        name=None if name is None else str(name),
        logo=None if logo is None else _asset_url(logo),
        url=None if url is None else resolve_url(url),
        favicon=_asset_url(conf.FAVICON or defaults.FAVICON),
    )


@register.filter
def bdi(value: object) -> SafeString:
    """``{{ name|bdi }}``: the value, escaped, in ``<bdi>``; empty for ``None`` or ``""``.

    For a name inside a translated sentence (``{% blocktranslate with
    name=site.name|bdi %}``): the name keeps its own direction, so an
    English name ending in punctuation stays whole on an Arabic page, and the
    sentence's msgid holds no markup of its own.
    """
    if value is None or value == "":
        return _EMPTY
    return format_html("<bdi>{}</bdi>", value)


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
    text: str | None = None,
    callback_url: str | _CurrentPage | None = CURRENT_PAGE,
) -> SafeString:
    """``{% sign_in_link "Log in" %}``: a link to the sign-in page that comes back here; its text defaults to "Sign in", translated."""
    request = context["request"]
    return format_html(
        '<a class="useauth-sign-in" href="{}">{}</a>',
        _sign_in_url(request, callback_url=_callback(request, callback_url)),
        gettext("Sign in") if text is None else text,
    )


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def sign_out_form(
    context: template.Context,
    text: str | None = None,
    callback_url: str | _CurrentPage | None = CURRENT_PAGE,
) -> SafeString:
    """``{% sign_out_form "Log out" %}``: a sign-out button (a POST form to ``/api/auth/signout`` with the CSRF token); its text defaults to "Sign out", translated."""
    request = context["request"]
    return format_html(
        '<form class="useauth-sign-out" method="post" action="{}">{}'
        '<button type="submit">{}</button></form>',
        reverse("useauth:signout"),
        _hidden_fields(request, _callback(request, callback_url)),
        gettext("Sign out") if text is None else text,
    )


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def provider_buttons(
    context: template.Context, callback_url: str | _CurrentPage | None = CURRENT_PAGE
) -> SafeString:
    """``{% provider_buttons %}``: a "Sign in with <name>" POST form per OAuth provider, or nothing."""
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
    context: template.Context,
    callback_url: str | _CurrentPage | None = CURRENT_PAGE,
    error_id: str | None = None,
) -> SafeString:
    """``{% credentials_form %}``: the credentials sign-in form (one labelled input per field), or nothing if that provider is off.

    The button reads "Sign in", or "Sign in with <name>" when
    ``USEAUTH_CREDENTIALS_NAME`` is not the default. ``error_id``: the id of
    the element saying that the credentials were refused; the inputs are then
    ``aria-invalid``, described by it, and the first one has the focus.
    """
    request = context["request"]
    provider = get_providers().get(CREDENTIALS_ID)
    if provider is None:
        return _EMPTY
    return format_html(
        '<form class="useauth-credentials" method="post" action="{}">{}{}'
        '<button type="submit">{}</button></form>',
        reverse("useauth:callback", args=[CREDENTIALS_ID]),
        _hidden_fields(request, _callback(request, callback_url)),
        _credential_inputs(tuple(conf.CREDENTIALS_FIELDS), error_id),
        _credentials_button(provider.name),
    )


@register.simple_tag(takes_context=True)
@_with_request(_EMPTY)
def email_form(
    context: template.Context,
    callback_url: str | _CurrentPage | None = CURRENT_PAGE,
    error_id: str | None = None,
) -> SafeString:
    """``{% email_form %}``: the email provider's form (an address, a "Send a sign-in link" button), or nothing if that provider is off.

    It posts to ``/api/auth/signin/email``. ``error_id``: the id of the
    element saying that the e-mail could not be sent; the input is then
    ``aria-invalid``, described by it, and has the focus.
    """
    request = context["request"]
    provider = get_providers().get(EMAIL_ID)
    if provider is None:
        return _EMPTY
    return format_html(
        '<form class="useauth-email" method="post" action="{}">{}'
        '<p><label for="useauth-email-address">{}</label>'
        '<input id="useauth-email-address" name="email" type="email" dir="ltr"'
        ' autocomplete="email" required{}></p>'
        '<button type="submit">{}</button></form>',
        reverse("useauth:signin_provider", args=[EMAIL_ID]),
        _hidden_fields(request, _callback(request, callback_url)),
        pgettext("sign-in form field", "Email address"),
        _field_state(error_id, first=True),
        _email_button(provider.name),
    )


def _email_button(name: str) -> str:
    if name == defaults.EMAIL_NAME:
        # Translators: the button of the form that e-mails a sign-in link and code.
        return gettext("Send a sign-in link")
    return _sign_in_with(name)
