"""The endpoints and the decorated views under Django's LoginRequiredMiddleware."""

from __future__ import annotations

from django.test import TestCase
from django.test import override_settings

from tests.utils import make_user
from tests.utils import sign_in


@override_settings(
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
        "django_useauth.middleware.AuthMiddleware",
    ]
)
class LoginRequiredMiddlewareTests(TestCase):
    def test_endpoints_are_reachable_signed_out(self):
        for path in (
            "csrf",
            "providers",
            "session",
            "signin",
            "signout",
            "error",
            "signin/credentials",
        ):
            response = self.client.get(f"/api/auth/{path}")
            assert response.status_code == 200, path

    def test_posts_are_reachable_signed_out(self):
        make_user()
        response = sign_in(self.client)
        assert response.json() == {"url": "http://testserver/"}

    def test_decorated_views_answer_themselves(self):
        response = self.client.get("/protected/?x=1")
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Fprotected%2F%3Fx%3D1"
        )
        assert self.client.get("/guest/").status_code == 200
        assert self.client.get("/cbv-guest/").status_code == 200

    def test_plain_view_still_protected(self):
        response = self.client.get("/plain/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        make_user()
        sign_in(self.client)
        assert self.client.get("/plain/").content == b"plain"
