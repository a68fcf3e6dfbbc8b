"""The plain Django views the benchmark compares django-useauth with."""

from __future__ import annotations

from datetime import UTC

from django.http import HttpRequest
from django.http import JsonResponse

from django_useauth.decorators import auth_required
from django_useauth.middleware import get_auth


def plain_session(request: HttpRequest) -> JsonResponse:
    """Answer ``{user: {name, email, image}, expires}`` from ``request.user`` alone.

    The practical floor of a Django session endpoint: Django's own session and
    user loading, no django-useauth code (``request.auth`` is never read). It
    answers ``{}`` signed out, like ``GET /api/auth/session``.
    """
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({})
    expires = request.session.get_expiry_date().astimezone(UTC)
    return JsonResponse(
        {
            "user": {
                "name": user.get_full_name() or user.get_username(),
                "email": user.email or None,
                "image": None,
            },
            "expires": expires.isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            ),
        }
    )


def untouched(request: HttpRequest) -> JsonResponse:
    """Answer a constant without reading ``request.auth``, the session or the user.

    What ``AuthMiddleware`` costs a view that does not use it is the difference
    between a server with the middleware and one without, on this view.
    """
    return JsonResponse({"ok": True})


@auth_required
def protected(request: HttpRequest) -> JsonResponse:
    """Answer ``request.auth.data`` (the session object) to a signed-in request; 401 or a redirect otherwise.

    An API view as a project writes it: ``@auth_required`` and the session
    object. With ``Authorization: Bearer`` the token alone decides (on the
    Redis store: no SQL, two cache reads); with the session cookie it reads
    as ``GET /api/auth/session`` does.
    """
    return JsonResponse(get_auth(request).data)
