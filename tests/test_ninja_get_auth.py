"""Issue 12: Ninja's ``django_auth`` replaces ``request.auth`` with the user.

``get_auth(request)`` still answers the ``AuthDetails``, so ``@auth_required``
(on the operation, or around the whole Ninja view) and the template tags and
context processor in a template the operation renders answer correctly; before,
they read ``request.auth`` and failed on the ``User`` (a 500).
"""

from __future__ import annotations

from datetime import timedelta

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.test import TestCase
from django.test import override_settings

from django_useauth.middleware import AuthDetails
from django_useauth.middleware import get_auth
from tests.ninja_utils import NINJA_URLS
from tests.ninja_utils import UNAUTHORIZED
from tests.utils import auth_request
from tests.utils import make_user
from tests.utils import past_its_end
from tests.utils import read_session
from tests.utils import session_exists
from tests.utils import session_key
from tests.utils import sign_in
from tests.utils import signed_in_ago

SIGNED_IN_PAGE = (
    "tag-status=authenticated\n"
    "tag-name=Ada Lovelace\n"
    "tag-email=ada@example.com\n"
    "context-status=authenticated\n"
    "context-bool=signed-in\n"
)

SIGNED_OUT_PAGE = (
    "tag-status=unauthenticated\n"
    "tag-name=\n"
    "tag-email=\n"
    "context-status=unauthenticated\n"
    "context-bool=signed-out\n"
)

#: What ``get_auth()`` answers in an operation with ``auth=django_auth``, ada signed in.
SIGNED_IN_GET_AUTH = {
    "requestAuth": "User",
    "username": "ada",
    "isRequestAuth": False,
    "status": "authenticated",
    "name": "Ada Lovelace",
}

#: ``USEAUTH_ABSOLUTE_MAX_AGE``, for a session signed in two days ago.
ONE_DAY = timedelta(days=1)


@NINJA_URLS
class DjangoAuthTests(TestCase):
    def setUp(self):
        make_user()
        sign_in(self.client)

    def test_get_auth_answers_the_auth_details(self):
        response = self.client.get("/ninja/django/get-auth")
        assert response.status_code == 200
        assert response.json() == SIGNED_IN_GET_AUTH

    def test_auth_required_on_the_operation(self):
        response = self.client.get("/ninja/django/guarded")
        assert response.status_code == 200
        assert response.json() == {"requestAuth": "User"}

    def test_template_tags_and_context_processor(self):
        response = self.client.get("/ninja/django/page")
        assert response.status_code == 200
        assert response.content.decode() == SIGNED_IN_PAGE

    def test_auth_required_around_the_ninja_view(self):
        response = self.client.get("/ninja/wrapped-page/")
        assert response.status_code == 200
        assert response.content.decode() == SIGNED_IN_PAGE

    def test_auth_required_refuses_what_django_auth_accepted(self):
        # A browser-session cookie's session past its end is kept by the
        # store, and Django still finds its user (so django_auth accepts);
        # @auth_required reads the session as request.auth does, ends it and
        # answers for itself.
        past_its_end(self.client)
        key = session_key(self.client)
        response = self.client.get(
            "/ninja/django/guarded", headers={"Accept": "application/json"}
        )
        assert response.status_code == 401
        assert response.json() == {
            "error": "SessionRequired",
            "url": "http://testserver/api/auth/signin?callbackUrl=%2Fninja%2Fdjango%2Fguarded",
        }
        assert not session_exists(key)

    def test_template_tags_see_the_ended_session(self):
        past_its_end(self.client)
        response = self.client.get("/ninja/django/page")
        assert response.status_code == 200
        assert response.content.decode() == SIGNED_OUT_PAGE
        assert read_session(self.client) == {}

    def test_get_auth_sees_the_ended_session(self):
        past_its_end(self.client)
        body = self.client.get("/ninja/django/get-auth").json()
        assert (body["requestAuth"], body["username"]) == ("User", "ada")
        assert (body["status"], body["name"]) == ("unauthenticated", None)

    @override_settings(USEAUTH_ABSOLUTE_MAX_AGE=ONE_DAY)
    def test_django_auth_agrees_past_the_absolute_max_age(self):
        # With the setting, request.user is guarded too: django_auth refuses,
        # and the session is ended.
        signed_in_ago(self.client, timedelta(days=2))
        key = session_key(self.client)
        response = self.client.get("/ninja/django/page")
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
        assert not session_exists(key)


@NINJA_URLS
class DjangoAuthSignedOutTests(TestCase):
    def test_django_auth_answers_first(self):
        for url in ("/ninja/django/guarded", "/ninja/django/page"):
            with self.subTest(url):
                response = self.client.get(url)
                assert (response.status_code, response.json()) == (401, UNAUTHORIZED)

    def test_auth_required_around_answers_before_ninja(self):
        response = self.client.get("/ninja/wrapped-page/")
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Fninja%2Fwrapped-page%2F"
        )


@NINJA_URLS
class AsyncDjangoAuthTests(TestCase):
    async def sign_in(self):
        await sync_to_async(make_user)()
        await sync_to_async(sign_in)(self.client)
        self.async_client.cookies = self.client.cookies

    async def test_get_auth(self):
        await self.sign_in()
        response = await self.async_client.get("/ninja/django/aget-auth")
        assert response.status_code == 200
        assert response.json() == SIGNED_IN_GET_AUTH

    async def test_auth_required_on_the_operation(self):
        await self.sign_in()
        response = await self.async_client.get("/ninja/django/aguarded")
        assert response.status_code == 200
        assert response.json() == {"requestAuth": "User"}

    async def test_template_tags(self):
        await self.sign_in()
        response = await self.async_client.get("/ninja/django/apage")
        assert response.status_code == 200
        assert response.content.decode() == SIGNED_IN_PAGE

    async def test_auth_required_refuses_an_ended_session(self):
        await self.sign_in()
        await sync_to_async(past_its_end)(self.client)
        response = await self.async_client.get("/ninja/django/aguarded")
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Fninja%2Fdjango%2Faguarded"
        )


@NINJA_URLS
class WithoutMiddlewareTests(TestCase):
    def test_get_auth_on_a_plain_request(self):
        with self.assertRaisesMessage(ImproperlyConfigured, "AuthMiddleware"):
            get_auth(RequestFactory().get("/"))

    def test_get_auth_after_ninja_replaced_request_auth(self):
        # What django_auth does to the request, on a request AuthMiddleware saw.
        request = auth_request(RequestFactory().get("/"))
        details = get_auth(request)
        assert isinstance(details, AuthDetails)
        request.auth = object()  # type: ignore[attr-defined]
        assert get_auth(request) is details

    @override_settings(
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ]
    )
    def test_useauth_without_the_middleware_is_loud(self):
        # A misconfiguration is an error, not a silent 401.
        with self.assertRaisesMessage(ImproperlyConfigured, "AuthMiddleware"):
            self.client.get("/ninja/ops/me")
