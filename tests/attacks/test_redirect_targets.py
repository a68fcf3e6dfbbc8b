"""ATTACKS I1–I5: redirect targets (callbackUrl and next)."""

from __future__ import annotations

import logging
import unicodedata
from html import unescape
from typing import Any
from unittest import mock
from urllib.parse import urlencode
from urllib.parse import urlsplit

from django.test import Client
from django.test import override_settings
from django.urls import re_path
from social_core import exceptions as social

from django_useauth.internal import oauth
from tests import urls as test_urls
from tests import views as test_views
from tests.attacks.base import CREDENTIALS
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import plant_session
from tests.attacks.base import post_credentials
from tests.attacks.base import session_json
from tests.expected import ADA
from tests.redirect_corpus import CORPUS
from tests.redirect_corpus import RedirectCase
from tests.utils import BASE
from tests.utils import FORM
from tests.utils import GITHUB
from tests.utils import HIDDEN_CALLBACK
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import fake_oauth_success


class TwoSlashUrlconf:
    """The test URLs plus a catch-all to an ``auth_required`` view, so that ``//evil.example/…`` reaches it (I4)."""

    urlpatterns = [*test_urls.urlpatterns, re_path(r"^.*$", test_views.protected)]


def assert_stays_on_site(url: str, case: RedirectCase) -> None:
    """``url`` cannot take a browser off the request's site, nor run script."""
    assert not any(unicodedata.category(char).startswith("C") for char in url)
    parts = urlsplit(url)
    assert parts.scheme in (("https",) if case.secure else ("http", "https"))
    assert parts.netloc.lower() == case.host
    assert not parts.path.replace("\\", "/").startswith("//")


class RedirectTests(AttackTestCase):
    def test_I1_no_callback_url_leaves_the_site(self):
        # Exact outcomes per value are in tests/test_redirects_*.py; here, the
        # property over the whole corpus, for each sink a browser navigates to.
        for case in CORPUS:
            with self.subTest(value=case.value, secure=case.secure, host=case.host):
                client = Client()
                site: dict[str, Any] = {
                    "secure": case.secure,
                    "headers": {"host": case.host},
                }
                body = {
                    "username": "ada",
                    "password": PASSWORD,
                    "json": "true",
                    "callbackUrl": case.value,
                }
                signed_in = client.post(
                    CREDENTIALS, urlencode(body), content_type=FORM, **site
                )
                assert signed_in.status_code == 200
                assert_stays_on_site(signed_in.json()["url"], case)
                out = {"callbackUrl": case.value}
                redirect = client.post(
                    SIGN_OUT, urlencode(out), content_type=FORM, **site
                )
                assert redirect.status_code == 302
                assert_stays_on_site(redirect["Location"], case)
                as_json = client.post(
                    SIGN_OUT,
                    urlencode({**out, "json": "true"}),
                    content_type=FORM,
                    **site,
                )
                assert as_json.status_code == 200
                assert_stays_on_site(as_json.json()["url"], case)

    @override_settings(**GITHUB)
    def test_I2_stored_callback_url_is_checked_again(self):
        for value in (
            "//evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\\evil.example",
            "/.//evil.example",
            "/x\r\nSet-Cookie: a=b",
        ):
            with self.subTest(value=value):
                client = Client()
                plant_session(client, **{"_useauth_callback_url:github": value})
                with mock.patch.object(
                    oauth, "do_complete", fake_oauth_success(self.user)
                ):
                    response = client.get("/api/auth/callback/github?code=x&state=y")
                assert response.status_code == 302
                assert response["Location"] == "http://testserver/"
                assert "_useauth_callback_url:github" not in client.session
                assert session_json(client)["user"] == ADA

    @override_settings(**GITHUB)
    def test_I2_stored_callback_url_checked_on_failure(self):
        client = Client()
        plant_session(client, **{"_useauth_callback_url:github": "//evil.example"})
        with (
            mock.patch.object(
                oauth, "do_complete", side_effect=social.AuthCanceled(None)
            ),
            self.assertLogs("django_useauth.oauth", logging.WARNING),
        ):
            response = client.get("/api/auth/callback/github?code=x&state=y")
        assert response.status_code == 302
        assert session_json(client) == {}
        page = client.get(response["Location"])
        assert page.status_code == 403
        assert b"evil.example" not in page.content
        # The stored value is checked before it is put in the error URL, as a
        # posted one is (it is dropped, not passed on).
        assert response["Location"] == f"{BASE}/error?error=AccessDenied"

    @override_settings(**GITHUB)
    def test_I3_parameter_pollution(self):
        credentials = urlencode(
            {"username": "ada", "password": PASSWORD, "json": "true"}
        )
        for query, body, expected in (
            ("callbackUrl=/ok&callbackUrl=//evil.example", "", "http://testserver/"),
            ("callbackUrl=//evil.example&callbackUrl=/ok", "", "http://testserver/ok"),
            ("callbackUrl=/ok", "callbackUrl=%2F%2Fevil.example", "http://testserver/"),
            ("callbackUrl=//evil.example", "callbackUrl=%2Fok", "http://testserver/ok"),
            (
                "",
                "callbackUrl=%2Fok&callbackUrl=%2F%2Fevil.example",
                "http://testserver/",
            ),
            (
                "",
                "callbackUrl=%2F%2Fevil.example&callbackUrl=%2Fok",
                "http://testserver/ok",
            ),
        ):
            with self.subTest(query=query, body=body):
                client = csrf_client()
                data = f"csrfToken={csrf_token(client)}&{credentials}" + (
                    f"&{body}" if body else ""
                )
                response = client.post(
                    f"{CREDENTIALS}?{query}", data, content_type=FORM
                )
                assert_json(response, 200, {"url": expected})
        # The OAuth start keeps the value it validated, or nothing.
        for query, body, stored in (
            ("callbackUrl=/ok", "callbackUrl=%2F%2Fevil.example", None),
            ("callbackUrl=//evil.example", "callbackUrl=%2Fok", "/ok"),
            ("", "callbackUrl=%2Fok&callbackUrl=%2F%2Fevil.example", None),
        ):
            with self.subTest(query=query, body=body):
                client = csrf_client()
                data = f"csrfToken={csrf_token(client)}&{body}"
                client.post(f"/api/auth/signin/github?{query}", data, content_type=FORM)
                assert client.session.get("_useauth_callback_url:github") == stored
        page = self.client.get(
            "/api/auth/signin?callbackUrl=/ok&callbackUrl=//evil.example"
        )
        assert HIDDEN_CALLBACK.findall(page.content.decode()) == []
        assert b"evil.example" not in page.content

    def test_I4_auth_required_builds_a_relative_callback_url(self):
        response = self.client.get("/protected/?x=1", headers={"host": "localhost"})
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Fprotected%2F%3Fx%3D1"
        )
        page = self.client.get(response["Location"])
        [callback_url] = HIDDEN_CALLBACK.findall(page.content.decode())
        signed = post_credentials(
            self.client,
            csrf_token(self.client),
            "ada",
            PASSWORD,
            json_mode=False,
            callbackUrl=unescape(callback_url),
        )
        assert signed["Location"] == "http://testserver/protected/?x=1"
        assert self.client.get(signed["Location"]).content == b"protected"

    @override_settings(ROOT_URLCONF=TwoSlashUrlconf)
    def test_I4_path_starting_with_two_slashes(self):
        response = self.client.get("/", PATH_INFO="//evil.example/protected/")
        assert response.status_code == 302
        assert response["Location"] == "/api/auth/signin"
        page = self.client.get(response["Location"])
        assert HIDDEN_CALLBACK.findall(page.content.decode()) == []
        signed = post_credentials(
            self.client, csrf_token(self.client), "ada", PASSWORD, json_mode=False
        )
        assert signed["Location"] == "http://testserver/"

    def test_I5_front_end_on_another_origin(self):
        host: dict[str, Any] = {"headers": {"host": "localhost:8000"}}

        def sign_in_to(callback_url: str) -> Any:
            client = Client()
            body = {
                "username": "ada",
                "password": PASSWORD,
                "json": "true",
                "callbackUrl": callback_url,
            }
            signed = client.post(
                CREDENTIALS, urlencode(body), content_type=FORM, **host
            ).json()["url"]
            out = client.post(
                SIGN_OUT,
                urlencode({"callbackUrl": callback_url, "json": "true"}),
                content_type=FORM,
                **host,
            )
            return signed, out.json()["url"]

        fallback = "http://localhost:8000/"
        assert sign_in_to("http://localhost:3000/x") == (fallback, fallback)
        with self.settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"]):
            assert (
                sign_in_to("http://localhost:3000/x")
                == ("http://localhost:3000/x",) * 2
            )
            for value in (
                "http://localhost:3001/x",
                "https://localhost:3000/x",
                "//localhost:3000/x",
                "http://localhost:3000@evil.example/",
            ):
                with self.subTest(value=value):
                    assert sign_in_to(value) == (fallback, fallback)
