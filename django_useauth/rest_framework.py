"""Django REST framework: authentication and permission from the ``useAuth()`` session.

Needs the ``drf`` extra (``pip install "django-useauth[drf]"``); nothing else
in the package imports Django REST framework. In a DRF view authenticated by
:class:`UseAuthAuthentication`, ``request.auth`` is the request's
:class:`~django_useauth.middleware.AuthDetails` again (``request.auth.status``,
``.data``, ``.last_refreshed_at``) and ``request.user`` is Django's.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING

from django.apps import apps

try:
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.exceptions import APIException
    from rest_framework.permissions import BasePermission
except ImportError as error:
    raise ImportError(
        "django_useauth.rest_framework needs Django REST framework: "
        "pip install 'django-useauth[drf]'"
    ) from error

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal.http import bearer_token
from django_useauth.internal.outages import RETRY_AFTER
from django_useauth.middleware import AuthDetails
from django_useauth.middleware import get_auth

if TYPE_CHECKING:
    from django.contrib.auth.models import _AnyUser
    from rest_framework.request import Request
    from rest_framework.views import APIView

__all__ = ["IsSignedIn", "ServiceUnavailable", "UseAuthAuthentication"]


class ServiceUnavailable(APIException):
    """``503`` with ``Retry-After``: the session's store cannot be reached, so the request is neither signed in nor out."""

    status_code = 503
    default_detail = "The session cannot be read right now; try again shortly."
    default_code = "service_unavailable"
    # DRF's exception handler sends Retry-After for an exception's `wait`.
    wait = RETRY_AFTER


class UseAuthAuthentication(SessionAuthentication):
    """Authenticate a DRF request from the Django session or a Bearer access token, exactly as ``request.auth`` reads it.

    A request with ``Authorization: Bearer <access token>`` (token mode,
    docs/tokens.md) is authenticated by the token alone, and is CSRF-checked
    only if it also carries a session cookie; a refused token answers ``401``
    with ``WWW-Authenticate: Bearer realm="api", error="invalid_token"``.

    Signed in (the same expiry and absolute-lifetime rules, the same sliding
    refresh as ``GET /api/auth/session``), it enforces CSRF as DRF's
    ``SessionAuthentication`` does (unsafe methods need Django's CSRF token,
    e.g. an ``X-CSRFToken`` header with the ``csrfToken`` of
    ``GET /api/auth/csrf``; a failure is ``403`` ``"CSRF Failed: …"``) and
    returns ``(request.user, AuthDetails)``. Signed out, it returns ``None``,
    so DRF tries the next class, and when no class authenticates the request
    a view that needs a user answers ``401`` with
    ``WWW-Authenticate: Session realm="api"``, where ``SessionAuthentication``
    answers ``403``.
    """

    #: The realm of the ``WWW-Authenticate`` challenge of a ``401``.
    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[_AnyUser, AuthDetails] | None:
        """Return ``(user, AuthDetails)`` for a signed-in request, ``None`` for a signed-out one.

        Raise DRF's ``PermissionDenied`` (``403``) when a signed-in request
        with an unsafe method fails Django's CSRF check, and
        :class:`ServiceUnavailable` (``503``) while the session's store cannot
        be reached.
        """
        auth = get_auth(request)
        if _session(auth) is None:
            return None
        self.enforce_csrf(request)
        # For a Bearer request, request.user becomes the token's user.
        auth._adopt_user()
        # The user as the session loaded it; when the session payload came
        # from USEAUTH_SESSION_CACHE it is still lazy, and costs a query only
        # if the view reads it.
        return (request._request.user, auth)

    def authenticate_header(self, request: Request) -> str:
        """Return the ``WWW-Authenticate`` challenge, so that DRF answers ``401`` rather than ``403``.

        ``Session`` is not a registered HTTP scheme: a browser shows no
        password dialog for it (it would for ``Basic``), and a client learns
        that a session cookie is what the API wants. A request that sent a
        Bearer token (ours or not) is answered in RFC 6750's terms.
        """
        if bearer_token(request._request) is not None:
            return (
                f'Bearer realm="{self.www_authenticate_realm}", error="invalid_token"'
            )
        return f'Session realm="{self.www_authenticate_realm}"'


class IsSignedIn(BasePermission):
    """Allow only requests that :class:`UseAuthAuthentication` signed in.

    A request no class authenticated answers ``401``; one another class
    authenticated (a DRF token, say) answers ``403``: the session of a request
    that :class:`UseAuthAuthentication` did not authenticate had no CSRF check.
    Unlike DRF's ``IsAuthenticated`` it never loads the user, which costs a
    query when the session payload came from ``USEAUTH_SESSION_CACHE``.
    Subclass it for checks on the session's data (docs/apis.md).
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        """Return whether ``request.auth`` is a signed-in :class:`~django_useauth.middleware.AuthDetails`."""
        auth = request.auth
        return isinstance(auth, AuthDetails) and _session(auth) is not None


def _session(auth: AuthDetails) -> object:
    try:
        return auth.get_session()
    except StoreUnavailable as error:
        raise ServiceUnavailable from error


def _spectacular_in_use() -> bool:
    # Imported before the app registry is ready (a settings module naming the
    # class object), an importable drf-spectacular is taken as in use.
    if apps.apps_ready:
        return apps.is_installed("drf_spectacular")
    return find_spec("drf_spectacular") is not None


if _spectacular_in_use():
    # Registers the scheme with drf-spectacular: the extension must be
    # defined before the schema is generated, and this module is imported
    # wherever the class is named (DRF imports the classes of its settings
    # when they are first used, after the app registry is ready).
    from django_useauth.internal import spectacular  # noqa: F401
