"""ATTACKS F1–F4: the cookies."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import quote
from urllib.parse import urlencode

from django.test import override_settings

from tests.attacks.base import CREDENTIALS
from tests.attacks.base import CSRF
from tests.attacks.base import FAILED
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import post_credentials
from tests.attacks.base import session_json
from tests.attacks.base import session_key
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token

if TYPE_CHECKING:
    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
class CookieTests(AttackTestCase):
    def setUp(self):
        super().setUp()
        self.https: dict[str, Any] = {
            "secure": True,
            "headers": {"Origin": "https://testserver"},
        }

    def sign_in_over_https(self) -> TestResponse:
        token = self.client.get(CSRF, secure=True).json()["csrfToken"]
        response = post_credentials(self.client, token, "ada", PASSWORD, **self.https)
        assert_json(response, 200, {"url": "https://testserver/"})
        return response

    # F1: the session cookie is Django's SESSION_COOKIE_NAME ("sessionid"); a
    # project may rename it "__Host-sessionid". The attributes that prefix
    # requires (Secure, Path=/, no Domain) are asserted.
    def test_F1_session_cookie_attributes(self):
        cookie = self.sign_in_over_https().cookies["sessionid"]
        assert cookie["httponly"] is True
        assert cookie["secure"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
        header = cookie.OutputString()
        assert "HttpOnly" in header
        assert "Secure" in header
        assert "SameSite=Lax" in header
        assert "Domain" not in header

    @override_settings(**GITHUB)
    def test_F2_csrf_cookie_and_no_helper_cookies(self):
        issued = self.client.get(CSRF, secure=True).cookies["csrftoken"]
        rotated = self.sign_in_over_https().cookies["csrftoken"]
        for cookie in (issued, rotated):
            assert cookie["secure"] is True
            assert cookie["samesite"] == "Lax"
            assert cookie["path"] == "/"
            assert cookie["domain"] == ""
        # The whole credentials and OAuth flows set no cookie but these two.
        client = csrf_client()
        responses = [client.get(CSRF, secure=True)]
        token = responses[0].json()["csrfToken"]
        responses += [
            client.post(
                "/api/auth/signin/github",
                {"csrfToken": token, "callbackUrl": "/x"},
                **self.https,
            ),
            post_credentials(client, token, "ada", "wrong", **self.https),
            post_credentials(client, token, "ada", PASSWORD, **self.https),
        ]
        token = client.get(CSRF, secure=True).json()["csrfToken"]
        responses.append(client.post(SIGN_OUT, {"csrfToken": token}, **self.https))
        assert [response.status_code for response in responses] == [
            200,
            302,
            401,
            200,
            302,
        ]
        assert {name for response in responses for name in response.cookies} == {
            "csrftoken",
            "sessionid",
        }

    @override_settings(**GITHUB)
    def test_F3_no_secret_in_a_url(self):
        client = csrf_client()
        token = csrf_token(client)
        wrong = "wrong secret"
        failed = post_credentials(
            client, token, "ada", wrong, json_mode=False, callbackUrl="/p"
        )
        urls = [
            failed["Location"],
            client.get(failed["Location"])["Location"],
            post_credentials(client, token, "ada", wrong, callbackUrl="/p").json()[
                "url"
            ],
            client.post(
                "/api/auth/signin/github", {"csrfToken": token, "json": "true"}
            ).json()["url"],
        ]
        signed = post_credentials(
            client, token, "ada", PASSWORD, json_mode=False, callbackUrl="/p"
        )
        urls.append(signed["Location"])
        secrets = [token, client.cookies["csrftoken"].value, session_key(client)]
        token = csrf_token(client)
        urls.append(
            client.post(SIGN_OUT, {"csrfToken": token, "json": "true"}).json()["url"]
        )
        secrets.append(token)
        for password in (PASSWORD, wrong):
            secrets += [password, quote(password), urlencode({"p": password})[2:]]
        for url in urls:
            for secret in secrets:
                assert secret not in url, (url, secret)
        # Credentials by GET are refused and never authenticate.
        by_get = csrf_client()
        query = urlencode(
            {"csrfToken": csrf_token(by_get), "username": "ada", "password": PASSWORD}
        )
        response = by_get.get(f"{CREDENTIALS}?{query}")
        assert response.status_code == 405
        assert response["Allow"] == "POST"
        # Nor in the query string of a POST.
        posted = by_get.post(
            f"{CREDENTIALS}?{query}", {"csrfToken": csrf_token(by_get), "json": "true"}
        )
        assert_json(posted, 401, FAILED)
        assert "sessionid" not in by_get.cookies
        assert session_json(by_get) == {}

    def test_F4_cookie_sizes(self):
        response = self.sign_in_over_https()
        for name in ("sessionid", "csrftoken"):
            assert len(response.cookies[name].OutputString()) < 4096, name
        assert len(self.client.cookies["sessionid"].value) == 32
