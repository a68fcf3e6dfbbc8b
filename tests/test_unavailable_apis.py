"""The APIs while the session store cannot be reached (issue 16): Bearer clients, DRF and django-ninja get a 503.

The store is ``django_useauth.sessions.cache`` on a real Redis client
pointed at a closed loopback port. A token's revocation cache being down is
tests/attacks/test_tokens.py TOK23.
"""

from __future__ import annotations

from django.test import TestCase
from django.test import override_settings

from tests.drf_utils import DRF_URLS
from tests.outage_utils import RETRY_AFTER
from tests.outage_utils import stores_down
from tests.test_unavailable import ERROR_URL
from tests.test_unavailable import KEY
from tests.test_unavailable import assert_unavailable

JSON_ACCEPT = {"Accept": "application/json"}

#: What DRF answers for ``django_useauth.rest_framework.ServiceUnavailable``.
DRF_UNAVAILABLE = {"detail": "The session cannot be read right now; try again shortly."}


class _Down(TestCase):
    def setUp(self):
        self.enterContext(stores_down("sessions"))
        self.client.cookies["sessionid"] = KEY


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache")
class BearerTests(_Down):
    def test_a_bearer_client_gets_json_without_a_url(self):
        # Another library's token: the session decides, and cannot be read.
        response = self.client.get(
            "/protected/", headers={"Authorization": "Bearer not-ours"}
        )
        assert_unavailable(response, json={"error": "ServiceUnavailable"})

    def test_get_session_with_a_bearer_header(self):
        response = self.client.get(
            "/api/auth/session", headers={"Authorization": "Bearer not-ours"}
        )
        assert_unavailable(response, json={})


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache", **DRF_URLS)
class DrfTests(_Down):
    def test_use_auth_authentication(self):
        response = self.client.get("/drf/me/", headers=JSON_ACCEPT)
        assert response.status_code == 503
        assert response["Retry-After"] == RETRY_AFTER
        assert response.json() == DRF_UNAVAILABLE
        assert "sessionid" not in response.cookies

    def test_a_view_set_and_a_function_view(self):
        for url in ("/drf/notes/", "/drf/fn/me/"):
            response = self.client.get(url, headers=JSON_ACCEPT)
            assert response.status_code == 503, url
            assert response["Retry-After"] == RETRY_AFTER

    def test_djangos_authentication_reading_get_auth(self):
        # DRF's default classes: the view's read of get_auth() raises through
        # DRF, and AuthMiddleware answers.
        response = self.client.get("/drf/default/", headers=JSON_ACCEPT)
        assert_unavailable(
            response, json={"error": "ServiceUnavailable", "url": ERROR_URL}
        )


@override_settings(
    SESSION_ENGINE="django_useauth.sessions.cache",
    ROOT_URLCONF="tests.urls_ninja",
    DEBUG=False,
)
class NinjaTests(_Down):
    def test_auth_useauth(self):
        # With DEBUG=False django-ninja re-raises what it has no handler
        # for: AuthMiddleware answers it.
        for url in ("/ninja/ops/me", "/ninja/ops/ame", "/ninja/api/me"):
            response = self.client.get(url, headers=JSON_ACCEPT)
            assert_unavailable(
                response, json={"error": "ServiceUnavailable", "url": ERROR_URL}
            )
