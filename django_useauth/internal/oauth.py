"""OAuth and OpenID Connect providers through social-auth, at NextAuth's URLs.

Every social-core backend in ``AUTHENTICATION_BACKENDS`` is a provider, with its
``name`` as the NextAuth id. ``POST /api/auth/signin/<id>`` starts the flow with
social-core's ``do_auth`` and ``GET|POST /api/auth/callback/<id>`` completes it
with ``do_complete``, so the redirect URI registered at a provider is the one a
NextAuth app registers. The callbackUrl is ours: validated before the flow
starts, kept in the session and re-checked when it is used. Failures become
NextAuth error codes; the provider's own reason goes to the log only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

import requests
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from social_core.actions import do_auth
from social_core.actions import do_complete
from social_core.backends.base import BaseAuth
from social_core.exceptions import AuthAssociationError
from social_core.exceptions import AuthCanceled
from social_core.exceptions import AuthConfigurationError
from social_core.exceptions import AuthCredentialError
from social_core.exceptions import AuthInputError
from social_core.exceptions import AuthPolicyError
from social_core.exceptions import AuthResponseError
from social_core.exceptions import AuthSessionError
from social_core.exceptions import SocialAuthBaseException
from social_core.utils import get_strategy
from social_django.strategy import DjangoStrategy

from django_useauth.internal.callbacks import SignInRefused
from django_useauth.internal.callbacks import sign_in_refusal
from django_useauth.internal.credentials import complete_sign_in
from django_useauth.internal.events import send_event
from django_useauth.internal.pages import api_url
from django_useauth.internal.pages import error_url
from django_useauth.internal.providers import SocialBackend
from django_useauth.internal.redirects import absolute_url
from django_useauth.internal.redirects import allowed_callback_url
from django_useauth.internal.redirects import is_allowed_callback_url
from django_useauth.internal.redirects import resolve_callback_url
from django_useauth.signals import signed_in as signed_in_signal

if TYPE_CHECKING:
    from django.contrib.auth.models import _User
    from django.http import HttpRequest
    from django.http import HttpResponse


# Logged under the name projects configure, whatever module holds the code.
logger = logging.getLogger("django_useauth.oauth")


def callback_url_key(provider_id: str) -> str:
    """Return the session key of the validated callbackUrl of a flow with ``provider_id``.

    One per provider, like social-core's state: a flow started with one
    provider does not change where another's ends.
    """
    return f"_useauth_callback_url:{provider_id}"


# social-core keeps a redirect value of its own under the name given to
# do_auth/do_complete and appends it to the URL it redirects to. The callbackUrl
# is ours (callback_url_key()), so social-core gets a field name that
# UseAuthStrategy hides from it in requests and in the session.
_NO_REDIRECT_FIELD = "_useauth_no_redirect_field"

# The outcomes of do_complete, by the social-core setting that names its URL.
_SUCCESS_URL_SETTINGS = frozenset(
    {"LOGIN_REDIRECT_URL", "NEW_USER_REDIRECT_URL", "NEW_ASSOCIATION_REDIRECT_URL"}
)
_ERROR_URL_SETTINGS = {
    "INACTIVE_USER_URL": "AccessDenied",
    "LOGIN_ERROR_URL": "Callback",
}


class UseAuthStrategy(DjangoStrategy):
    """social-app-django's strategy, with the URLs social-core ends a flow on set by us.

    ``do_complete`` ends on ``LOGIN_REDIRECT_URL`` (or ``NEW_USER_…`` /
    ``NEW_ASSOCIATION_REDIRECT_URL``) when the user is signed in or an account
    was linked: here that is the flow's callbackUrl, checked again. It ends on
    ``INACTIVE_USER_URL`` or ``LOGIN_ERROR_URL`` when it refuses the user: here
    the error page with ``AccessDenied`` or ``Callback``.
    """

    #: The absolute URLs of the flow's outcomes; set by :func:`_backend`.
    success_url = ""
    error_params: dict[str, str] = {}

    def request_data(self, merge: bool = True) -> dict[str, Any]:
        # social-core would keep (at the start) or use (at the callback) a
        # redirect posted under its field name, around our redirect policy.
        data = super().request_data(merge)
        if _NO_REDIRECT_FIELD in data:
            data = {k: v for k, v in data.items() if k != _NO_REDIRECT_FIELD}
        return data

    def session_get(self, name: str, default: Any = None) -> Any:
        if name == _NO_REDIRECT_FIELD:
            return default
        return super().session_get(name, default)  # type: ignore[no-untyped-call]

    def session_set(self, name: str, value: Any) -> None:
        if name != _NO_REDIRECT_FIELD:
            super().session_set(name, value)  # type: ignore[no-untyped-call]

    def setting(self, name: str, default: Any = None, backend: Any = None) -> Any:
        if name in _SUCCESS_URL_SETTINGS:
            return self.success_url
        if name in _ERROR_URL_SETTINGS:
            return error_url(
                self._require_request(), _ERROR_URL_SETTINGS[name], **self.error_params
            )
        return super().setting(name, default, backend)


def _success_url(request: HttpRequest, callback_url: object) -> str:
    # social-core recognises a URL only by a lower-case "http(s)://" (else it
    # reads the value as a setting name, finds none and fails the sign-in),
    # so an accepted "HTTPS://site/x" is handed over as "https://site/x".
    scheme, separator, rest = resolve_callback_url(request, callback_url).partition(
        "://"
    )
    return f"{scheme.lower()}{separator}{rest}"


def _backend(
    request: HttpRequest, backend_class: SocialBackend, callback_url: object = None
) -> BaseAuth[Any]:
    storage = getattr(
        settings, "SOCIAL_AUTH_STORAGE", "social_django.models.DjangoStorage"
    )
    strategy = get_strategy(
        "django_useauth.internal.oauth.UseAuthStrategy", storage, request
    )
    assert isinstance(strategy, UseAuthStrategy)
    strategy.success_url = _success_url(request, callback_url)
    allowed = allowed_callback_url(request, callback_url)
    if allowed is not None:
        strategy.error_params = {"callbackUrl": allowed}
    redirect_uri = absolute_url(
        request, reverse("useauth:callback", args=[backend_class.name])
    )
    return backend_class(strategy, redirect_uri)


def error_code(exc: BaseException) -> str:
    """Return the NextAuth error code for a failure of social-core (or of the HTTP call to a provider)."""
    if isinstance(exc, SignInRefused):
        return exc.code
    if isinstance(exc, (AuthCanceled, AuthPolicyError)):
        # The user declined at the provider, or the pipeline refused them.
        return "AccessDenied"
    if isinstance(exc, AuthAssociationError):
        return "OAuthAccountNotLinked"
    if isinstance(exc, AuthConfigurationError):
        # A provider that answers invalid_request or invalid_client reported
        # the error itself (NextAuth: Callback); without a provider code the
        # integration is misconfigured here.
        return "Callback" if exc.provider_code is not None else "Configuration"
    if isinstance(
        exc,
        (
            AuthSessionError,
            AuthResponseError,
            AuthCredentialError,
            AuthInputError,
            requests.RequestException,
        ),
    ):
        # state, PKCE, nonce, token exchange and token validation failures.
        return "OAuthCallback"
    return "Callback"


def _log_failure(stage: str, provider_id: str, exc: BaseException) -> None:
    # The provider's reason is for operators only; the page shows the code.
    if isinstance(exc, SignInRefused):
        logger.info("OAuth sign-in with %r refused: %s", provider_id, exc.code)
    elif isinstance(exc, AuthConfigurationError) and exc.provider_code is None:
        # error=Configuration: our own integration is misconfigured, which an
        # operator must fix. Logged at ERROR here, with what is misconfigured;
        # the error page the browser lands on is not (anyone can request it).
        logger.error(
            "OAuth %s with %r failed: misconfigured: %s (code=%s parameter=%r "
            "detail=%r stage=%s)",
            stage,
            provider_id,
            exc,
            exc.code,
            exc.parameter,
            exc.detail,
            exc.stage,
        )
    elif isinstance(exc, SocialAuthBaseException):
        logger.warning(
            "OAuth %s with %r failed: %s (code=%s source=%s stage=%s provider_code=%r)",
            stage,
            provider_id,
            exc,
            exc.code,
            exc.source,
            exc.stage,
            exc.provider_code,
        )
    else:
        logger.exception("OAuth %s with %r failed.", stage, provider_id)


@dataclass(frozen=True)
class OAuthStart:
    """Where :func:`start` sends the browser.

    ``url`` is the provider's authorize URL, or the error page when ``error``
    is set. ``response`` is social-core's answer (the redirect there, or a
    backend's own sign-in page); ``None`` on an error.
    """

    response: HttpResponse | None
    url: str
    error: str | None


def start(
    request: HttpRequest, backend_class: SocialBackend, callback_url: object
) -> OAuthStart:
    """Start signing in with ``backend_class``: keep the callbackUrl, build the provider's authorize URL.

    Never raises for a provider or configuration failure: the result then
    carries ``error="OAuthSignin"`` and the error page URL.
    """
    provider_id = backend_class.name
    session = request.session
    key = callback_url_key(provider_id)
    session.pop(key, None)
    if is_allowed_callback_url(request, callback_url):
        session[key] = callback_url
    user = request.user if request.user.is_authenticated else None
    try:
        response = do_auth(
            _backend(request, backend_class),
            redirect_name=_NO_REDIRECT_FIELD,
            user=user,
        )
    except Exception as exc:  # any failure to build the URL is OAuthSignin
        _log_failure("sign-in", provider_id, exc)
        return OAuthStart(None, error_url(request, "OAuthSignin"), "OAuthSignin")
    if response.status_code in (301, 302, 303, 307, 308):
        return OAuthStart(response, absolute_url(request, response["Location"]), None)
    # A backend that signs in with an HTML page (auto-submitting form) has no
    # URL to hand to a JSON client; browsers get the page itself.
    return OAuthStart(response, error_url(request, "OAuthSignin"), None)


def _complete_failed(
    request: HttpRequest,
    provider_id: str,
    exc: Exception,
    signed_in: bool,
    callback_url: object,
) -> HttpResponse:
    _log_failure("callback", provider_id, exc)
    if signed_in:
        # Signed in, then failed: undo the sign-in rather than leave it half done.
        logout(request)
    # The flow's callbackUrl stays: a forged callback (a wrong state) must
    # not spoil the genuine one still on its way. The next start replaces it.
    allowed = allowed_callback_url(request, callback_url)
    params = {"callbackUrl": allowed} if allowed is not None else {}
    return HttpResponseRedirect(error_url(request, error_code(exc), **params))


def complete(request: HttpRequest, backend_class: SocialBackend) -> HttpResponse:
    """Complete signing in with ``backend_class`` (the provider redirected here).

    Success (signed in, or the account linked to the signed-in user): a
    redirect to the flow's callbackUrl, checked again now. Failure: a redirect
    to the error page with the NextAuth code, and no sign-in left half done.
    The response of an interrupted social-auth pipeline (a form of the
    project's, say) passes through; the flow then resumes here.
    """
    provider_id = backend_class.name
    key = callback_url_key(provider_id)
    callback_url = request.session.get(key)
    backend = _backend(request, backend_class, callback_url)
    signed_in: list[_User] = []

    def login(backend: BaseAuth[Any], user: _User, social_user: Any) -> None:
        refusal = sign_in_refusal(user=user, provider=provider_id, request=request)
        if refusal is not None:
            raise SignInRefused(refusal)
        user.backend = f"{type(backend).__module__}.{type(backend).__name__}"
        complete_sign_in(request, user)
        signed_in.append(user)

    current = request.user if request.user.is_authenticated else None
    try:
        response: HttpResponse = do_complete(
            backend,
            login,
            user=current,
            redirect_name=_NO_REDIRECT_FIELD,
            request=request,
        )
    except Exception as exc:  # every failure ends on the error page
        return _complete_failed(
            request, provider_id, exc, bool(signed_in), callback_url
        )
    if signed_in:
        send_event(
            signed_in_signal, signed_in[0], request=request, provider=provider_id
        )
    location = response.get("Location", "")
    # The strategy's success URL was resolved once, above (a redirect callback
    # is not asked twice).
    success_url = cast(UseAuthStrategy, backend.strategy).success_url
    if location == success_url or location.startswith(api_url(request, "error") + "?"):
        # The flow ended; an interrupted pipeline keeps its callbackUrl.
        request.session.pop(key, None)
    return response
