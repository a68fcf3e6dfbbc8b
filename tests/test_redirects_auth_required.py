"""ATTACKS I4 over HTTP: a protected page, its sign-in redirect, the sign-in form, and back to the page."""

from __future__ import annotations

from django.test import Client
from django.test import override_settings

from tests.redirect_utils import SIGN_IN
from tests.redirect_utils import UserTestCase
from tests.redirect_utils import post_form
from tests.redirect_utils import sign_in_from_page
from tests.utils import PASSWORD


class AuthRequiredRoundTripTests(UserTestCase):
    """ATTACKS I4: ``auth_required`` builds a relative callbackUrl that survives sign-in."""

    def test_round_trip(self):
        client = Client()
        response = client.get("/protected/?x=1")
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Fprotected%2F%3Fx%3D1"
        )
        signed_in = sign_in_from_page(client, response["Location"])
        assert signed_in.status_code == 302
        assert signed_in["Location"] == "http://testserver/protected/?x=1"
        landed = client.get(signed_in["Location"])
        assert landed.status_code == 200
        assert landed.content == b"protected"

    @override_settings(ROOT_URLCONF="tests.catch_all_urls")
    def test_path_starting_with_two_slashes(self):
        client = Client()
        response = client.get("/", PATH_INFO="//evil.example/protected/")
        assert response.status_code == 302
        assert response["Location"] == "/api/auth/signin"
        signed_in = sign_in_from_page(client, response["Location"])
        assert signed_in.status_code == 302
        assert signed_in["Location"] == "http://testserver/"

    def test_two_slash_path_without_catch_all_route(self):
        # With the test URLs alone the path matches no route: a 404, not a 500.
        response = Client().get("/", PATH_INFO="//evil.example/protected/")
        assert response.status_code == 404

    def test_two_slash_path_as_callback_url(self):
        client = Client()
        response = post_form(
            client,
            SIGN_IN,
            {
                "username": "ada",
                "password": PASSWORD,
                "callbackUrl": "//evil.example/protected/",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "http://testserver/"
