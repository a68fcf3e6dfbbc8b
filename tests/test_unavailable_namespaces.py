"""The endpoints' raw outage errors answer 503 under any instance namespace (issue 16).

At the endpoints, ``AuthMiddleware`` also turns the raw errors of the code
they run, which name no store, into the 503 of an outage: here the token
endpoints' (``authenticate()``, the refresh's queries), which do not catch
them themselves (the ``/api/auth`` POST actions and the OAuth callback do).
It recognises the endpoints by their application namespace
(``useauth_token``, ``useauth``), which an ``include(..., namespace=...)``
keeps while it renames the instance.

This module is also the URLconf of its tests (``ROOT_URLCONF=__name__``).
"""

from __future__ import annotations

from unittest import mock

from django.db import OperationalError
from django.http import HttpRequest
from django.http import HttpResponse
from django.test import Client
from django.test import TestCase
from django.test import override_settings
from django.urls import include
from django.urls import path

from tests.attacks.base import assert_json
from tests.outage_utils import RETRY_AFTER
from tests.outage_utils import database_down
from tests.utils import PASSWORD
from tests.utils import make_user
from tests.utils import post_json

#: A database that stopped, as Django raises it (simulated under the view).
STOPPED = OperationalError("server closed the connection unexpectedly")

ACCEPT_JSON = {"Accept": "application/json"}

UNAVAILABLE = {
    "error": "ServiceUnavailable",
    "url": "http://testserver/auth/error?error=ServiceUnavailable",
}
#: Token mode's endpoints answer JSON only, without the error page's URL.
TOKEN_UNAVAILABLE = {"error": "ServiceUnavailable"}


def project_view(request: HttpRequest) -> HttpResponse:
    raise STOPPED


urlpatterns = [
    # The error page's URL is in the 503's body.
    path("auth/", include("django_useauth.urls", namespace="web")),
    path("tokens/", include("django_useauth.token_urls", namespace="mobile")),
    path("project/", include(([path("", project_view)], "project"))),
]


@override_settings(ROOT_URLCONF=__name__)
class InstanceNamespaceTests(TestCase):
    def setUp(self):
        make_user()
        self.client = Client(raise_request_exception=False)

    def test_the_token_endpoints_answer_503(self):
        credentials = {"username": "ada", "password": PASSWORD}
        with mock.patch(
            "django_useauth.internal.credentials.authenticate", side_effect=STOPPED
        ):
            # As nuxt-auth's $fetch posts it: JSON, accepting JSON.
            response = post_json(
                self.client, "/tokens/login", credentials, headers=ACCEPT_JSON
            )
        assert_json(response, 503, TOKEN_UNAVAILABLE)
        assert response["Retry-After"] == RETRY_AFTER
        pair = post_json(self.client, "/tokens/login", credentials).json()
        body = {"refreshToken": pair["refreshToken"]}
        with database_down():
            response = post_json(
                self.client, "/tokens/refresh", body, headers=ACCEPT_JSON
            )
        assert_json(response, 503, TOKEN_UNAVAILABLE)
        assert response["Retry-After"] == RETRY_AFTER
        # Control: with the database back, the same refresh token refreshes.
        assert post_json(self.client, "/tokens/refresh", body).status_code == 200

    def test_a_project_view_is_left_alone(self):
        # Not an endpoint: its raw error is the project's to handle (a 500).
        with self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/project/")
        assert response.status_code == 500
