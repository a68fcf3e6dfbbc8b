"""ATTACKS API1–API9: the session through Django REST framework and django-ninja.

Each row runs against both frameworks where both apply: DRF's
``UseAuthAuthentication`` with ``IsSignedIn`` (``/drf/me/``, whose unsafe
methods count a write in the session) and django-ninja's ``auth=useauth``
(``/ninja/ops/rename``, which renames the user). docs/security.md, "APIs",
lists the rows.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.test import override_settings
from django.utils import timezone

from django_useauth.internal.lifetime import SIGNED_IN_AT_KEY
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import AttackTestCase
from tests.attacks.base import session_key
from tests.drf_utils import basic_auth
from tests.drf_views import WRITES_KEY
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import sign_in
from tests.utils import store

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

DRF = "/drf/me/"
NINJA = "/ninja/ops/rename"
NINJA_READ = "/ninja/ops/me"
EVIL = "https://evil.example"


def _forge(client: Client, route: str, **extra: Any) -> TestResponse:
    # The request a page on another site makes the victim's browser send:
    # the victim's cookies (CSRF cookie included), a body, no readable token.
    response: TestResponse = client.post(
        route,
        json.dumps({"name": "Mallory"}),
        content_type="application/json",
        **extra,
    )
    return response


@override_settings(ROOT_URLCONF="tests.attacks.api_urls")
class ApiAttackTests(AttackTestCase):
    def setUp(self):
        super().setUp()
        sign_in(self.client)
        self.key = session_key(self.client)

    def assert_unchanged(self) -> None:
        # Neither the DRF write nor the Ninja rename happened.
        assert WRITES_KEY not in store(self.key)
        assert User.objects.get(username="ada").first_name == "Ada"

    def assert_refused(self, response: TestResponse, status: int) -> None:
        assert response.status_code == status, response.content
        assert response["Content-Type"].startswith("application/json")

    def test_API1_forged_cross_site_post(self):
        # No Origin header (older browsers, some proxies strip it): the
        # missing token alone refuses it.
        csrf_token(self.client)  # the victim's browser holds a CSRF cookie
        drf = _forge(self.client, DRF)
        self.assert_refused(drf, 403)
        assert drf.json()["detail"] == "CSRF Failed: CSRF token missing."
        # Ninja's answer does not say why; Django's CSRF log does.
        with self.assertLogs("django.security.csrf", "WARNING") as logs:
            ninja = _forge(self.client, NINJA)
        self.assert_refused(ninja, 403)
        assert ninja.json()["detail"] == "CSRF check Failed"
        assert "CSRF token missing" in logs.output[0]
        self.assert_unchanged()

    def test_API2_token_of_another_browser(self):
        attacker = csrf_client()
        token = csrf_token(attacker)  # valid, for the attacker's own CSRF cookie
        csrf_token(self.client)
        for route in (DRF, NINJA):
            with self.subTest(route):
                response = _forge(self.client, route, HTTP_X_CSRFTOKEN=token)
                self.assert_refused(response, 403)
        self.assert_unchanged()

    def test_API3_valid_token_from_a_foreign_origin_over_https(self):
        # Django's Origin check: the right token is not enough from another origin.
        token = csrf_token(self.client)
        for route in (DRF, NINJA):
            with self.subTest(route):
                response = _forge(
                    self.client,
                    route,
                    secure=True,
                    HTTP_X_CSRFTOKEN=token,
                    HTTP_ORIGIN=EVIL,
                )
                self.assert_refused(response, 403)
        self.assert_unchanged()
        # The same requests from the site's own origin go through.
        for route, status in ((DRF, 201), (NINJA, 200)):
            with self.subTest(route):
                accepted = _forge(
                    self.client,
                    route,
                    secure=True,
                    HTTP_X_CSRFTOKEN=token,
                    HTTP_ORIGIN="https://testserver",
                )
                assert accepted.status_code == status

    def test_API4_cookie_replayed_after_sign_out(self):
        copied = Client()
        copied.cookies["sessionid"] = self.key
        assert copied.get(NINJA_READ).status_code == 200
        self.client.post(SIGN_OUT, {"csrfToken": csrf_token(self.client)})
        for route in (DRF, NINJA_READ):
            with self.subTest(route):
                self.assert_refused(copied.get(route), 401)
        assert not store().exists(self.key)

    @override_settings(USEAUTH_ABSOLUTE_MAX_AGE=timedelta(days=7))
    def test_API5_session_past_its_absolute_lifetime(self):
        for route in (DRF, NINJA_READ):
            with self.subTest(route):
                client = csrf_client()
                sign_in(client)
                key = session_key(client)
                session = store(key)
                signed_in = timezone.now() - timedelta(days=8)
                session[SIGNED_IN_AT_KEY] = signed_in.isoformat()
                session.save()
                self.assert_refused(client.get(route), 401)
                assert not store().exists(key)

    def test_API6_a_session_no_class_csrf_checked_is_not_signed_in(self):
        # IsSignedIn behind DRF's SessionAuthentication, which authenticates
        # the cookie but hands request.auth None: refused, never trusted.
        response = self.client.get("/drf/session-auth-signed-in/")
        self.assert_refused(response, 403)

    def test_API7_signed_in_answers_vary_on_the_cookie(self):
        # A shared cache keys the answer by the cookie, so no user gets another's.
        for route in (DRF, NINJA_READ):
            with self.subTest(route):
                response = self.client.get(route)
                assert response.status_code == 200
                vary = {v.strip().lower() for v in response["Vary"].split(",")}
                assert "cookie" in vary

    def test_API8_guard_in_an_api_view_no_class_csrf_checks(self):
        csrf_token(self.client)
        for route in ("/attacks/drf-guarded/", "/attacks/ninja-guarded/rename"):
            with self.subTest(route):
                response = _forge(self.client, route)
                assert response.status_code == 403
                assert b"CSRF" in response.content  # Django's CSRF failure page
                assert User.objects.get(username="ada").first_name == "Ada"
                accepted = _forge(
                    self.client, route, HTTP_X_CSRFTOKEN=csrf_token(self.client)
                )
                assert accepted.json() == {"done": "renamed"}
                User.objects.filter(username="ada").update(first_name="Ada")

    def test_API9_another_class_s_user_is_not_the_session_s(self):
        make_user("grace", email="grace@example.com")
        grace = basic_auth("grace")
        # Basic authenticates grace on a request carrying ada's cookie: DRF's
        # user is grace, the guard and get_auth() answer ada's session, which
        # stays signed in.
        response = _forge(
            self.client,
            "/attacks/drf-basic-guarded/",
            HTTP_X_CSRFTOKEN=csrf_token(self.client),
            headers=grace,
        )
        assert response.json() == {"done": "renamed", "drfUser": "grace"}
        assert User.objects.get(username="ada").first_name == "Mallory"
        assert User.objects.get(username="grace").first_name != "Mallory"
        assert store().exists(self.key)
        # Without ada's cookie, Basic's grace alone does not pass the guard.
        stranger = csrf_client()
        alone = _forge(stranger, "/attacks/drf-basic-guarded/", headers=grace)
        assert alone.status_code == 302
        assert User.objects.get(username="grace").first_name != "Mallory"
