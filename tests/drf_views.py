"""Django REST framework views for the DRF tests (routes: tests/urls_drf.py).

Views that name :class:`UseAuthAuthentication` read ``request.auth`` itself
(``.status``, ``.data``, ``.last_refreshed_at``); the others, which keep
DRF's default ``SessionAuthentication`` (``request.auth`` is ``None``), read
:func:`get_auth`. Each answers what kind of object DRF left in
``request.auth``, so that the tests see which is which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework import viewsets
from rest_framework.authentication import BasicAuthentication
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view
from rest_framework.decorators import authentication_classes
from rest_framework.decorators import permission_classes
from rest_framework.decorators import renderer_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from django_useauth.decorators import auth_required
from django_useauth.decorators import unauthenticated_only
from django_useauth.middleware import get_auth
from django_useauth.mixins import AuthRequiredMixin
from django_useauth.rest_framework import IsSignedIn
from django_useauth.rest_framework import UseAuthAuthentication

if TYPE_CHECKING:
    from rest_framework.request import Request

    from django_useauth.middleware import AuthDetails

#: The schema of every answer (so that drf-spectacular needs no serializer).
OBJECT = OpenApiTypes.OBJECT

#: The session key the writing views count their writes in.
WRITES_KEY = "drf_writes"

#: The session key the notes viewset keeps its notes in.
NOTES_KEY = "drf_notes"


class IsEditor(IsSignedIn):
    """The documented pattern: a role from USEAUTH_SESSION_CALLBACK's session data.

    Written as the issue and docs/apis.md write it (untyped, as a project
    would, so that ``request.auth`` is read as it is at run time).
    """

    def has_permission(self, request, view):
        return super().has_permission(request, view) and "editor" in request.auth.data[
            "user"
        ].get("roles", ())


class TeamSession(UseAuthAuthentication):
    """A project's subclass: its own realm in the challenge."""

    www_authenticate_realm = "team"


def from_request_auth(request: Request) -> dict[str, Any]:
    """What ``request.auth`` says, read as an AuthDetails (an AttributeError otherwise)."""
    auth = cast("AuthDetails", request.auth)
    refreshed = auth.last_refreshed_at
    return {
        "requestAuth": type(request.auth).__name__,
        "sameAsGetAuth": request.auth is get_auth(request),
        "status": auth.status,
        "data": auth.data,
        "lastRefreshedAt": refreshed.isoformat() if refreshed is not None else None,
    }


def from_get_auth(request: Request) -> dict[str, Any]:
    """What :func:`get_auth` says, whatever DRF left in ``request.auth``."""
    auth = get_auth(request)
    return {
        "requestAuth": type(request.auth).__name__,
        "status": auth.status,
        "data": auth.data,
        "signedIn": bool(auth),
        "user": request.user.get_username(),
    }


def write(request: Request) -> Response:
    """An unsafe method's effect: one more write counted in the session."""
    writes = request.session.get(WRITES_KEY, 0) + 1
    request.session[WRITES_KEY] = writes
    code = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
    return Response({"method": request.method, "writes": writes}, status=code)


# Class-based views authenticated by UseAuthAuthentication.


@extend_schema(responses=OBJECT, request=None)
class MeView(APIView):
    authentication_classes = [UseAuthAuthentication]
    permission_classes = [IsSignedIn]

    def get(self, request: Request) -> Response:
        return Response(from_request_auth(request))

    def post(self, request: Request) -> Response:
        return write(request)

    def put(self, request: Request) -> Response:
        return write(request)

    def patch(self, request: Request) -> Response:
        return write(request)

    def delete(self, request: Request) -> Response:
        return write(request)


@extend_schema(responses=OBJECT)
class UsernameView(APIView):
    """Reads ``request.user``: a query when the session payload came from the cache."""

    authentication_classes = [UseAuthAuthentication]
    permission_classes = [IsSignedIn]

    def get(self, request: Request) -> Response:
        return Response({"username": request.user.get_username()})


@extend_schema(responses=OBJECT)
class IsAuthenticatedView(APIView):
    """DRF's own ``IsAuthenticated`` over our authentication."""

    authentication_classes = [UseAuthAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(from_request_auth(request))


@extend_schema(responses=OBJECT)
class OptionalView(APIView):
    """Our authentication, open to everyone."""

    authentication_classes = [UseAuthAuthentication]
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response(from_get_auth(request))


@extend_schema(responses=OBJECT)
class WithBasicView(APIView):
    """Our authentication first, DRF's Basic authentication second."""

    authentication_classes = [UseAuthAuthentication, BasicAuthentication]
    permission_classes = [IsSignedIn]

    def get(self, request: Request) -> Response:
        return Response(from_request_auth(request))


@extend_schema(responses=OBJECT)
class SessionAuthSignedInView(APIView):
    """``IsSignedIn`` behind DRF's ``SessionAuthentication`` only: nobody gets in."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsSignedIn]

    def get(self, request: Request) -> Response:  # pragma: no cover
        return Response({"reached": True})


@extend_schema(responses=OBJECT)
class EditorView(APIView):
    authentication_classes = [UseAuthAuthentication]
    permission_classes = [IsEditor]

    def get(self, request: Request) -> Response:
        return Response(from_request_auth(request))


@extend_schema(responses=OBJECT)
class TeamView(APIView):
    authentication_classes = [TeamSession]
    permission_classes = [IsSignedIn]

    def get(self, request: Request) -> Response:
        return Response(from_request_auth(request))


@extend_schema(responses=OBJECT, request=None)
class SignOutView(APIView):
    """``request.auth.sign_out()`` from a DRF view."""

    authentication_classes = [UseAuthAuthentication]
    permission_classes = [IsSignedIn]

    def post(self, request: Request) -> Response:
        auth = cast("AuthDetails", request.auth)
        result = auth.sign_out(callback_url="/bye/")
        return Response({"url": result.url, "status": auth.status})


# DRF's defaults (SessionAuthentication, BasicAuthentication): request.auth is None.


@extend_schema(responses=OBJECT)
class DefaultAuthView(APIView):
    def get(self, request: Request) -> Response:
        return Response(from_get_auth(request))


@extend_schema(responses=OBJECT)
class RequiredSessionView(APIView):
    """``get_session(required=True)``: signed out, AuthMiddleware answers the SessionRequired DRF lets through."""

    def get(self, request: Request) -> Response:
        return Response(get_auth(request).get_session(required=True))


# Function views: @api_view above and below our decorators.


@extend_schema(responses=OBJECT, request=None)
@api_view(["GET", "POST"])
@authentication_classes([UseAuthAuthentication])
@permission_classes([IsSignedIn])
def me_function(request: Request) -> Response:
    if request.method == "POST":
        return write(request)
    return Response(from_request_auth(request))


@extend_schema(responses=OBJECT, request=None)
@api_view(["GET", "POST"])
@auth_required
def api_then_required(request: Request) -> Response:
    """``@api_view`` above ``@auth_required``, DRF's default authentication (issue 12: a 500)."""
    if request.method == "POST":
        return write(request)
    return Response(from_get_auth(request))


@extend_schema(responses=OBJECT)
@api_view(["GET"])
@auth_required(callback_url="/after/")
def api_then_required_callback(request: Request) -> Response:
    return Response(from_get_auth(request))


@extend_schema(responses=OBJECT, request=None)
@api_view(["GET", "POST"])
@authentication_classes([UseAuthAuthentication])
@permission_classes([AllowAny])
@auth_required
def api_then_required_useauth(request: Request) -> Response:
    """``@api_view`` above ``@auth_required``, authenticated by UseAuthAuthentication."""
    if request.method == "POST":
        return write(request)
    return Response(from_request_auth(request))


@extend_schema(responses=OBJECT)
@api_view(["GET"])
@unauthenticated_only(navigate_authenticated_to="/drf/me/")
def api_then_guest(request: Request) -> Response:
    return Response(from_get_auth(request))


@auth_required
@extend_schema(responses=OBJECT, request=None)
@api_view(["GET", "POST"])
def required_then_api(request: Request) -> Response:
    """``@auth_required`` above ``@api_view``: the decorator sees the HttpRequest."""
    if request.method == "POST":
        return write(request)
    return Response(from_get_auth(request))


# AuthRequiredMixin on APIView.


@extend_schema(responses=OBJECT, request=None)
class MixinView(AuthRequiredMixin, APIView):
    """The mixin first, DRF's default authentication."""

    def get(self, request: Request) -> Response:
        return Response(from_get_auth(request))

    def post(self, request: Request) -> Response:
        return write(request)


@extend_schema(responses=OBJECT, request=None)
class MixinUseAuthView(AuthRequiredMixin, APIView):
    """The mixin first, UseAuthAuthentication and IsSignedIn."""

    auth_callback_url = "/after/"
    authentication_classes = [UseAuthAuthentication]
    permission_classes = [IsSignedIn]

    def get(self, request: Request) -> Response:
        return Response(from_request_auth(request))

    def post(self, request: Request) -> Response:
        return write(request)


# A viewset, routed by a router.


class NoteViewSet(viewsets.ViewSet):
    """Notes kept in the session, listed under the signed-in user's email."""

    authentication_classes = [UseAuthAuthentication]
    permission_classes = [IsSignedIn]

    def _notes(self, request: Request) -> list[str]:
        notes: list[str] = request.session.get(NOTES_KEY, [])
        return notes

    def _owner(self, request: Request) -> str:
        auth = cast("AuthDetails", request.auth)
        assert auth.data is not None
        return str(auth.data["user"]["email"])

    @extend_schema(responses=OBJECT, operation_id="notes_list")
    def list(self, request: Request) -> Response:
        return Response({"owner": self._owner(request), "notes": self._notes(request)})

    @extend_schema(request=OBJECT, responses=OBJECT)
    def create(self, request: Request) -> Response:
        data = cast("dict[str, Any]", request.data)
        notes = [*self._notes(request), str(data.get("text", ""))]
        request.session[NOTES_KEY] = notes
        return Response(
            {"owner": self._owner(request), "id": len(notes) - 1},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        responses=OBJECT,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        notes = self._notes(request)
        index = int(pk)
        if not 0 <= index < len(notes):
            raise NotFound()
        return Response({"owner": self._owner(request), "text": notes[index]})


# Templates rendered by DRF (TemplateHTMLRenderer): the renderer hands DRF's
# Request to the context processors and the template tags.


@extend_schema(responses=OBJECT)
class TemplateDefaultView(APIView):
    """DRF's default authentication: ``request.auth`` is ``None`` in the template's request."""

    renderer_classes = [TemplateHTMLRenderer]
    template_name = "drf/status.html"

    def get(self, request: Request) -> Response:
        return Response({"request_auth": type(request.auth).__name__})


@extend_schema(responses=OBJECT)
class TemplateUseAuthView(TemplateDefaultView):
    authentication_classes = [UseAuthAuthentication]
    permission_classes = [AllowAny]


@extend_schema(responses=OBJECT)
@api_view(["GET"])
@renderer_classes([TemplateHTMLRenderer])
def template_function(request: Request) -> Response:
    return Response(
        {"request_auth": type(request.auth).__name__}, template_name="drf/status.html"
    )
