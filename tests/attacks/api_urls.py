"""The DRF and django-ninja test routes in one URLconf, for the API attack rows.

Besides those of tests/urls_drf.py and tests/urls_ninja.py, two views that only
``@auth_required`` guards, inside API views exempt from ``CsrfViewMiddleware``
(API8): a DRF view with no authentication class and a Ninja operation without
``auth=``; and (API9) a DRF view where Basic authentication may name another
user than the session. Each does what a forged request would want: a write.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI
from rest_framework.authentication import BasicAuthentication
from rest_framework.decorators import api_view
from rest_framework.decorators import authentication_classes
from rest_framework.decorators import permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from django_useauth.decorators import auth_required
from django_useauth.middleware import get_auth
from tests import urls_drf
from tests import urls_ninja


def _rename(request: HttpRequest | Request) -> str:
    data = get_auth(request).data
    assert data is not None  # @auth_required let it in
    User.objects.filter(email=data["user"]["email"]).update(first_name="Mallory")
    return "renamed"


@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@auth_required
def drf_guarded(request: Request) -> Response:
    return Response({"done": _rename(request)})


@api_view(["POST"])
@authentication_classes([BasicAuthentication])
@permission_classes([AllowAny])
@auth_required
def drf_basic_guarded(request: Request) -> Response:
    # API9: Basic may authenticate another user than the cookie's session.
    return Response({"done": _rename(request), "drfUser": request.user.get_username()})


guarded_api = NinjaAPI(urls_namespace="useauth-attacks-guarded")


@guarded_api.post("/rename")
@auth_required
def ninja_guarded(request: HttpRequest) -> dict[str, str]:
    return {"done": _rename(request)}


# /api/auth/ once (both URLconfs start with it), then each framework's routes.
urlpatterns = [
    *urls_drf.urlpatterns,
    *urls_ninja.urlpatterns[1:],
    path("attacks/drf-guarded/", drf_guarded),
    path("attacks/drf-basic-guarded/", drf_basic_guarded),
    path("attacks/ninja-guarded/", guarded_api.urls),
]
