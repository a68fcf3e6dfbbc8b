"""ATTACKS H1–H3: CORS and the Origin header."""

from __future__ import annotations

from django.test import override_settings

from tests.attacks.base import CSRF
from tests.attacks.base import ROUTES
from tests.attacks.base import SESSION
from tests.attacks.base import SIGN_IN_CSRF
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import SIGN_OUT_CSRF
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import assert_no_cors
from tests.attacks.base import post_credentials
from tests.attacks.base import post_json
from tests.attacks.base import session_json
from tests.expected import ADA
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import sign_in


class CorsTests(AttackTestCase):
    def test_H1_no_cors_for_foreign_origins(self):
        for origin in ("https://evil.example", "null", "http://testserver"):
            with self.subTest(origin=origin):
                headers = {"Origin": origin}
                assert_no_cors(self.client.get(SESSION, headers=headers))
                assert_no_cors(self.client.get(CSRF, headers=headers))
                assert_no_cors(self.client.get("/api/auth/providers", headers=headers))
        sign_in(self.client)
        response = self.client.get(SESSION, headers={"Origin": "https://evil.example"})
        assert response.json()["user"] == ADA
        assert_no_cors(response)

    def test_H2_preflight(self):
        for route, allow in ROUTES.items():
            for origin in ("https://evil.example", "null"):
                with self.subTest(route=route, origin=origin):
                    response = self.client.options(
                        route,
                        headers={
                            "Origin": origin,
                            "Access-Control-Request-Method": "POST",
                            "Access-Control-Request-Headers": "content-type, x-csrftoken",
                        },
                    )
                    assert response.status_code == 405
                    assert response["Allow"] == allow
                    assert_no_cors(response)

    @override_settings(**GITHUB)
    def test_H3_origin_is_not_an_authenticator(self):
        same_origin = {"Origin": "http://testserver"}
        csrf_token(self.client)
        assert_json(
            post_credentials(self.client, None, "ada", PASSWORD, headers=same_origin),
            200,
            SIGN_IN_CSRF,
        )
        assert_json(
            self.client.post(
                "/api/auth/signin/github", {"json": "true"}, headers=same_origin
            ),
            200,
            SIGN_IN_CSRF,
        )
        # No cookie at all, a token from elsewhere.
        stranger = csrf_client()
        token = csrf_token(csrf_client())
        assert_json(
            post_credentials(stranger, token, "ada", PASSWORD, headers=same_origin),
            200,
            SIGN_IN_CSRF,
        )
        assert session_json(self.client) == {}
        assert session_json(stranger) == {}
        sign_in(self.client)
        assert_json(
            self.client.post(SIGN_OUT, {"json": "true"}, headers=same_origin),
            200,
            SIGN_OUT_CSRF,
        )
        assert_json(
            post_json(self.client, SESSION, {"data": {}}, headers=same_origin), 400, {}
        )
        assert session_json(self.client)["user"] == ADA
