"""ATTACKS I1: every corpus value through every redirect sink, over HTTP.

Credentials sign-in with and without ``json``, sign-out, the sign-in page's
hidden field, an OAuth sign-in through its callback with the provider's HTTP
endpoints mocked, ``auth_required(callback_url=…)`` and a protected page
requested at the value as its path.
"""

from __future__ import annotations

from typing import Any
from unittest import mock
from urllib.parse import parse_qs
from urllib.parse import unquote_to_bytes
from urllib.parse import urlencode
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.http import HttpResponse
from django.test import Client
from django.test import override_settings
from django.utils.encoding import iri_to_uri
from django.utils.html import escape
from social_core.backends.github import GithubOAuth2

from django_useauth.decorators import auth_required
from tests.redirect_corpus import CORPUS
from tests.redirect_corpus import RedirectCase
from tests.redirect_utils import SIGN_OUT
from tests.redirect_utils import UserTestCase
from tests.redirect_utils import assert_json_answer
from tests.redirect_utils import assert_safe_json_url
from tests.redirect_utils import emitted
from tests.redirect_utils import expected_url
from tests.redirect_utils import label
from tests.redirect_utils import post_form
from tests.redirect_utils import sign_in
from tests.redirect_utils import sign_in_from_page
from tests.redirect_utils import through_middleware
from tests.utils import GITHUB

GITHUB_USER = {"id": 4242, "login": "octo", "email": "octo@example.com", "name": "Octo"}


class RedirectSinkTests(UserTestCase):
    """ATTACKS I1: every corpus value through every redirect sink, over HTTP."""

    def test_credentials_sign_in_redirect(self):
        for case in CORPUS:
            with self.subTest(**label(case)):
                response = sign_in(Client(), case, json=False, callbackUrl=case.value)
                assert response.status_code == 302
                assert response["Location"] == iri_to_uri(expected_url(case))

    def test_credentials_sign_in_json(self):
        for case in CORPUS:
            with self.subTest(**label(case)):
                response = sign_in(Client(), case, json=True, callbackUrl=case.value)
                assert_json_answer(response, case)

    def test_sign_out(self):
        for case in CORPUS:
            with self.subTest(**label(case)):
                client = Client()
                signed_in = sign_in(client, case, json=True)
                assert signed_in.status_code == 200
                assert signed_in.json() == {"url": emitted("/", case)}
                response = post_form(
                    client,
                    SIGN_OUT,
                    {"callbackUrl": case.value},
                    secure=case.secure,
                    host=case.host,
                )
                assert response.status_code == 302
                assert response["Location"] == iri_to_uri(expected_url(case))
                session = client.get(
                    "/api/auth/session", secure=case.secure, headers={"host": case.host}
                )
                assert session.status_code == 200
                assert session.json() == {}
                response = post_form(
                    client,
                    SIGN_OUT,
                    {"callbackUrl": case.value, "json": "true"},
                    secure=case.secure,
                    host=case.host,
                )
                assert_json_answer(response, case)

    def test_sign_in_page_hidden_field(self):
        for case in CORPUS:
            with self.subTest(**label(case)):
                response = Client().get(
                    "/api/auth/signin",
                    {"callbackUrl": case.value},
                    secure=case.secure,
                    headers={"host": case.host},
                )
                assert response.status_code == 200
                content = response.content.decode()
                if case.allowed:
                    field = (
                        '<input type="hidden" name="callbackUrl" '
                        f'value="{escape(case.value)}">'
                    )
                    assert field in content
                else:
                    assert 'name="callbackUrl"' not in content

    @override_settings(USEAUTH_URL="https://app.example.com")
    def test_site_url(self):
        case = RedirectCase("/x", True, "relative", "")
        response = sign_in(Client(), case, json=False, callbackUrl="/x")
        assert response.status_code == 302
        assert response["Location"] == "https://app.example.com/x"
        response = sign_in(Client(), case, json=True, callbackUrl="http://testserver/x")
        assert response.status_code == 200
        assert response.json() == {"url": "https://app.example.com/"}

    def test_front_end_origin_refused_by_default(self):
        case = RedirectCase(
            "http://localhost:3000/x", False, "port", "", host="localhost:8000"
        )
        response = sign_in(Client(), case, json=True, callbackUrl=case.value)
        assert response.status_code == 200
        assert response.json() == {"url": "http://localhost:8000/"}

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"])
    def test_front_end_origin_configured(self):
        case = RedirectCase(
            "http://localhost:3000/x", True, "port", "", host="localhost:8000"
        )
        response = sign_in(Client(), case, json=True, callbackUrl=case.value)
        assert response.status_code == 200
        assert response.json() == {"url": "http://localhost:3000/x"}
        response = sign_in(
            Client(), case, json=False, callbackUrl="http://localhost:3001/x"
        )
        assert response.status_code == 302
        assert response["Location"] == "http://localhost:8000/"


class MoreRedirectSinkTests(UserTestCase):
    """ATTACKS I1 (c) and (e): the corpus through OAuth and through ``auth_required``."""

    @override_settings(**GITHUB)
    def test_oauth_sign_in_and_callback(self):
        # social-core runs for real (state, pipeline, its own redirect
        # sanitizing); only GitHub's token and user endpoints are stand-ins.
        def user_data(*args: Any, **kwargs: Any) -> dict[str, Any]:
            return dict(GITHUB_USER)

        with (
            mock.patch.object(
                GithubOAuth2,
                "request_access_token",
                return_value={"access_token": "t", "token_type": "bearer"},
            ),
            mock.patch.object(GithubOAuth2, "_user_data", side_effect=user_data),
        ):
            for case in CORPUS:
                with self.subTest(**label(case)):
                    client = Client()
                    started = post_form(
                        client,
                        "/api/auth/signin/github",
                        {"callbackUrl": case.value, "json": "true"},
                        secure=case.secure,
                        host=case.host,
                    )
                    assert started.status_code == 200
                    query = parse_qs(urlsplit(started.json()["url"]).query)
                    done = client.get(
                        "/api/auth/callback/github",
                        {"code": "c", "state": query["state"][0]},
                        secure=case.secure,
                        headers={"host": case.host},
                    )
                    assert done.status_code == 302
                    # The scheme lower-cased: social-core needs "http(s)://".
                    scheme, sep, rest = expected_url(case).partition("://")
                    assert done["Location"] == iri_to_uri(
                        f"{scheme.lower()}{sep}{rest}"
                    )
                    session = client.get(
                        "/api/auth/session",
                        secure=case.secure,
                        headers={"host": case.host},
                    )
                    assert session.json()["user"]["email"] == "octo@example.com"

    def test_decorator_callback_url_argument(self):
        def page(request: HttpRequest) -> HttpResponse:
            return HttpResponse("protected")

        for case in CORPUS:
            with self.subTest(**label(case)):
                view = auth_required(callback_url=case.value)(page)
                response = view(through_middleware(case))
                assert response.status_code == 302
                expected = "/api/auth/signin"
                if case.allowed:
                    expected += "?" + urlencode({"callbackUrl": case.value})
                assert response["Location"] == expected
                client = Client()
                signed_in = sign_in_from_page(client, response["Location"], case)
                assert signed_in.status_code == 302
                assert signed_in["Location"] == iri_to_uri(expected_url(case))
                signed_in_request = through_middleware(case, client)
                assert view(signed_in_request).content == b"protected"

    @override_settings(ROOT_URLCONF="tests.catch_all_urls")
    def test_decorator_at_the_value_as_its_path(self):
        # The decorator's callbackUrl is the requested path and query, which
        # an attacker chooses; whatever it is, sign-in ends on the site.
        for case in CORPUS:
            if not case.value.startswith("/"):
                continue
            with self.subTest(**label(case)):
                client = Client()
                path, _, query = case.value.partition("?")
                response = client.get(
                    "/",
                    # As a WSGI server passes it: percent-decoded bytes as latin-1.
                    PATH_INFO=unquote_to_bytes(path).decode("latin-1"),
                    QUERY_STRING=query,
                    secure=case.secure,
                    headers={"host": case.host},
                )
                assert response.status_code == 302, response.status_code
                assert response["Location"].startswith("/api/auth/signin")
                signed_in = sign_in_from_page(client, response["Location"], case)
                assert signed_in.status_code == 302
                assert_safe_json_url(signed_in["Location"], case)
