"""The callbackUrl policy (SECURITY-REPORT.md section 3, ATTACKS.md I1-I5).

Unit level: ``is_allowed_callback_url`` and ``resolve_callback_url`` against the
corpus in ``tests/redirect_corpus.py``. HTTP level: every corpus value through
every redirect sink (credentials sign-in with and without ``json``, an OAuth
sign-in through its callback with the provider's HTTP endpoints mocked,
sign-out, the sign-in page's hidden field, ``auth_required(callback_url=…)``
and a protected page requested at the value as its path), then the
``auth_required`` round trip (I4) and parameter pollution (I3).
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import TYPE_CHECKING
from typing import Any
from unittest import mock
from urllib.parse import parse_qs
from urllib.parse import unquote_to_bytes
from urllib.parse import urlencode
from urllib.parse import urlsplit

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest
from django.http import HttpResponse
from django.test import Client
from django.test import RequestFactory
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from django.urls import re_path
from django.utils.encoding import iri_to_uri
from django.utils.html import escape
from social_core.backends.github import GithubOAuth2

from django_useauth.decorators import auth_required
from django_useauth.middleware import AuthMiddleware
from django_useauth.redirects import absolute_url
from django_useauth.redirects import is_allowed_callback_url
from django_useauth.redirects import resolve_callback_url
from django_useauth.redirects import site_origin
from tests import urls as test_urls
from tests import views as test_views
from tests.redirect_corpus import CORPUS
from tests.redirect_corpus import DJANGO_BAD_URLS
from tests.redirect_corpus import DJANGO_GOOD_URLS
from tests.redirect_corpus import SOCIAL_CORE_BAD_URLS
from tests.redirect_corpus import SOCIAL_CORE_GOOD_URLS
from tests.redirect_corpus import RedirectCase
from tests.utils import PASSWORD
from tests.utils import make_user

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIRequest

    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

# The test URLs plus a catch-all to the auth_required view, so that a request
# whose path starts with "//" reaches the decorator (ATTACKS I4, used through
# override_settings(ROOT_URLCONF=__name__)).
urlpatterns = [*test_urls.urlpatterns, re_path(r"^[\s\S]*$", test_views.protected)]

SIGN_IN = "/api/auth/callback/credentials"
SIGN_OUT = "/api/auth/signout"
FORM = "application/x-www-form-urlencoded"
HIDDEN_CALLBACK = re.compile(
    r'<input type="hidden" name="callbackUrl" value="([^"]*)">'
)

REQUIRED_CATEGORIES = {
    "relative",
    "same-host-absolute",
    "scheme-relative",
    "backslash",
    "encoded-slash",
    "double-encoding",
    "dot-segments",
    "userinfo",
    "other-scheme",
    "whitespace",
    "control-char",
    "unicode-lookalike",
    "fullwidth",
    "crlf",
    "overlong",
    "port",
    "case",
    "https-downgrade",
    "empty-authority",
    "policy-divergence",
}


def _scheme(case: RedirectCase) -> str:
    return "https" if case.secure else "http"


def _emitted(value: str, case: RedirectCase) -> str:
    # How an accepted value is emitted: "/..." on the request's origin,
    # "//host/..." with the request's scheme, absolute URLs verbatim.
    if value.startswith("//"):
        return f"{_scheme(case)}:{value}"
    if value.startswith("/"):
        return f"{_scheme(case)}://{case.host}{value}"
    return value


def _expected(case: RedirectCase, fallback: str = "/") -> str:
    return _emitted(case.value if case.allowed else fallback, case)


def _request(case: RedirectCase) -> WSGIRequest:
    return RequestFactory().get("/", secure=case.secure, headers={"host": case.host})


def _label(case: RedirectCase) -> dict[str, object]:
    return {"value": case.value, "secure": case.secure, "host": case.host}


def _post(
    client: Client,
    path: str,
    data: dict[str, str],
    *,
    secure: bool = False,
    host: str = "testserver",
) -> TestResponse:
    response: TestResponse = client.post(
        path, urlencode(data), content_type=FORM, secure=secure, headers={"host": host}
    )
    return response


def _sign_in(
    client: Client, case: RedirectCase, *, json: bool, **extra: str
) -> TestResponse:
    data = {"username": "ada", "password": PASSWORD, **extra}
    if json:
        data["json"] = "true"
    return _post(client, SIGN_IN, data, secure=case.secure, host=case.host)


def _assert_safe_json_url(url: str, case: RedirectCase) -> None:
    # nuxt-auth assigns the url to window.location.href.
    assert not any(unicodedata.category(char).startswith("C") for char in url)
    assert not url.lower().startswith(("javascript:", "data:"))
    scheme, sep, rest = url.partition("://")
    assert sep == "://"
    allowed_schemes = ("https",) if case.secure else ("http", "https")
    assert scheme.lower() in allowed_schemes
    assert rest == case.host or rest.startswith(
        (f"{case.host}/", f"{case.host}?", f"{case.host}#")
    )


class CorpusTests(SimpleTestCase):
    def test_size(self):
        assert len(CORPUS) >= 120
        assert any(case.allowed for case in CORPUS)
        assert any(not case.allowed for case in CORPUS)

    def test_entries_are_unique(self):
        keys = [(case.value, case.secure, case.host) for case in CORPUS]
        assert len(keys) == len(set(keys))

    def test_every_category_is_covered(self):
        assert {case.category for case in CORPUS} >= REQUIRED_CATEGORIES

    def test_friendly_values_are_present(self):
        verdicts = {
            (c.value, c.secure): c.allowed for c in CORPUS if c.host == "testserver"
        }
        for value, secure, allowed in [
            ("/url%20with%20spaces/", False, True),
            ("https://testserver/", False, True),
            ("HTTPS://testserver/", False, True),
            ("//testserver/", False, True),
            ("/" + "a" * 2047, False, True),
            ("/" + "a" * 2048, False, False),
            ("https://testserver/account?tab=1", False, True),
            ("http://testserver/account", True, False),
        ]:
            with self.subTest(value=value, secure=secure):
                assert verdicts[value, secure] is allowed

    def test_django_bad_urls_are_all_refused(self):
        refused = {c.value for c in CORPUS if not c.allowed and c.host == "testserver"}
        assert len(set(DJANGO_BAD_URLS)) == 28
        assert set(DJANGO_BAD_URLS) <= refused

    def test_django_good_urls_are_all_present(self):
        verdicts = {c.value: c.allowed for c in CORPUS if not c.secure}
        divergent = {c.value for c in CORPUS if c.category == "policy-divergence"}
        for value in DJANGO_GOOD_URLS:
            with self.subTest(value=value):
                assert verdicts[value] is (value not in divergent)

    def test_social_core_shapes_are_present(self):
        verdicts = {c.value: c.allowed for c in CORPUS if not c.secure}
        for value in SOCIAL_CORE_BAD_URLS:
            with self.subTest(value=value):
                assert verdicts[value] is False
        for value in SOCIAL_CORE_GOOD_URLS:
            with self.subTest(value=value):
                assert verdicts[value] is True


class PolicyTests(SimpleTestCase):
    def test_is_allowed_callback_url(self):
        for case in CORPUS:
            with self.subTest(**_label(case)):
                assert (
                    is_allowed_callback_url(_request(case), case.value) is case.allowed
                )

    def test_resolve_callback_url(self):
        for case in CORPUS:
            with self.subTest(**_label(case)):
                assert resolve_callback_url(_request(case), case.value) == _expected(
                    case
                )

    @override_settings(USEAUTH_DEFAULT_CALLBACK_URL="/after-auth/")
    def test_resolve_callback_url_default_setting(self):
        for case in CORPUS:
            with self.subTest(**_label(case)):
                assert resolve_callback_url(_request(case), case.value) == _expected(
                    case, "/after-auth/"
                )

    def test_resolve_callback_url_default_argument(self):
        for case in CORPUS:
            with self.subTest(**_label(case)):
                result = resolve_callback_url(
                    _request(case), case.value, default="/home/"
                )
                assert result == _expected(case, "/home/")

    def test_non_str_values_are_refused(self):
        request = RequestFactory().get("/")
        values: list[object] = [
            None,
            [],
            ["/x"],
            {},
            {"foo": "bar"},
            b"/x",
            bytearray(b"/x"),
            0,
            1,
            True,
            1.5,
            ("/x",),
        ]
        for value in values:
            with self.subTest(value=value):
                assert is_allowed_callback_url(request, value) is False
                assert resolve_callback_url(request, value) == "http://testserver/"

    def test_site_origin(self):
        factory = RequestFactory()
        assert site_origin(factory.get("/")) == "http://testserver"
        assert site_origin(factory.get("/", secure=True)) == "https://testserver"
        request = factory.get("/", headers={"host": "localhost:8000"})
        assert site_origin(request) == "http://localhost:8000"


@override_settings(USEAUTH_URL="https://app.example.com")
class SiteUrlTests(SimpleTestCase):
    """``USEAUTH_URL`` replaces the request's scheme and host in the policy."""

    fallback = "https://app.example.com/"
    cases = (
        ("/x", "https://app.example.com/x"),
        ("https://app.example.com/x", "https://app.example.com/x"),
        ("HTTPS://app.example.com/x", "HTTPS://app.example.com/x"),
        ("http://app.example.com/x", fallback),
        ("//app.example.com/x", fallback),
        ("https://APP.example.com/x", fallback),
        ("http://testserver/x", fallback),
        ("https://testserver/x", fallback),
        ("//testserver/x", fallback),
        ("/.//evil.example", fallback),
        ("//evil.example", fallback),
    )

    def test_site_origin(self):
        assert site_origin(RequestFactory().get("/")) == "https://app.example.com"

    @override_settings(USEAUTH_URL="https://app.example.com/")
    def test_site_origin_trailing_slash(self):
        assert site_origin(RequestFactory().get("/")) == "https://app.example.com"

    def test_resolve(self):
        request = RequestFactory().get("/")
        for value, expected in self.cases:
            with self.subTest(value=value):
                assert is_allowed_callback_url(request, value) is (
                    expected != self.fallback
                )
                assert resolve_callback_url(request, value) == expected

    @override_settings(USEAUTH_URL="http://localhost:8000")
    def test_http_site_url(self):
        request = RequestFactory().get("/", secure=True)
        assert resolve_callback_url(request, "/x") == "http://localhost:8000/x"
        assert (
            resolve_callback_url(request, "//localhost:8000/x")
            == "http://localhost:8000/x"
        )
        assert (
            resolve_callback_url(request, "https://testserver/x")
            == "http://localhost:8000/"
        )


class AllowedRedirectOriginsTests(SimpleTestCase):
    """I5: a Nuxt front end on ``http://localhost:3000``, the API on ``localhost:8000``."""

    front_end = "http://localhost:3000/x"
    fallback = "http://localhost:8000/"
    still_refused = (
        "https://localhost:3000/x",
        "http://localhost:3001/x",
        "http://LOCALHOST:3000/x",
        "http://localhost:3000@evil.example/",
        "http://localhost:3000\\@evil.example/",
        "http://user@localhost:3000/x",
        "http://evil.example/",
        "//localhost:3000/x",
        "//evil.example",
        "http://localhost:3000//evil.example",
        "http://localhost:3000/..//evil.example",
        "http://localhost:3000/x\r\n",
        "http://localhost/x",
    )

    def _request(self) -> WSGIRequest:
        return RequestFactory().get("/", headers={"host": "localhost:8000"})

    def test_refused_by_default(self):
        request = self._request()
        assert is_allowed_callback_url(request, self.front_end) is False
        assert resolve_callback_url(request, self.front_end) == self.fallback

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"])
    def test_accepted_when_configured(self):
        request = self._request()
        for value in (self.front_end, "http://localhost:3000/x?y=1#z"):
            with self.subTest(value=value):
                assert is_allowed_callback_url(request, value) is True
                assert resolve_callback_url(request, value) == value

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"])
    def test_site_still_accepted_when_configured(self):
        request = self._request()
        assert resolve_callback_url(request, "/x") == "http://localhost:8000/x"
        assert (
            resolve_callback_url(request, "http://localhost:8000/x")
            == "http://localhost:8000/x"
        )

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"])
    def test_others_refused_when_configured(self):
        request = self._request()
        for value in self.still_refused:
            with self.subTest(value=value):
                assert is_allowed_callback_url(request, value) is False
                assert resolve_callback_url(request, value) == self.fallback

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3001"])
    def test_other_origin_configured(self):
        assert is_allowed_callback_url(self._request(), self.front_end) is False


class RedirectSinkTests(TestCase):
    """ATTACKS I1: every corpus value through every redirect sink, over HTTP."""

    @classmethod
    def setUpTestData(cls):
        make_user()

    def test_credentials_sign_in_redirect(self):
        for case in CORPUS:
            with self.subTest(**_label(case)):
                response = _sign_in(Client(), case, json=False, callbackUrl=case.value)
                assert response.status_code == 302
                assert response["Location"] == iri_to_uri(_expected(case))

    def test_credentials_sign_in_json(self):
        for case in CORPUS:
            with self.subTest(**_label(case)):
                response = _sign_in(Client(), case, json=True, callbackUrl=case.value)
                assert response.status_code == 200
                assert response.json() == {"url": _expected(case)}
                _assert_safe_json_url(response.json()["url"], case)

    def test_sign_out(self):
        for case in CORPUS:
            with self.subTest(**_label(case)):
                client = Client()
                signed_in = _sign_in(client, case, json=True)
                assert signed_in.status_code == 200
                assert signed_in.json() == {"url": _emitted("/", case)}
                response = _post(
                    client,
                    SIGN_OUT,
                    {"callbackUrl": case.value},
                    secure=case.secure,
                    host=case.host,
                )
                assert response.status_code == 302
                assert response["Location"] == iri_to_uri(_expected(case))
                session = client.get(
                    "/api/auth/session", secure=case.secure, headers={"host": case.host}
                )
                assert session.status_code == 200
                assert session.json() == {}
                response = _post(
                    client,
                    SIGN_OUT,
                    {"callbackUrl": case.value, "json": "true"},
                    secure=case.secure,
                    host=case.host,
                )
                assert response.status_code == 200
                assert response.json() == {"url": _expected(case)}
                _assert_safe_json_url(response.json()["url"], case)

    def test_sign_in_page_hidden_field(self):
        for case in CORPUS:
            with self.subTest(**_label(case)):
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
        response = _sign_in(Client(), case, json=False, callbackUrl="/x")
        assert response.status_code == 302
        assert response["Location"] == "https://app.example.com/x"
        response = _sign_in(
            Client(), case, json=True, callbackUrl="http://testserver/x"
        )
        assert response.status_code == 200
        assert response.json() == {"url": "https://app.example.com/"}

    def test_front_end_origin_refused_by_default(self):
        case = RedirectCase(
            "http://localhost:3000/x", False, "port", "", host="localhost:8000"
        )
        response = _sign_in(Client(), case, json=True, callbackUrl=case.value)
        assert response.status_code == 200
        assert response.json() == {"url": "http://localhost:8000/"}

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"])
    def test_front_end_origin_configured(self):
        case = RedirectCase(
            "http://localhost:3000/x", True, "port", "", host="localhost:8000"
        )
        response = _sign_in(Client(), case, json=True, callbackUrl=case.value)
        assert response.status_code == 200
        assert response.json() == {"url": "http://localhost:3000/x"}
        response = _sign_in(
            Client(), case, json=False, callbackUrl="http://localhost:3001/x"
        )
        assert response.status_code == 302
        assert response["Location"] == "http://localhost:8000/"


class AuthRequiredRoundTripTests(TestCase):
    """ATTACKS I4: ``auth_required`` builds a relative callbackUrl that survives sign-in."""

    @classmethod
    def setUpTestData(cls):
        make_user()

    def _sign_in_from_page(self, client: Client, location: str) -> TestResponse:
        # Follow the sign-in redirect and post the form the page renders.
        page = client.get(location)
        assert page.status_code == 200
        found = HIDDEN_CALLBACK.findall(page.content.decode())
        data = {"username": "ada", "password": PASSWORD}
        if found:
            data["callbackUrl"] = html.unescape(found[0])
        return _post(client, SIGN_IN, data)

    def test_round_trip(self):
        client = Client()
        response = client.get("/protected/?x=1")
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Fprotected%2F%3Fx%3D1"
        )
        signed_in = self._sign_in_from_page(client, response["Location"])
        assert signed_in.status_code == 302
        assert signed_in["Location"] == "http://testserver/protected/?x=1"
        landed = client.get(signed_in["Location"])
        assert landed.status_code == 200
        assert landed.content == b"protected"

    @override_settings(ROOT_URLCONF=__name__)
    def test_path_starting_with_two_slashes(self):
        client = Client()
        response = client.get("/", PATH_INFO="//evil.example/protected/")
        assert response.status_code == 302
        assert response["Location"] == "/api/auth/signin"
        signed_in = self._sign_in_from_page(client, response["Location"])
        assert signed_in.status_code == 302
        assert signed_in["Location"] == "http://testserver/"

    def test_two_slash_path_without_catch_all_route(self):
        # With the test URLs alone the path matches no route: a 404, not a 500.
        response = Client().get("/", PATH_INFO="//evil.example/protected/")
        assert response.status_code == 404

    def test_two_slash_path_as_callback_url(self):
        client = Client()
        response = _post(
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


GITHUB_USER = {"id": 4242, "login": "octo", "email": "octo@example.com", "name": "Octo"}


def _sign_in_from_page(
    client: Client, location: str, case: RedirectCase
) -> TestResponse:
    """Follow a redirect to the sign-in page and post the form it renders."""
    page = client.get(location, secure=case.secure, headers={"host": case.host})
    assert page.status_code == 200
    found = HIDDEN_CALLBACK.findall(page.content.decode())
    data = {"username": "ada", "password": PASSWORD}
    if found:
        data["callbackUrl"] = html.unescape(found[0])
    return _post(client, SIGN_IN, data, secure=case.secure, host=case.host)


def _through_middleware(
    case: RedirectCase, client: Client | None = None
) -> HttpRequest:
    """A request on the case's host through the session, auth and useauth middleware, with ``client``'s cookies."""
    request = RequestFactory().get(
        "/x", secure=case.secure, headers={"host": case.host}
    )
    if client is not None:
        request.COOKIES.update({k: v.value for k, v in client.cookies.items()})
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthMiddleware(lambda r: HttpResponse())(request)
    return request


class MoreRedirectSinkTests(TestCase):
    """ATTACKS I1 (c) and (e): the corpus through OAuth and through ``auth_required``."""

    @classmethod
    def setUpTestData(cls):
        make_user()

    @override_settings(
        AUTHENTICATION_BACKENDS=[
            "social_core.backends.github.GithubOAuth2",
            "django.contrib.auth.backends.ModelBackend",
        ],
        SOCIAL_AUTH_GITHUB_KEY="gh-client",
        SOCIAL_AUTH_GITHUB_SECRET="gh-secret",
    )
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
                with self.subTest(**_label(case)):
                    client = Client()
                    started = _post(
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
                    scheme, sep, rest = _expected(case).partition("://")
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
            with self.subTest(**_label(case)):
                view = auth_required(callback_url=case.value)(page)
                response = view(_through_middleware(case))
                assert response.status_code == 302
                expected = "/api/auth/signin"
                if case.allowed:
                    expected += "?" + urlencode({"callbackUrl": case.value})
                assert response["Location"] == expected
                client = Client()
                signed_in = _sign_in_from_page(client, response["Location"], case)
                assert signed_in.status_code == 302
                assert signed_in["Location"] == iri_to_uri(_expected(case))
                signed_in_request = _through_middleware(case, client)
                assert view(signed_in_request).content == b"protected"

    @override_settings(ROOT_URLCONF=__name__)
    def test_decorator_at_the_value_as_its_path(self):
        # The decorator's callbackUrl is the requested path and query, which
        # an attacker chooses; whatever it is, sign-in ends on the site.
        for case in CORPUS:
            if not case.value.startswith("/"):
                continue
            with self.subTest(**_label(case)):
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
                signed_in = _sign_in_from_page(client, response["Location"], case)
                assert signed_in.status_code == 302
                _assert_safe_json_url(signed_in["Location"], case)


class ParameterPollutionTests(TestCase):
    """ATTACKS I3: the value that is used is the value that was validated."""

    @classmethod
    def setUpTestData(cls):
        make_user()

    credentials = {"username": "ada", "password": PASSWORD}

    def _sign_in_raw(self, query: str, body: str) -> TestResponse:
        response: TestResponse = Client().post(
            f"{SIGN_IN}?{query}" if query else SIGN_IN,
            f"{urlencode(self.credentials)}&{body}"
            if body
            else urlencode(self.credentials),
            content_type=FORM,
        )
        return response

    def test_query_last_value_is_used(self):
        cases = [
            ("callbackUrl=/ok&callbackUrl=//evil.example", "http://testserver/"),
            ("callbackUrl=//evil.example&callbackUrl=/ok", "http://testserver/ok"),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                response = self._sign_in_raw(query, "")
                assert response.status_code == 302
                assert response["Location"] == expected

    def test_body_last_value_is_used(self):
        cases = [
            ("callbackUrl=%2Fok&callbackUrl=%2F%2Fevil.example", "http://testserver/"),
            (
                "callbackUrl=%2F%2Fevil.example&callbackUrl=%2Fok",
                "http://testserver/ok",
            ),
        ]
        for body, expected in cases:
            with self.subTest(body=body):
                response = self._sign_in_raw("", body)
                assert response.status_code == 302
                assert response["Location"] == expected

    def test_body_wins_over_query(self):
        cases = [
            ("callbackUrl=/query", "callbackUrl=%2Fbody", "http://testserver/body"),
            ("callbackUrl=/ok", "callbackUrl=%2F%2Fevil.example", "http://testserver/"),
            ("callbackUrl=//evil.example", "callbackUrl=%2Fok", "http://testserver/ok"),
        ]
        for query, body, expected in cases:
            with self.subTest(query=query, body=body):
                response = self._sign_in_raw(query, body)
                assert response.status_code == 302
                assert response["Location"] == expected

    def test_json_body_non_string_falls_back_to_query(self):
        cases: list[tuple[dict[str, object], str, str]] = [
            (
                {"callbackUrl": ["/ok"]},
                "callbackUrl=//evil.example",
                "http://testserver/",
            ),
            ({"callbackUrl": 123}, "callbackUrl=/ok", "http://testserver/ok"),
            ({"callbackUrl": {"url": "/ok"}}, "", "http://testserver/"),
        ]
        for body, query, expected in cases:
            with self.subTest(body=body, query=query):
                response = Client().post(
                    f"{SIGN_IN}?{query}",
                    {**self.credentials, **body, "json": True},
                    content_type="application/json",
                )
                assert response.status_code == 200
                assert response.json() == {"url": expected}

    def test_sign_out_query(self):
        cases = [
            ("callbackUrl=/ok&callbackUrl=//evil.example", "http://testserver/"),
            ("callbackUrl=//evil.example&callbackUrl=/ok", "http://testserver/ok"),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                response = Client().post(f"{SIGN_OUT}?{query}", "", content_type=FORM)
                assert response.status_code == 302
                assert response["Location"] == expected

    def test_sign_in_page(self):
        cases = [
            ("callbackUrl=/ok&callbackUrl=//evil.example", None),
            ("callbackUrl=//evil.example&callbackUrl=/ok", "/ok"),
            ("callbackUrl=//evil.example&next=/ok", None),
            ("next=//evil.example&callbackUrl=/ok", "/ok"),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                response = Client().get(f"/api/auth/signin?{query}")
                assert response.status_code == 200
                content = response.content.decode()
                assert HIDDEN_CALLBACK.findall(content) == (
                    [] if expected is None else [expected]
                )
                assert "evil.example" not in content


class AbsoluteUrlTests(SimpleTestCase):
    def test_bare_relative_path_from_configuration(self):
        # A custom page given as a bare path resolves against the site root.
        request = RequestFactory().get("/")
        assert absolute_url(request, "login") == "http://testserver/login"

    def test_dot_segments(self):
        request = RequestFactory().get("/")
        for value, allowed in (
            ("/a/b/..", True),
            ("/a/./b/.", True),
            ("/a/../..//evil.example/..", False),
            ("/..//evil.example", False),
        ):
            assert is_allowed_callback_url(request, value) is allowed, value
