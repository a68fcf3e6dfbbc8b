"""The demo's two small APIs on the same session: Django REST framework and django-ninja.

``GET /api/drf/me`` and ``GET /api/ninja/me`` answer the session as each
framework's view sees it in ``request.auth``; ``POST …/echo`` shows that an
unsafe method needs Django's CSRF token (the ``X-CSRFToken`` header). Signed
out, each answers its framework's ``401``. The demo page ``/apis/`` calls them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja import Schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from django_useauth.middleware import AuthDetails
from django_useauth.ninja import useauth

if TYPE_CHECKING:
    from rest_framework.request import Request


def _answer(framework: str, auth: AuthDetails) -> dict[str, Any]:
    refreshed = auth.last_refreshed_at
    return {
        "framework": framework,
        "status": auth.status,
        "session": auth.data,
        "lastRefreshedAt": refreshed.isoformat() if refreshed else None,
    }


# DRF: UseAuthAuthentication and IsSignedIn are the project's defaults
# (REST_FRAMEWORK in testproject/settings.py), so request.auth is AuthDetails.
@api_view(["GET"])
def drf_me(request: Request) -> Response:
    """The session, as ``request.auth`` holds it in a DRF view."""
    assert isinstance(request.auth, AuthDetails)  # IsSignedIn let it in
    return Response(_answer("Django REST framework", request.auth))


@api_view(["POST"])
def drf_echo(request: Request) -> Response:
    """Echo ``message`` back with the signed-in user's e-mail; needs the CSRF token."""
    assert isinstance(request.auth, AuthDetails)
    assert request.auth.data is not None
    message = request.data.get("message", "") if isinstance(request.data, dict) else ""
    return Response(
        {"message": str(message), "email": request.auth.data["user"]["email"]}
    )


# django-ninja: auth=useauth on the whole API.
ninja_api = NinjaAPI(
    title="django-useauth demo (django-ninja)",
    urls_namespace="demo-ninja",
    auth=useauth,
)


class Echo(Schema):
    message: str = ""


@ninja_api.get("/me")
def ninja_me(request: HttpRequest) -> dict[str, Any]:
    """The session, as ``request.auth`` holds it in a Ninja operation."""
    return _answer("django-ninja", request.auth)  # type: ignore[attr-defined]


@ninja_api.post("/echo")
def ninja_echo(request: HttpRequest, payload: Echo) -> dict[str, str]:
    """Echo ``message`` back with the signed-in user's e-mail; needs the CSRF token."""
    auth: AuthDetails = request.auth  # type: ignore[attr-defined]
    assert auth.data is not None  # useauth let the request in
    return {"message": payload.message, "email": auth.data["user"]["email"] or ""}
