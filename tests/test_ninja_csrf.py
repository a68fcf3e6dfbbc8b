"""CSRF with ``auth=useauth``: checked for signed-in unsafe requests only.

Signed in, a POST without Django's CSRF token answers Ninja's ``403
{"detail": "CSRF check Failed"}`` and the operation does not run; with the
token from ``GET /api/auth/csrf`` it runs. Signed out, nothing is
CSRF-checked, so a second ``auth=`` callback (a Bearer token) decides.
"""

from __future__ import annotations

from django.test import TestCase
from django.test import override_settings

from tests.ninja_utils import BEARER
from tests.ninja_utils import CSRF_FAILED
from tests.ninja_utils import NINJA_URLS
from tests.ninja_utils import UNAUTHORIZED
from tests.ninja_utils import VIA_BEARER
from tests.ninja_utils import VIA_SESSION
from tests.ninja_utils import first_name
from tests.utils import csrf_client
from tests.utils import csrf_headers
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import post_json
from tests.utils import post_with_csrf
from tests.utils import sign_in
from tests.utils import signed_in_client

#: POSTs that rename the user, per place of ``auth=useauth``.
RENAME = {
    "operation": "/ninja/ops/rename",
    "router": "/ninja/router/session/rename",
    "api": "/ninja/api/rename",
}


@NINJA_URLS
class SignedInCsrfTests(TestCase):
    def setUp(self):
        make_user()
        self.client = signed_in_client()

    def test_post_without_token_is_403_and_changes_nothing(self):
        # Ninja's own answer: the same as its django_auth's.
        reference = post_json(
            self.client, "/ninja/ops/django-auth-rename", {"name": "Mallory"}
        )
        assert reference.status_code == 403
        for place, url in RENAME.items():
            with self.subTest(place):
                response = post_json(self.client, url, {"name": "Mallory"})
                assert response.status_code == 403
                assert response.json() == CSRF_FAILED
                assert response.content == reference.content
                assert response["Content-Type"] == reference["Content-Type"]
        assert first_name() == "Ada"
        # Still signed in: a CSRF failure is not a sign-out.
        assert self.client.get("/ninja/ops/me").json()["status"] == "authenticated"

    def test_wrong_token_is_403(self):
        csrf_token(self.client)
        response = post_json(
            self.client,
            "/ninja/ops/rename",
            {"name": "Mallory"},
            headers={"X-CSRFToken": "x" * 64},
        )
        assert (response.status_code, response.json()) == (403, CSRF_FAILED)
        assert first_name() == "Ada"

    def test_token_from_the_csrf_endpoint(self):
        for place, url in RENAME.items():
            with self.subTest(place):
                response = post_with_csrf(self.client, url, {"name": place})
                assert (response.status_code, response.json()) == (
                    200,
                    {"renamed": place},
                )
                assert first_name() == place

    def test_safe_methods_need_no_token(self):
        for url in ("/ninja/ops/me", "/ninja/router/session/me", "/ninja/api/me"):
            with self.subTest(url):
                response = self.client.get(url)
                assert response.status_code == 200
                assert response.json()["status"] == "authenticated"

    def test_csrf_exempt_operation(self):
        signed_out = csrf_client().post("/ninja/ops/exempt-rename?name=Mallory")
        assert (signed_out.status_code, signed_out.json()) == (401, UNAUTHORIZED)
        response = self.client.post("/ninja/ops/exempt-rename?name=Grace")
        assert (response.status_code, response.json()) == (200, {"renamed": "Grace"})
        assert first_name() == "Grace"

    def test_csrf_false(self):
        response = post_json(
            self.client, "/ninja/ops/unchecked-rename", {"name": "Grace"}
        )
        assert (response.status_code, response.json()) == (200, {"renamed": "Grace"})
        assert first_name() == "Grace"

    @override_settings(CSRF_USE_SESSIONS=True)
    def test_csrf_secret_in_the_session(self):
        client = signed_in_client()
        refused = post_json(client, "/ninja/ops/rename", {"name": "Mallory"})
        assert (refused.status_code, refused.json()) == (403, CSRF_FAILED)
        assert first_name() == "Ada"
        accepted = post_with_csrf(client, "/ninja/ops/rename", {"name": "Grace"})
        assert accepted.status_code == 200
        assert first_name() == "Grace"

    def test_origin_and_referer_are_checked(self):
        # Django's whole check runs, not only the token's.
        token = csrf_token(self.client)
        foreign = post_json(
            self.client,
            "/ninja/ops/rename",
            {"name": "Mallory"},
            headers={"X-CSRFToken": token, "Origin": "https://evil.example"},
        )
        assert (foreign.status_code, foreign.json()) == (403, CSRF_FAILED)
        # Over HTTPS without Origin, a Referer is required.
        no_referer = post_json(
            self.client,
            "/ninja/ops/rename",
            {"name": "Mallory"},
            secure=True,
            headers={"X-CSRFToken": token},
        )
        assert (no_referer.status_code, no_referer.json()) == (403, CSRF_FAILED)
        assert first_name() == "Ada"
        same_origin = post_json(
            self.client,
            "/ninja/ops/rename",
            {"name": "Grace"},
            secure=True,
            headers={"X-CSRFToken": token, "Origin": "https://testserver"},
        )
        assert same_origin.status_code == 200
        assert first_name() == "Grace"


@NINJA_URLS
class DjangoAuthContrastTests(TestCase):
    """Ninja's own ``django_auth`` CSRF-checks every unsafe request; ``useauth`` only signed-in ones."""

    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_signed_out(self):
        django_auth = post_json(
            self.client, "/ninja/ops/django-auth-rename", {"name": "Mallory"}
        )
        assert (django_auth.status_code, django_auth.json()) == (403, CSRF_FAILED)
        useauth = post_json(self.client, "/ninja/ops/rename", {"name": "Mallory"})
        assert (useauth.status_code, useauth.json()) == (401, UNAUTHORIZED)
        assert first_name() == "Ada"

    def test_signed_in_with_token_both_accept(self):
        sign_in(self.client)
        for url in ("/ninja/ops/django-auth-rename", "/ninja/ops/rename"):
            with self.subTest(url):
                response = post_with_csrf(self.client, url, {"name": url})
                assert response.status_code == 200
                assert first_name() == url


@NINJA_URLS
class SecondCallbackTests(TestCase):
    """``auth=[useauth, BearerToken()]``: a signed-out request is the Bearer callback's to decide."""

    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_signed_out_post_without_csrf_goes_to_the_bearer(self):
        response = self.client.post("/ninja/ops/either", headers=BEARER)
        assert response.status_code == 200
        assert response.json() == VIA_BEARER

    def test_signed_out_without_bearer_is_401(self):
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            with self.subTest(headers):
                response = self.client.post("/ninja/ops/either", headers=headers)
                assert (response.status_code, response.json()) == (401, UNAUTHORIZED)

    def test_signed_in_get_is_the_session(self):
        sign_in(self.client)
        assert self.client.get("/ninja/ops/either").json() == VIA_SESSION

    def test_signed_in_post_with_csrf_is_the_session(self):
        sign_in(self.client)
        response = self.client.post(
            "/ninja/ops/either", headers=csrf_headers(self.client)
        )
        assert response.json() == VIA_SESSION

    def test_signed_in_post_without_csrf_is_403_before_the_bearer(self):
        # useauth comes first and refuses: Ninja stops at an auth callback's error.
        sign_in(self.client)
        response = self.client.post("/ninja/ops/either", headers=BEARER)
        assert (response.status_code, response.json()) == (403, CSRF_FAILED)

    def test_bearer_first(self):
        sign_in(self.client)
        assert self.client.get("/ninja/ops/bearer-first").json() == VIA_SESSION
        assert self.client.get("/ninja/ops/bearer-first", headers=BEARER).json() == (
            VIA_BEARER
        )
