"""``IsSignedIn``, and the documented roles pattern built on it.

``IsSignedIn`` passes only when ``request.auth`` is a signed-in
``AuthDetails``, that is when ``UseAuthAuthentication`` authenticated the
request: ``401`` when no class did, ``403`` when another class did (DRF's
Basic authentication, or its ``SessionAuthentication``, whose ``request.auth``
is ``None``). Roles come from ``USEAUTH_SESSION_CALLBACK`` (here
tests.callbacks.session_with_roles: staff are editors) and are read from
``request.auth.data`` by a subclass (tests.drf_views.IsEditor).
"""

from __future__ import annotations

from django.test import TestCase
from django.test import override_settings
from rest_framework.request import Request
from rest_framework.views import APIView

from django_useauth.middleware import get_auth
from django_useauth.rest_framework import IsSignedIn
from tests.drf_utils import CHALLENGE
from tests.drf_utils import DRF_URLS
from tests.drf_utils import NOT_AUTHENTICATED
from tests.drf_utils import NOT_PERMITTED
from tests.drf_utils import assert_challenged
from tests.drf_utils import basic_auth
from tests.drf_utils import detail
from tests.drf_utils import http_request
from tests.drf_views import IsEditor
from tests.utils import ROLES_CALLBACK
from tests.utils import csrf_client
from tests.utils import make_user
from tests.utils import read_session
from tests.utils import sign_in


def drf_request(wrapped, auth):
    """DRF's ``Request`` around ``wrapped``, whose ``request.auth`` is ``auth`` (nothing authenticates it again)."""
    request = Request(wrapped, authenticators=[])
    request.user = wrapped.user
    request.auth = auth
    return request


@override_settings(**DRF_URLS)
class IsSignedInTests(TestCase):
    def setUp(self):
        self.user = make_user()
        self.client = csrf_client()

    def test_signed_in(self):
        sign_in(self.client)
        response = self.client.get("/drf/me/")
        assert response.status_code == 200
        assert response.json()["status"] == "authenticated"

    def test_nobody_authenticated_is_401(self):
        assert_challenged(self.client.get("/drf/me/"))

    def test_basic_authentication_is_403(self):
        # Basic authentication authenticated the request, not the session:
        # IsSignedIn refuses it.
        response = self.client.get("/drf/with-basic/", headers=basic_auth())
        assert response.status_code == 403
        assert detail(response) == NOT_PERMITTED
        assert not response.has_header("WWW-Authenticate")

    def test_wrong_basic_password_is_401(self):
        response = self.client.get(
            "/drf/with-basic/", headers=basic_auth(password="wrong")
        )
        assert response.status_code == 401
        # DRF challenges with the view's first class.
        assert response["WWW-Authenticate"] == CHALLENGE
        assert detail(response) == "Invalid username/password."

    def test_session_comes_first(self):
        sign_in(self.client)
        response = self.client.get("/drf/with-basic/", headers=basic_auth())
        assert response.status_code == 200
        assert response.json()["requestAuth"] == "AuthDetails"

    def test_behind_drf_session_authentication_is_403(self):
        # DRF's SessionAuthentication authenticates the signed-in request,
        # with request.auth None: not signed in for IsSignedIn.
        sign_in(self.client)
        response = self.client.get("/drf/session-auth-signed-in/")
        assert response.status_code == 403
        assert detail(response) == NOT_PERMITTED

    def test_behind_drf_session_authentication_signed_out(self):
        # SessionAuthentication has no challenge: DRF answers 403.
        response = self.client.get("/drf/session-auth-signed-in/")
        assert response.status_code == 403
        assert detail(response) == NOT_AUTHENTICATED


class HasPermissionTests(TestCase):
    """``has_permission`` on DRF's own ``Request``, whatever ``request.auth`` holds."""

    def setUp(self):
        self.view = APIView()

    def test_signed_in_details(self):
        signed_in = http_request(make_user())
        request = drf_request(signed_in, get_auth(signed_in))
        assert IsSignedIn().has_permission(request, self.view) is True

    def test_signed_out_details(self):
        signed_out = http_request()
        request = drf_request(signed_out, get_auth(signed_out))
        assert IsSignedIn().has_permission(request, self.view) is False

    def test_anything_else(self):
        # A signed-in session that another class authenticated: its token,
        # DRF's None, a truthy stand-in are not the session's details.
        signed_in = http_request(make_user())
        for auth in (None, "a token", object(), True):
            with self.subTest(auth=auth):
                request = drf_request(signed_in, auth)
                assert IsSignedIn().has_permission(request, self.view) is False


@override_settings(**DRF_URLS, USEAUTH_SESSION_CALLBACK=ROLES_CALLBACK)
class RolesTests(TestCase):
    """The documented IsEditor: roles from the session callback, in request.auth.data."""

    def setUp(self):
        self.client = csrf_client()

    def test_editor(self):
        make_user(is_staff=True)
        sign_in(self.client)
        response = self.client.get("/drf/editor/")
        assert response.status_code == 200
        body = response.json()
        assert body["data"]["user"]["roles"] == ["editor"]
        # The shaped session, as GET /api/auth/session answers it.
        assert body["data"] == read_session(self.client)

    def test_not_an_editor_is_403(self):
        make_user()
        sign_in(self.client)
        assert read_session(self.client)["user"]["roles"] == []
        response = self.client.get("/drf/editor/")
        assert response.status_code == 403
        assert detail(response) == NOT_PERMITTED

    def test_signed_out_is_401(self):
        assert_challenged(self.client.get("/drf/editor/"))

    def test_promotion_shows_on_the_next_request(self):
        user = make_user()
        sign_in(self.client)
        assert self.client.get("/drf/editor/").status_code == 403
        user.is_staff = True
        user.save()
        assert self.client.get("/drf/editor/").status_code == 200

    @override_settings(USEAUTH_SESSION_CALLBACK=None)
    def test_no_roles_in_the_session_is_403(self):
        make_user(is_staff=True)
        sign_in(self.client)
        assert "roles" not in read_session(self.client)["user"]
        assert self.client.get("/drf/editor/").status_code == 403

    def test_has_permission_signed_out_short_circuits(self):
        # Signed out, request.auth has no data: the subclass must not read it.
        signed_out = http_request()
        request = drf_request(signed_out, get_auth(signed_out))
        assert IsEditor().has_permission(request, APIView()) is False
