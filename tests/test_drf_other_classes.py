"""DRF views whose authentication classes are not ours: the cookie's session survives them.

DRF's ``Request.user`` setter writes through to ``HttpRequest.user``: an
``AnonymousUser`` when none of a view's classes authenticated the request, a
token's (here: Basic's) user otherwise. ``get_auth()``, the decorators and the
tags must go on answering the session of the cookie, not sign it out and not
report that other user.
"""

from __future__ import annotations

from typing import Any

from django.test import TestCase
from django.test import override_settings
from django.urls import include
from django.urls import path
from rest_framework.authentication import BasicAuthentication
from rest_framework.decorators import api_view
from rest_framework.decorators import authentication_classes
from rest_framework.decorators import permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.viewsets import ViewSet

from django_useauth.decorators import auth_required
from django_useauth.middleware import get_auth
from django_useauth.mixins import AuthRequiredMixin
from tests.drf_utils import basic_auth
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import past_its_end
from tests.utils import read_session
from tests.utils import sign_in
from tests.utils import store


def _answer(request: Request) -> dict[str, Any]:
    auth = get_auth(request)
    data = auth.data
    return {
        "status": auth.status,
        "email": data["user"]["email"] if data else None,
        "drfUser": request.user.get_username(),
        # Django's request.user, after get_auth() read the session.
        "djangoUser": request._request.user.get_username(),
    }


@api_view(["GET"])
@authentication_classes([BasicAuthentication])
@permission_classes([AllowAny])
def basic_only(request: Request) -> Response:
    return Response(_answer(request))


@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def no_classes(request: Request) -> Response:
    return Response(_answer(request))


@api_view(["GET"])
@authentication_classes([BasicAuthentication])
@permission_classes([AllowAny])
@auth_required
def basic_then_required(request: Request) -> Response:
    return Response(_answer(request))


class GuardedNotes(AuthRequiredMixin, ViewSet):
    """AuthRequiredMixin on a ViewSet, registered on a router."""

    authentication_classes = [BasicAuthentication]
    permission_classes = [AllowAny]

    def list(self, request: Request) -> Response:
        return Response(_answer(request))

    def create(self, request: Request) -> Response:
        return Response(_answer(request), status=201)


router = SimpleRouter()
router.register("notes", GuardedNotes, basename="note")

urlpatterns = [
    path("api/auth/", include("django_useauth.urls")),
    path("", include(router.urls)),
    path("basic-only/", basic_only),
    path("no-classes/", no_classes),
    path("basic-then-required/", basic_then_required),
]


@override_settings(ROOT_URLCONF=__name__)
class OtherClassesTests(TestCase):
    def setUp(self):
        make_user()
        make_user("grace", email="grace@example.com")
        self.client = csrf_client()
        sign_in(self.client)
        self.key = self.client.cookies["sessionid"].value
        self.session = read_session(self.client)

    def assert_still_signed_in(self) -> None:
        assert store().exists(self.key)
        assert read_session(self.client) == self.session

    def test_no_class_authenticated_the_request(self):
        # DRF wrote AnonymousUser through to request.user.
        for route in ("/basic-only/", "/no-classes/"):
            with self.subTest(route):
                body = self.client.get(route).json()
                assert body == {
                    "status": "authenticated",
                    "email": "ada@example.com",
                    "drfUser": "",
                    "djangoUser": "",
                }
                self.assert_still_signed_in()

    def test_another_class_authenticated_another_user(self):
        # Basic authenticated grace; the cookie's session is still ada's.
        body = self.client.get("/basic-only/", headers=basic_auth("grace")).json()
        assert body == {
            "status": "authenticated",
            "email": "ada@example.com",
            "drfUser": "grace",
            "djangoUser": "grace",
        }
        self.assert_still_signed_in()

    def test_auth_required_below_api_view(self):
        body = self.client.get("/basic-then-required/").json()
        assert body["status"] == "authenticated"
        assert body["email"] == "ada@example.com"
        self.assert_still_signed_in()

    def test_a_session_ended_does_not_clobber_the_other_user(self):
        # The cookie's session is gone (deleted in the store); Basic's user
        # stays DRF's user, and the session reads as signed out.
        store(self.key).delete(self.key)
        body = self.client.get("/basic-only/", headers=basic_auth("grace")).json()
        assert body == {
            "status": "unauthenticated",
            "email": None,
            "drfUser": "grace",
            "djangoUser": "grace",
        }

    def test_a_session_past_its_end_leaves_the_other_user_alone(self):
        # get_auth() finds the cookie's session over and flushes it; DRF's
        # user (Basic's grace) stays request.user.
        past_its_end(self.client)
        body = self.client.get("/basic-only/", headers=basic_auth("grace")).json()
        # Not reset to anonymous: DRF wrote grace there after AuthMiddleware.
        assert body == {
            "status": "unauthenticated",
            "email": None,
            "drfUser": "grace",
            "djangoUser": "grace",
        }
        assert not store().exists(self.key)

    def test_auth_required_mixin_on_a_viewset_and_router(self):
        assert self.client.get("/notes/").json()["email"] == "ada@example.com"
        signed_out = csrf_client()
        response = signed_out.get("/notes/", headers={"Accept": "application/json"})
        assert response.status_code == 401
        # Basic authenticated grace: the guard still asks for the cookie's
        # session, and CSRF-checks its POST (DRF's Basic class does not).
        assert signed_out.get("/notes/", headers=basic_auth("grace")).status_code == 302
        assert (
            self.client.post("/notes/", headers=basic_auth("grace")).status_code == 403
        )
        token = {"X-CSRFToken": csrf_token(self.client)}
        created = self.client.post("/notes/", headers={**basic_auth("grace"), **token})
        assert created.status_code == 201
        assert created.json()["email"] == "ada@example.com"
        assert created.json()["drfUser"] == "grace"
