"""Our decorators and mixins on DRF views: function views, ``APIView`` classes, a routed viewset.

Issue 12: DRF's ``Request.auth`` setter writes through to the
``HttpRequest``, so after DRF authenticated a request ``request.auth`` was
``None`` (``SessionAuthentication``) and ``@auth_required`` under
``@api_view`` answered 500. The decorators and mixins now read
:func:`get_auth`, which answers the request's ``AuthDetails`` whatever DRF
did, on DRF's ``Request`` too. Signed in or out, JSON or browser: never a 500.
"""

from __future__ import annotations

from urllib.parse import quote

from django.test import TestCase
from django.test import override_settings
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from django_useauth.middleware import AuthDetails
from django_useauth.middleware import get_auth
from tests.drf_utils import BROWSER_ACCEPT
from tests.drf_utils import CHALLENGE
from tests.drf_utils import DRF_URLS
from tests.drf_utils import SIGNED_OUT_GET_AUTH
from tests.drf_utils import assert_challenged
from tests.drf_utils import assert_guard_csrf_refusal
from tests.drf_utils import detail
from tests.drf_utils import http_request
from tests.drf_views import WRITES_KEY
from tests.utils import assert_never_cached
from tests.utils import csrf_client
from tests.utils import csrf_headers
from tests.utils import make_user
from tests.utils import read_session
from tests.utils import signed_in_client
from tests.utils import stored

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": BROWSER_ACCEPT}
HTMX = {"HX-Request": "true"}


def sign_in_url(callback_url):
    return f"/api/auth/signin?callbackUrl={quote(callback_url, safe='')}"


def assert_session_required(response, callback_url):
    """The JSON answer of @auth_required and AuthRequiredMixin to a signed-out request."""
    assert response.status_code == 401
    assert response.json() == {
        "error": "SessionRequired",
        "url": "http://testserver" + sign_in_url(callback_url),
    }
    # Not DRF's answer: no challenge.
    assert not response.has_header("WWW-Authenticate")
    assert_never_cached(response)


def assert_sent_to_sign_in(response, callback_url):
    assert response.status_code == 302
    assert response["Location"] == sign_in_url(callback_url)
    assert_never_cached(response)


class _SignedInBase(TestCase):
    def setUp(self):
        make_user()
        self.client = signed_in_client()
        self.session = read_session(self.client)
        self.out = csrf_client()

    def assert_described(self, response, request_auth="NoneType"):
        """The answer of a view that reads get_auth(), signed in."""
        assert response.status_code == 200
        assert response.json() == {
            "requestAuth": request_auth,
            "status": "authenticated",
            "data": self.session,
            "signedIn": True,
            "user": "ada",
        }


@override_settings(**DRF_URLS)
class ApiViewAboveAuthRequiredTests(_SignedInBase):
    """``@api_view`` above ``@auth_required``: the decorator gets DRF's Request."""

    url = "/drf/fn/api-then-required/"

    def test_signed_in(self):
        # Issue 12: a 500 (request.auth was None after DRF authenticated).
        self.assert_described(self.client.get(self.url, headers=JSON))

    def test_signed_in_browser(self):
        response = self.client.get(self.url, headers=BROWSER)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert b"ada@example.com" in response.content

    def test_signed_out_json(self):
        # Issue 12: a 500 too (DRF sets request.auth to None signed out).
        assert_session_required(self.out.get(self.url, headers=JSON), self.url)

    def test_signed_out_browser(self):
        assert_sent_to_sign_in(self.out.get(self.url, headers=BROWSER), self.url)
        # No Accept at all: a browser.
        assert_sent_to_sign_in(self.out.get(self.url), self.url)

    def test_signed_out_keeps_the_query(self):
        response = self.out.get(self.url + "?page=2&q=a%20b", headers=BROWSER)
        assert_sent_to_sign_in(response, self.url + "?page=2&q=a%20b")

    def test_signed_out_htmx(self):
        response = self.out.get(self.url, headers=HTMX)
        assert response.status_code == 200
        assert response["HX-Redirect"] == sign_in_url(self.url)

    def test_callback_url(self):
        url = "/drf/fn/api-then-required-callback/"
        assert_sent_to_sign_in(self.out.get(url, headers=BROWSER), "/after/")
        assert_session_required(self.out.get(url, headers=JSON), "/after/")
        self.assert_described(self.client.get(url, headers=JSON))

    def test_post_signed_in(self):
        response = self.client.post(
            self.url, headers={**JSON, **csrf_headers(self.client)}
        )
        assert response.status_code == 201
        assert stored(self.client)[WRITES_KEY] == 1

    def test_post_signed_in_without_csrf(self):
        # DRF's SessionAuthentication refuses it before the decorator runs.
        response = self.client.post(self.url, headers=JSON)
        assert response.status_code == 403
        assert detail(response) == "CSRF Failed: CSRF token missing."
        assert WRITES_KEY not in stored(self.client)

    def test_post_signed_out(self):
        assert_session_required(self.out.post(self.url, headers=JSON), self.url)

    def test_under_useauth_authentication(self):
        url = "/drf/fn/api-then-required-useauth/"
        body = self.client.get(url, headers=JSON).json()
        assert body["requestAuth"] == "AuthDetails"
        assert body["status"] == "authenticated"
        assert body["data"] == self.session
        # The view is open to all (AllowAny): the decorator answers.
        assert_session_required(self.out.get(url, headers=JSON), url)
        assert_sent_to_sign_in(self.out.get(url, headers=BROWSER), url)

    def test_under_useauth_authentication_post(self):
        url = "/drf/fn/api-then-required-useauth/"
        refused = self.client.post(url, headers=JSON)
        assert refused.status_code == 403
        assert detail(refused) == "CSRF Failed: CSRF token missing."
        accepted = self.client.post(url, headers={**JSON, **csrf_headers(self.client)})
        assert accepted.status_code == 201
        assert stored(self.client)[WRITES_KEY] == 1
        # Signed out, no CSRF check: the decorator answers.
        assert_session_required(self.out.post(url, headers=JSON), url)


@override_settings(**DRF_URLS)
class ApiViewAboveUnauthenticatedOnlyTests(_SignedInBase):
    url = "/drf/fn/api-then-guest/"

    def test_signed_out(self):
        response = self.out.get(self.url, headers=JSON)
        assert response.status_code == 200
        assert response.json()["status"] == "unauthenticated"

    def test_signed_in(self):
        # Issue 12: a 500 too.
        for headers in (JSON, BROWSER):
            with self.subTest(headers=headers):
                response = self.client.get(self.url, headers=headers)
                assert response.status_code == 302
                assert response["Location"] == "/drf/me/"

    def test_signed_in_htmx(self):
        response = self.client.get(self.url, headers=HTMX)
        assert response["HX-Redirect"] == "/drf/me/"


@override_settings(**DRF_URLS)
class AuthRequiredAboveApiViewTests(_SignedInBase):
    """``@auth_required`` above ``@api_view``: the decorator gets the HttpRequest, then DRF runs."""

    url = "/drf/fn/required-then-api/"

    def test_signed_in(self):
        self.assert_described(self.client.get(self.url, headers=JSON))

    def test_signed_out(self):
        assert_session_required(self.out.get(self.url, headers=JSON), self.url)
        assert_sent_to_sign_in(self.out.get(self.url, headers=BROWSER), self.url)

    def test_post_is_csrf_checked_by_the_guard(self):
        # The view stays exempt from Django's middleware (the decorator keeps
        # csrf_exempt), and the guard runs before DRF: it checks the token
        # itself and refuses with a 403 in DRF's words (the client prefers
        # JSON). Accepted, the request is not checked again by DRF.
        refused = self.client.post(self.url, headers=JSON)
        assert_guard_csrf_refusal(refused)
        accepted = self.client.post(
            self.url, headers={**JSON, **csrf_headers(self.client)}
        )
        assert accepted.status_code == 201


@override_settings(**DRF_URLS)
class AuthRequiredMixinTests(_SignedInBase):
    def test_signed_in(self):
        self.assert_described(self.client.get("/drf/mixin/", headers=JSON))

    def test_signed_out(self):
        assert_session_required(
            self.out.get("/drf/mixin/", headers=JSON), "/drf/mixin/"
        )
        assert_sent_to_sign_in(
            self.out.get("/drf/mixin/", headers=BROWSER), "/drf/mixin/"
        )

    def test_post(self):
        # The mixin runs before APIView.dispatch: the guard's CSRF 403.
        assert_guard_csrf_refusal(self.client.post("/drf/mixin/", headers=JSON))
        accepted = self.client.post(
            "/drf/mixin/", headers={**JSON, **csrf_headers(self.client)}
        )
        assert accepted.status_code == 201
        assert stored(self.client)[WRITES_KEY] == 1

    def test_with_useauth_authentication(self):
        body = self.client.get("/drf/mixin-useauth/", headers=JSON).json()
        assert body["requestAuth"] == "AuthDetails"
        assert body["data"] == self.session

    def test_with_useauth_authentication_post(self):
        response = self.client.post(
            "/drf/mixin-useauth/", headers={**JSON, **csrf_headers(self.client)}
        )
        assert response.status_code == 201
        assert stored(self.client)[WRITES_KEY] == 1

    def test_with_useauth_authentication_signed_out(self):
        # The mixin answers before DRF does (its callbackUrl, its JSON).
        url = "/drf/mixin-useauth/"
        assert_session_required(self.out.get(url, headers=JSON), "/after/")
        assert_sent_to_sign_in(self.out.get(url, headers=BROWSER), "/after/")


@override_settings(**DRF_URLS)
class ViewSetTests(_SignedInBase):
    def test_list(self):
        response = self.client.get("/drf/notes/", headers=JSON)
        assert response.status_code == 200
        assert response.json() == {"owner": "ada@example.com", "notes": []}

    def test_create_and_retrieve(self):
        headers = {**JSON, **csrf_headers(self.client)}
        for index, text in enumerate(("first", "second")):
            created = self.client.post("/drf/notes/", {"text": text}, headers=headers)
            assert created.status_code == 201
            assert created.json() == {"owner": "ada@example.com", "id": index}
        assert self.client.get("/drf/notes/1/", headers=JSON).json() == {
            "owner": "ada@example.com",
            "text": "second",
        }
        assert self.client.get("/drf/notes/", headers=JSON).json()["notes"] == [
            "first",
            "second",
        ]
        assert self.client.get("/drf/notes/2/", headers=JSON).status_code == 404

    def test_signed_out(self):
        for url in ("/drf/notes/", "/drf/notes/0/"):
            with self.subTest(url=url):
                assert_challenged(self.out.get(url, headers=JSON))

    def test_browser(self):
        response = self.client.get("/drf/notes/", headers=BROWSER)
        assert response.status_code == 200
        assert b"ada@example.com" in response.content
        response = self.out.get("/drf/notes/", headers=BROWSER)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == CHALLENGE


@override_settings(**DRF_URLS)
class DefaultAuthenticationTests(_SignedInBase):
    """A view left with DRF's ``SessionAuthentication``: ``request.auth`` is None, get_auth() is not."""

    def test_signed_in(self):
        self.assert_described(self.client.get("/drf/default/", headers=JSON))

    def test_signed_out(self):
        assert self.out.get("/drf/default/", headers=JSON).json() == SIGNED_OUT_GET_AUTH

    def test_get_session_required(self):
        url = "/drf/required-session/"
        response = self.client.get(url, headers=JSON)
        assert response.status_code == 200
        assert response.json() == self.session
        # DRF lets SessionRequired through; AuthMiddleware answers it.
        assert_session_required(self.out.get(url + "?a=1", headers=JSON), url + "?a=1")
        assert_sent_to_sign_in(self.out.get(url, headers=BROWSER), url)

    def test_get_auth_on_drf_s_request(self):
        wrapped = http_request()
        details = get_auth(wrapped)
        request = Request(wrapped, authenticators=[SessionAuthentication()])
        # DRF authenticates (nobody), and writes None through to the HttpRequest.
        assert request.auth is None
        assert wrapped.auth is None  # type: ignore[attr-defined]
        assert get_auth(request) is details
        assert isinstance(get_auth(request), AuthDetails)
        assert get_auth(request).status == "unauthenticated"


@override_settings(**DRF_URLS)
class NeverA500Tests(_SignedInBase):
    """Every DRF view, signed in and out, JSON and browser: the expected answer, never a 500."""

    # (signed in JSON, signed in browser, signed out JSON, signed out browser)
    expected = {
        "/drf/me/": (200, 200, 401, 401),
        "/drf/fn/me/": (200, 200, 401, 401),
        "/drf/username/": (200, 200, 401, 401),
        "/drf/is-authenticated/": (200, 200, 401, 401),
        "/drf/optional/": (200, 200, 200, 200),
        "/drf/with-basic/": (200, 200, 401, 401),
        "/drf/session-auth-signed-in/": (403, 403, 403, 403),
        "/drf/editor/": (403, 403, 401, 401),
        "/drf/team/": (200, 200, 401, 401),
        "/drf/sign-out/": (405, 405, 401, 401),
        "/drf/default/": (200, 200, 200, 200),
        "/drf/required-session/": (200, 200, 401, 302),
        "/drf/fn/api-then-required/": (200, 200, 401, 302),
        "/drf/fn/api-then-required-callback/": (200, 200, 401, 302),
        "/drf/fn/api-then-required-useauth/": (200, 200, 401, 302),
        "/drf/fn/api-then-guest/": (302, 302, 200, 200),
        "/drf/fn/required-then-api/": (200, 200, 401, 302),
        "/drf/mixin/": (200, 200, 401, 302),
        "/drf/mixin-useauth/": (200, 200, 401, 302),
        # Only an HTML renderer: JSON is not acceptable.
        "/drf/template/default/": (406, 200, 406, 200),
        "/drf/template/useauth/": (406, 200, 406, 200),
        "/drf/template/function/": (406, 200, 406, 200),
        "/drf/notes/": (200, 200, 401, 401),
        "/drf/notes/0/": (404, 404, 401, 401),
    }

    def test_every_view(self):
        for url, statuses in self.expected.items():
            answered = tuple(
                client.get(url, headers=headers).status_code
                for client in (self.client, self.out)
                for headers in (JSON, BROWSER)
            )
            with self.subTest(url=url):
                assert answered == statuses
        # Every request above read the same, still signed-in session.
        assert read_session(self.client) == self.session
